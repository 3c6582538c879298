/**
 * The task queues, one per Iterable limit: each task calls its endpoint once, so a queue's
 * dispatch rate is that endpoint's limit (shared/iterable-api.md). The Pulumi program names each
 * queue `<prefix>-<suffix>`, and the policy pack checks the rate by the name's suffix.
 */
import {
  CAMPAIGN_METRICS_REQUESTS_PER_MINUTE,
  ITERABLE_EXPORTS_PER_MINUTE,
} from '../functions/src/iterable/limits.js';

export const QUEUE_KINDS = {
  /** One window export per task: 4 a minute, shared by every export of the project. */
  windows: { suffix: 'windows', requestsPerMinute: ITERABLE_EXPORTS_PER_MINUTE },
  /** One `GET /api/campaigns/metrics` per task: 10 a minute. */
  campaignMetrics: { suffix: 'campaign-metrics', requestsPerMinute: CAMPAIGN_METRICS_REQUESTS_PER_MINUTE },
} as const;

export type QueueKind = keyof typeof QUEUE_KINDS;

/** The limit a queue of this name must keep to; a name of no known kind gets the export limit, the lowest. */
export function queueLimitPerMinute(name: string): number {
  const kind = Object.values(QUEUE_KINDS).find((k) => name.endsWith(`-${k.suffix}`));
  return kind?.requestsPerMinute ?? ITERABLE_EXPORTS_PER_MINUTE;
}
