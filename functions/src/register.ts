/**
 * Registers the HTTP functions with the Functions Framework over whichever adapters the
 * runtime provides: GCP ones when deployed (`index.ts`), local ones under `npm start`.
 */
import { http } from '@google-cloud/functions-framework';
import type { NotifyDeps, NotifySettings } from './anomalies/notify.js';
import { type ApiDeps, type ApiSettings, apiHandler } from './api/handler.js';
import { campaignMetricsHandler } from './handlers/campaign-metrics.js';
import { collectorHandler } from './handlers/collector.js';
import { fanoutHandler } from './handlers/fanout.js';
import { withCampaignMetricsPlan } from './handlers/fanout-campaign-metrics.js';
import { forgetHandler } from './handlers/forget.js';
import { notifierHandler } from './handlers/notifier.js';
import { workerHandler } from './handlers/worker.js';
import type { CollectDeps } from './live/collect.js';
import type { CampaignMetricsPlanDeps } from './pipeline/campaign-metrics-plan.js';
import type { CampaignMetricsRefreshDeps } from './pipeline/campaign-metrics-refresh.js';
import { CAMPAIGN_METRICS_PATH } from './pipeline/campaign-metrics-task.js';
import type { FanoutDeps, FanoutSettings } from './pipeline/fanout.js';
import type { ForgetDeps } from './pipeline/forget.js';
import type { LoadDeps, LoadSettings } from './pipeline/load-window.js';

export const FUNCTION_NAMES = {
  fanout: 'fanout',
  worker: 'worker',
  collector: 'collector',
  api: 'api',
  notifier: 'notifier',
  forget: 'forget',
} as const;

/**
 * The worker serves window tasks at `/` and, where Iterable's campaign totals are fetched by
 * tasks (on GCP; the local run reads them after loading), campaign metrics tasks at their path.
 */
export function registerWorker(
  deps: LoadDeps,
  settings: Omit<LoadSettings, 'runId'>,
  campaignMetrics: CampaignMetricsRefreshDeps | null = null,
): void {
  const windows = workerHandler(deps, settings);
  const metrics = campaignMetrics === null ? null : campaignMetricsHandler(campaignMetrics);
  http(FUNCTION_NAMES.worker, (req, res) =>
    metrics !== null && req.path === CAMPAIGN_METRICS_PATH ? metrics(req, res) : windows(req, res),
  );
}

/** With `campaignMetrics` (on GCP), the scheduled run also enqueues Iterable's campaign totals. */
export function registerFanout(
  deps: FanoutDeps,
  settings: FanoutSettings,
  campaignMetrics: CampaignMetricsPlanDeps | null = null,
): void {
  const fanout = fanoutHandler(deps, settings);
  http(
    FUNCTION_NAMES.fanout,
    campaignMetrics === null ? fanout : withCampaignMetricsPlan(fanout, campaignMetrics, settings),
  );
}

export function registerCollector(deps: CollectDeps): void {
  http(FUNCTION_NAMES.collector, collectorHandler(deps));
}

export function registerApi(deps: ApiDeps, settings: ApiSettings): void {
  http(FUNCTION_NAMES.api, apiHandler(deps, settings));
}

export function registerNotifier(deps: NotifyDeps, settings: NotifySettings): void {
  http(FUNCTION_NAMES.notifier, notifierHandler(deps, settings));
}

export function registerForget(deps: ForgetDeps): void {
  http(FUNCTION_NAMES.forget, forgetHandler(deps));
}
