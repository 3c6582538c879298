/**
 * The campaign metrics task, between the fan-out and the worker: a batch of campaign ids whose
 * totals Iterable is asked for over the loaded range `[start, end)`. One task is one request to
 * `GET /api/campaigns/metrics` (at most 80 ids, shared/iterable-api.md), and the task's own queue
 * dispatches at most 10 a minute, Iterable's limit for that endpoint (infra/task-queue.ts).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CAMPAIGN_METRICS_MAX_IDS } from '../iterable/limits.js';
import type { QueuedTask } from '../ports.js';
import { IsoInstantSchema } from '../schema-parts.js';
import type { Interval } from '../time.js';

/** Where the worker serves these tasks: a path of its own URL, beside the window tasks at `/`. */
export const CAMPAIGN_METRICS_PATH = '/campaign-metrics';

export const CampaignMetricsTaskSchema = z
  .strictObject({
    campaignIds: z.array(z.number().int().positive()).min(1).max(CAMPAIGN_METRICS_MAX_IDS),
    start: IsoInstantSchema,
    end: IsoInstantSchema,
  })
  .refine((t) => t.start < t.end, { message: 'start must be before end' });

export type CampaignMetricsTask = z.input<typeof CampaignMetricsTaskSchema>;
export type ParsedCampaignMetricsTask = z.output<typeof CampaignMetricsTaskSchema>;

/**
 * One task per 80 ids. The name is a hash of the batch and the range: the same plan enqueues
 * nothing new, a later range (the loaded edge moved) asks again. The hash prefix spreads names
 * over Cloud Tasks' key space, as window task names do (`task.ts`).
 */
export function campaignMetricsTasks(
  campaignIds: readonly number[],
  range: Interval,
): QueuedTask<CampaignMetricsTask>[] {
  const ids = [...new Set(campaignIds)].sort((a, b) => a - b);
  const tasks: QueuedTask<CampaignMetricsTask>[] = [];
  for (let k = 0; k < ids.length; k += CAMPAIGN_METRICS_MAX_IDS) {
    const payload = {
      campaignIds: ids.slice(k, k + CAMPAIGN_METRICS_MAX_IDS),
      start: new Date(range.start).toISOString(),
      end: new Date(range.end).toISOString(),
    };
    const hash = createHash('sha256').update(JSON.stringify(payload)).digest('hex').slice(0, 16);
    tasks.push({ name: `${hash}-campaign-metrics-${range.start}-${range.end}`, payload });
  }
  return tasks;
}
