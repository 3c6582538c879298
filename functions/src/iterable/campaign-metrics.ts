/**
 * Iterable's own per-campaign totals, `GET /api/campaigns/metrics`, the reconciliation target of
 * `campaign_fact_table`. The answer is CSV, one row per campaign, with English column headers
 * (see campaign-metrics-table.ts); a header missing for the campaign's medium reads as NULL.
 *
 * Limits (shared/iterable-api.md, "Dimensions"): 10 requests per minute, so requests are paced
 * 6 s apart; at most 80 campaign ids per request, since longer URLs fail with 414.
 */
import { z } from 'zod';
import {
  CAMPAIGN_METRICS_COLUMNS,
  type CampaignMetricsColumn,
  type CampaignMetricsColumnName,
} from '../campaign-metrics-table.js';
import type { Interval } from '../time.js';
import { IterableClient } from './client.js';
import { csvRecords } from './csv.js';
import { IterableError, type RequestContext } from './errors.js';
import { CAMPAIGN_METRICS_MAX_IDS, CAMPAIGN_METRICS_REQUESTS_PER_MINUTE } from './limits.js';
import { IntervalPacer, type Pacer } from './pacer.js';
import type { RetryOptions } from './retry.js';
import { formatExportTimestamp } from './timestamps.js';

const PATH = '/api/campaigns/metrics';

export type CampaignMetricsRow = { readonly campaign_id: number } & {
  readonly [K in Exclude<CampaignMetricsColumnName, 'campaign_id'>]: number | null;
};

export interface CampaignMetricsClientOptions {
  /** Scheme and host only (`https://api.iterable.com`). */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly retry?: Partial<RetryOptions>;
  /** Defaults to Iterable's 10 requests per minute; tests against a local server pass `NO_PACING`. */
  readonly pacer?: Pacer;
}

const INTEGER = /^-?\d+(\.0+)?$/;
const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** A CSV cell as a number; a metric's empty or absent cell is NULL, the campaign id is required. */
const cell = (column: CampaignMetricsColumn) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const text = value?.trim() ?? '';
      if (text === '' && column.metric !== null) return null;
      if (!(column.type === 'INT64' ? INTEGER : DECIMAL).test(text)) {
        ctx.addIssue({
          code: 'custom',
          message: `${column.header} is not a number: ${JSON.stringify(text)}`,
        });
        return z.NEVER;
      }
      return Number(text);
    });

const ROW_SCHEMA = z.object(Object.fromEntries(CAMPAIGN_METRICS_COLUMNS.map((c) => [c.header, cell(c)])));

export class CampaignMetricsClient {
  readonly #client: IterableClient;
  readonly #pacer: Pacer;

  constructor(options: CampaignMetricsClientOptions) {
    this.#client = new IterableClient({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      ...(options.retry ? { retry: options.retry } : {}),
    });
    this.#pacer = options.pacer ?? new IntervalPacer(60_000 / CAMPAIGN_METRICS_REQUESTS_PER_MINUTE);
  }

  /** Totals of each campaign over `[range.start, range.end)`, one request per 80 ids. */
  async metrics(
    campaignIds: readonly number[],
    range: Interval,
    signal?: AbortSignal,
  ): Promise<CampaignMetricsRow[]> {
    const ids = [...new Set(campaignIds)];
    const rows: CampaignMetricsRow[] = [];
    for (let k = 0; k < ids.length; k += CAMPAIGN_METRICS_MAX_IDS) {
      rows.push(...(await this.#request(ids.slice(k, k + CAMPAIGN_METRICS_MAX_IDS), range, signal)));
    }
    return rows;
  }

  async #request(
    ids: readonly number[],
    range: Interval,
    signal?: AbortSignal,
  ): Promise<CampaignMetricsRow[]> {
    const query = new URLSearchParams(ids.map((id): [string, string] => ['campaignId', String(id)]));
    query.set('startDateTime', formatExportTimestamp(range.start));
    query.set('endDateTime', formatExportTimestamp(range.end));
    const { text, context } = await this.#client.getText(
      PATH,
      query,
      { accept: 'text/csv', beforeAttempt: () => this.#pacer.wait(signal) },
      signal,
    );
    return parseMetrics(text, context);
  }
}

/** Reads the CSV into rows, refusing one without an `id` column or with a non-numeric cell. */
export function parseMetrics(text: string, context: RequestContext): CampaignMetricsRow[] {
  const { header, records } = csvRecords(text);
  const fail = (problem: string) =>
    new IterableError(`${context.request} from ${context.baseUrl} answered ${problem}`, {
      status: 200,
      code: null,
      retryable: false,
    });
  if (!header.includes('id')) throw fail(`a CSV without an "id" column (header: ${header.join(', ')})`);
  return records.map((record, k) => {
    const parsed = ROW_SCHEMA.safeParse(record);
    if (!parsed.success) {
      throw fail(`an invalid CSV row ${k + 2}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    return Object.fromEntries(
      CAMPAIGN_METRICS_COLUMNS.map((c) => [c.name, parsed.data[c.header]]),
    ) as CampaignMetricsRow;
  });
}
