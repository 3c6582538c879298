/**
 * The worker's `/campaign-metrics` path, called by Cloud Tasks with one campaign metrics task
 * from its own queue. Thin, and answered as the window tasks are (worker.ts says why): a task
 * that can never succeed (an invalid payload, a request Iterable refuses) is answered 200 and
 * logged at ERROR, since Cloud Tasks retries every other answer; a failure a retry can fix is 429
 * with Retry-After, or 5xx.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { IterableError } from '../iterable/errors.js';
import {
  type CampaignMetricsRefreshDeps,
  refreshCampaignMetrics,
} from '../pipeline/campaign-metrics-refresh.js';
import { CampaignMetricsTaskSchema } from '../pipeline/campaign-metrics-task.js';
import { describeIssues } from '../schema-parts.js';
import { failureResponse } from './failure.js';

export function campaignMetricsHandler(deps: CampaignMetricsRefreshDeps): HttpFunction {
  return async (req, res) => {
    const parsed = CampaignMetricsTaskSchema.safeParse(req.body);
    if (!parsed.success) {
      const rejected = {
        outcome: 'rejected',
        error:
          'invalid campaign metrics task: expected {campaignIds: 1 to 80 ids, start, end} with ISO times',
        issues: describeIssues(parsed.error, '(body)'),
      };
      deps.log({ severity: 'ERROR', message: `${rejected.error}; not retried`, issues: rejected.issues });
      res.status(200).json(rejected);
      return;
    }
    try {
      res.status(200).json({ outcome: 'done', ...(await refreshCampaignMetrics(deps, parsed.data)) });
    } catch (error) {
      if (error instanceof IterableError && !error.retryable) {
        deps.log({ severity: 'ERROR', message: `campaign metrics failed for good: ${error.message}` });
        res.status(200).json({ outcome: 'failed', error: error.message });
        return;
      }
      const failure = failureResponse(error);
      if (failure.retryAfterSeconds !== null) res.set('Retry-After', String(failure.retryAfterSeconds));
      res.status(failure.status).json({ error: failure.message });
    }
  };
}
