/**
 * Environment → validated configuration, read once. Every variable is documented in the README's
 * configuration table; an invalid one stops the program with a message naming it and its fix.
 */
import { z } from 'zod';
import { readStreamList, STREAM_NAMES, type StreamName } from './catalog.js';
import { EXPORT_MODES, type ExportMode } from './iterable/export-modes.js';
import { ITERABLE_HOSTS } from './iterable/limits.js';
import { describeIssues } from './schema-parts.js';
import { MINUTE } from './time.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const minutes = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

// BigQuery dataset ids: letters, digits and underscores, at most 1024 characters
// (https://cloud.google.com/bigquery/docs/datasets#dataset-naming).
const datasetId = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,1023}$/, 'use letters, digits and underscores only')
    .default(fallback);

const streamList = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (!value?.trim()) return [...STREAM_NAMES];
    try {
      return readStreamList(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const baseUrl = z
  .url()
  .optional()
  .refine((u) => u === undefined || /^https?:\/\/[^/?#]+\/?$/.test(u), {
    message: 'give scheme and host only, e.g. http://127.0.0.1:8080 (the client appends /api/...)',
  })
  .transform((u) => u?.replace(/\/$/, ''));

const EnvSchema = z.object({
  ITERABLE_API_KEY: z.string().trim().min(1).optional(),
  ITERABLE_REGION: z.enum(['US', 'EU'], { message: 'use US or EU' }).default('US'),
  ITERABLE_BASE_URL: baseUrl,
  ITERABLE_EXPORTS_PER_MINUTE: z.coerce.number().positive().optional(),
  ITERABLE_EXPORT_MODE: z
    .enum(EXPORT_MODES, {
      message: `use ${EXPORT_MODES.join(' or ')}, or leave it unset to read bulk history by jobs and the rest by streaming exports`,
    })
    .optional(),
  WINDOW_MINUTES: z.coerce.number().int().positive().optional(),
  LAG_MINUTES: minutes(15),
  LOOKBACK_MINUTES: minutes(60),
  HISTORY_DAYS: z.coerce.number().int().positive().default(30),
  STREAMS: streamList,
  RAW_DATASET: datasetId('iterable_raw'),
  ANALYTICS_DATASET: datasetId('iterable_analytics'),
  FACT_LOOKBACK_DAYS: z.coerce.number().int().positive().default(7),
  // Comma-separated custom event names; quotes and backslashes cannot appear in SQL literals here.
  CONVERSION_EVENT_NAMES: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    )
    .refine((names) => names.every((n) => !/['"\\]/.test(n)), {
      message: 'event names cannot contain quotes or backslashes',
    }),
  SETTLE_HOURS: z.coerce.number().int().nonnegative().default(24),
});

export interface PipelineConfig {
  readonly iterable: {
    /** `null` when not set: the local runner then serves the built-in simulator. */
    readonly apiKey: string | null;
    readonly baseUrl: string;
    /**
     * Export pacing when set; otherwise Iterable's own limit (ITERABLE_EXPORTS_PER_MINUTE in
     * limits.ts) against Iterable, or the simulator's in the demo.
     */
    readonly exportsPerMinute: number | null;
    /**
     * `jobs` or `stream` when forced (`ITERABLE_EXPORT_MODE`); `null` lets each window choose
     * (`pipeline/export-mode.ts`: jobs for bulk history, streaming for the rest).
     */
    readonly exportMode: ExportMode | null;
  };
  /** Fixes every export stream's window length when set, instead of sizing it by density. */
  readonly windowMinutes: number | null;
  /** How far behind now a plan stops: the newest events are still settling in Iterable. */
  readonly lagMs: number;
  /** How far behind the watermark each run re-reads (Iterable's export is eventually consistent). */
  readonly lookbackMs: number;
  /** Where a stream's history starts on its first run, counted back from now. */
  readonly historyMs: number;
  /** How long after a UTC day ends the daily settle pass re-reads it whole; 0 turns it off. */
  readonly settleMs: number;
  readonly streams: readonly StreamName[];
  readonly datasets: { readonly raw: string; readonly analytics: string };
  /** Event dates each fact build recomputes, so late-arriving data is absorbed. */
  readonly factLookbackDays: number;
  /** Custom event names counted as conversions in the funnel and the cohort facts, beside purchases. */
  readonly conversionEventNames: readonly string[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error, '(environment)');
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    iterable: {
      apiKey: e.ITERABLE_API_KEY ?? null,
      baseUrl: e.ITERABLE_BASE_URL ?? ITERABLE_HOSTS[e.ITERABLE_REGION],
      exportsPerMinute: e.ITERABLE_EXPORTS_PER_MINUTE ?? null,
      exportMode: e.ITERABLE_EXPORT_MODE ?? null,
    },
    windowMinutes: e.WINDOW_MINUTES ?? null,
    lagMs: e.LAG_MINUTES * MINUTE,
    lookbackMs: e.LOOKBACK_MINUTES * MINUTE,
    historyMs: e.HISTORY_DAYS * 24 * 60 * MINUTE,
    settleMs: e.SETTLE_HOURS * 60 * MINUTE,
    streams: e.STREAMS,
    datasets: { raw: e.RAW_DATASET, analytics: e.ANALYTICS_DATASET },
    factLookbackDays: e.FACT_LOOKBACK_DAYS,
    conversionEventNames: e.CONVERSION_EVENT_NAMES,
  };
}
