/**
 * The Iterable source of a deployed function. Only the worker and forget hold the key (from Secret Manager);
 * in the fan-out's instance the worker is registered but never served, so its source only has to
 * say clearly what is missing should it ever be called. The worker reads windows by streaming
 * exports or by export jobs, as ITERABLE_EXPORT_MODE and each window's age choose
 * (`pipeline/export-mode.ts`); the fan-out routes job windows to their own queue.
 */
import type { DimensionSource, ExportSource } from '../catalog.js';
import { ConfigError, type PipelineConfig } from '../config.js';
import { CampaignMetricsClient } from '../iterable/campaign-metrics.js';
import { IterableClient } from '../iterable/client.js';
import type { ExportJobOptions } from '../iterable/export-jobs.js';
import { type JobLimiter, SharedJobLimiter } from '../iterable/job-limiter.js';
import { workerSource } from '../iterable/job-source.js';
import { EXPORT_JOB_REQUESTS_PER_SECOND, EXPORT_JOBS_AT_ONCE } from '../iterable/limits.js';
import { IntervalPacer, type PacerClock } from '../iterable/pacer.js';
import type { Logger } from '../log.js';
import type { CampaignMetricsSource } from '../pipeline/campaign-metrics-refresh.js';
import type { ForgottenSource, IterableSource } from '../ports.js';

const missingKey = (): never => {
  throw new ConfigError(
    'ITERABLE_API_KEY is not set in this function; only the worker reads Iterable: run ' +
      '`pulumi config set --secret iterableApiKey <key>` and `pulumi up`',
  );
};

const NO_KEY: IterableSource = {
  exportLines: (_source: ExportSource) => missingKey(),
  dimensionLines: (_source: DimensionSource) => missingKey(),
};

const NO_KEY_LISTS: ForgottenSource = {
  forgottenEmailHashes: () => missingKey(),
  forgottenUserIdHashes: () => missingKey(),
};

export function iterableSource(config: PipelineConfig['iterable']): IterableSource & ForgottenSource {
  return config.apiKey === null
    ? { ...NO_KEY, ...NO_KEY_LISTS }
    : new IterableClient({ baseUrl: config.baseUrl, apiKey: config.apiKey });
}

/**
 * Export jobs' limits as one worker instance keeps them. Each instance serves one task at a time
 * (maxInstanceRequestConcurrency 1, infra/functions.ts) and the export jobs queue dispatches at most
 * EXPORT_JOBS_AT_ONCE tasks at once, 1 a second (infra/queue-kinds.ts), so at most that many
 * instances hold a job together. Each spaces its own starts after the first (a failed job's
 * resubmit, a truncated range's halves) and its file listings (every poll and page) one per
 * EXPORT_JOBS_AT_ONCE seconds: together they stay within the organization's 1 request a second per
 * endpoint (swagger: startExport, getExportFiles). Two instances may still meet in one second;
 * Iterable's 429 is then retried after its Retry-After by the client (iterable/retry.ts).
 */
export function instanceJobLimiter(clock?: PacerClock): JobLimiter {
  const intervalMs = (EXPORT_JOBS_AT_ONCE * 1000) / EXPORT_JOB_REQUESTS_PER_SECOND;
  return new SharedJobLimiter({
    slots: 1,
    starts: new IntervalPacer(intervalMs, clock),
    listings: new IntervalPacer(intervalMs, clock),
  });
}

/**
 * How long the jobs of one window may keep an attempt waiting: two thirds of the worker's timeout
 * (20 of Cloud Tasks' 30 minutes at most for an HTTP task: `dispatchDeadline` must lie in
 * [15 s, 30 min], https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#Task.FIELDS.dispatch_deadline),
 * the last third left for the downloads.
 * A job still unfinished then is cancelled and the window split (`iterable/export-jobs.ts`), so no
 * job outlives the attempt that started it and no retry finds the window's lease still held.
 */
export const jobWaitMs = (workerTimeoutSeconds: number): number =>
  Math.floor((workerTimeoutSeconds * 2000) / 3);

/**
 * The worker's Iterable for windows: the plain client when ITERABLE_EXPORT_MODE=stream, else the
 * client with export jobs, which falls back to streaming exports with one WARNING when the key or
 * the project has no access to them (401, 403 or 404; `iterable/job-source.ts`).
 */
export function windowSource(
  config: PipelineConfig['iterable'],
  workerTimeoutSeconds: number,
  log: Logger,
  options: { readonly limiter?: JobLimiter; readonly jobs?: Partial<ExportJobOptions> } = {},
): IterableSource {
  if (config.apiKey === null) return NO_KEY;
  const client = new IterableClient({ baseUrl: config.baseUrl, apiKey: config.apiKey });
  return workerSource(client, config.exportMode, log, {
    limiter: options.limiter ?? instanceJobLimiter(),
    jobs: { maxWaitMs: jobWaitMs(workerTimeoutSeconds), ...options.jobs },
  });
}

/** Iterable's campaign totals, read by the worker for a campaign metrics task. */
export function campaignMetricsSource(config: PipelineConfig['iterable']): CampaignMetricsSource {
  return config.apiKey === null
    ? { metrics: () => missingKey() }
    : new CampaignMetricsClient({ baseUrl: config.baseUrl, apiKey: config.apiKey });
}
