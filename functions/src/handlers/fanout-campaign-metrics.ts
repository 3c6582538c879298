/**
 * The scheduled fan-out (no body) also enqueues the campaign metrics tasks, before planning the
 * windows. Kept beside the fan-out handler, not inside it: a failure here (BigQuery unreachable,
 * the queue refusing) is logged at WARNING and the windows are planned all the same, since the
 * reconciliation is a check on the loads, never a reason to stop them. The next run asks again.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { type CampaignMetricsPlanDeps, planCampaignMetrics } from '../pipeline/campaign-metrics-plan.js';
import type { FanoutSettings } from '../pipeline/fanout.js';

export function withCampaignMetricsPlan(
  fanout: HttpFunction,
  deps: CampaignMetricsPlanDeps,
  settings: Pick<FanoutSettings, 'streams' | 'lookbackMs'>,
): HttpFunction {
  return async (req, res) => {
    const scheduled = !req.body || typeof req.body !== 'object' || Object.keys(req.body).length === 0;
    if (scheduled) {
      try {
        await planCampaignMetrics(deps, settings);
      } catch (error) {
        deps.log({
          severity: 'WARNING',
          message: `campaign metrics not enqueued: ${error instanceof Error ? error.message : String(error)}; the next run asks again`,
        });
      }
    }
    return fanout(req, res);
  };
}
