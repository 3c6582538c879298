/**
 * What the fan-out enqueues for the reconciliation (`campaign_reconciliation`): Iterable's own
 * totals of the campaigns whose events the latest runs loaded, over the whole loaded range, as
 * the local run reads them after loading (local/facts.ts). The range ends where every export
 * stream is loaded (the least watermark) and starts at the earliest loaded window. The campaigns
 * are those with events in the trailing lookback the run re-reads, so each run asks only for
 * campaigns whose counts can have moved; a campaign with no event in that stretch keeps the
 * totals it was last given.
 */
import type { StreamName } from '../catalog.js';
import type { Logger } from '../log.js';
import type { EnqueueResult, StateStore, TaskQueue } from '../ports.js';
import { type CampaignMetricsTask, campaignMetricsTasks } from './campaign-metrics-task.js';
import { exportsLoadedUntil } from './loaded-until.js';

/** The warehouse's answer for the plan (a BigQuery query on GCP). */
export interface LoadedCampaigns {
  /**
   * The start of the earliest loaded window (`null` when nothing is loaded), and the campaigns
   * with an event created in `[changedFrom, until)`.
   */
  campaigns(
    changedFrom: number,
    until: number,
  ): Promise<{ loadedFrom: number | null; campaignIds: number[] }>;
}

export interface CampaignMetricsPlanDeps {
  readonly state: StateStore;
  readonly campaigns: LoadedCampaigns;
  readonly queue: TaskQueue<CampaignMetricsTask>;
  readonly log: Logger;
}

export interface CampaignMetricsPlan {
  /** `[start, end)` as ISO instants, or null when no range is loaded yet. */
  readonly range: { readonly start: string; readonly end: string } | null;
  readonly campaigns: number;
  readonly tasks: EnqueueResult;
}

export async function planCampaignMetrics(
  deps: CampaignMetricsPlanDeps,
  settings: { readonly streams: readonly StreamName[]; readonly lookbackMs: number },
): Promise<CampaignMetricsPlan> {
  const none = { range: null, campaigns: 0, tasks: { created: 0, existing: 0 } };
  const watermarks = new Map(
    await Promise.all(
      settings.streams.map(
        async (s): Promise<[StreamName, number | null]> => [s, (await deps.state.read(s)).watermark],
      ),
    ),
  );
  const until = exportsLoadedUntil(watermarks);
  if (until === null) return none;
  const { loadedFrom, campaignIds } = await deps.campaigns.campaigns(until - settings.lookbackMs, until);
  if (loadedFrom === null || loadedFrom >= until) return none;
  const range = { start: loadedFrom, end: until };
  const tasks = await deps.queue.enqueue(campaignMetricsTasks(campaignIds, range));
  deps.log({
    severity: 'INFO',
    message: `campaign metrics: ${campaignIds.length} campaigns in ${tasks.created} new tasks`,
    campaigns: campaignIds.length,
    ...tasks,
  });
  return {
    range: { start: new Date(loadedFrom).toISOString(), end: new Date(until).toISOString() },
    campaigns: campaignIds.length,
    tasks,
  };
}
