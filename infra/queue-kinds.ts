/**
 * The task queues, one per Iterable limit: a window task makes one export, a campaign metrics
 * task one request, and an export jobs task holds one job (its start, polls and downloads), so a
 * queue's dispatch rate, and for jobs its concurrency, is that limit (shared/iterable-api.md). The Pulumi program names each
 * queue `<prefix>-<suffix>`, and the policy pack checks the rate (and, where Iterable bounds it,
 * the concurrency) by the name's suffix.
 */
import {
  CAMPAIGN_METRICS_REQUESTS_PER_MINUTE,
  EXPORT_JOB_REQUESTS_PER_SECOND,
  EXPORT_JOBS_AT_ONCE,
  ITERABLE_EXPORTS_PER_MINUTE,
} from '../functions/src/iterable/limits.js';

export interface QueueKindLimits {
  readonly suffix: string;
  readonly requestsPerMinute: number;
  /** Tasks in flight at once that Iterable allows, where it bounds them. */
  readonly concurrentLimit?: number;
}

export const QUEUE_KINDS = {
  /** One window export per task: 4 a minute, shared by every export of the project. */
  windows: { suffix: 'windows', requestsPerMinute: ITERABLE_EXPORTS_PER_MINUTE },
  /** One `GET /api/campaigns/metrics` per task: 10 a minute. */
  campaignMetrics: { suffix: 'campaign-metrics', requestsPerMinute: CAMPAIGN_METRICS_REQUESTS_PER_MINUTE },
  /**
   * One window read by export jobs per task, each task holding one job at a time from its start
   * to its last download: `POST /api/export/start` allows 1 request a second per organization,
   * and 4 jobs process at once (swagger: startExport), so 1 dispatch a second, 4 at once.
   */
  exportJobs: {
    suffix: 'export-jobs',
    requestsPerMinute: 60 * EXPORT_JOB_REQUESTS_PER_SECOND,
    concurrentLimit: EXPORT_JOBS_AT_ONCE,
  },
} as const satisfies Record<string, QueueKindLimits>;

export type QueueKind = keyof typeof QUEUE_KINDS;

const kindOf = (name: string): QueueKindLimits | undefined =>
  Object.values(QUEUE_KINDS).find((k: QueueKindLimits) => name.endsWith(`-${k.suffix}`));

/** The limit a queue of this name must keep to; a name of no known kind gets the export limit, the lowest. */
export function queueLimitPerMinute(name: string): number {
  return kindOf(name)?.requestsPerMinute ?? ITERABLE_EXPORTS_PER_MINUTE;
}

/** Tasks a queue of this name may run at once, or `null` where Iterable sets no bound. */
export function queueConcurrencyLimit(name: string): number | null {
  return kindOf(name)?.concurrentLimit ?? null;
}
