/**
 * The `worker` HTTP function, called by Cloud Tasks with one window task. Thin: validate the
 * payload, load the window, and map the outcome to a status the queue understands.
 *
 * Cloud Tasks retries every answer outside 2xx, 4xx included, and slows the whole queue down
 * when many fail ("If any other HTTP response code is returned… the task will be retried", and
 * "if… the rate of errors is high, Cloud Tasks will use a higher backoff rate": the v2
 * `HttpRequest` reference, https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#httprequest).
 * So only a failure a retry can fix is answered as one (429 with Retry-After, 5xx); a task that can never succeed
 * (an invalid payload, a request Iterable refuses) is answered 200, logged at ERROR and, for a
 * window, marked failed for good in the ledger, where `status` shows it. A window another
 * delivery holds is answered 200 too: that delivery finishes it, or its lease lapses and the next
 * fan-out plans it again, so a retry here would only add load and error rate.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { type LoadDeps, type LoadSettings, loadWindow } from '../pipeline/load-window.js';
import { TaskPayloadSchema } from '../pipeline/task.js';
import { describeIssues } from '../schema-parts.js';
import { failureResponse } from './failure.js';

/** Cloud Tasks names each delivery's task in this header; the name identifies the load run. */
const TASK_NAME_HEADER = 'x-cloudtasks-taskname';

export function workerHandler(deps: LoadDeps, settings: Omit<LoadSettings, 'runId'>): HttpFunction {
  return async (req, res) => {
    const parsed = TaskPayloadSchema.safeParse(req.body);
    if (!parsed.success) {
      const rejected = {
        outcome: 'rejected',
        error:
          'invalid task payload: expected {stream, start, end, kind} with a catalog stream and an ISO window',
        issues: describeIssues(parsed.error, '(body)'),
      };
      deps.log({ severity: 'ERROR', message: `${rejected.error}; not retried`, issues: rejected.issues });
      res.status(200).json(rejected);
      return;
    }
    const runId = req.get(TASK_NAME_HEADER) ?? `manual-${deps.now()}`;
    try {
      res.status(200).json(await loadWindow(deps, { ...settings, runId }, parsed.data));
    } catch (error) {
      const failure = failureResponse(error);
      if (failure.retryAfterSeconds !== null) res.set('Retry-After', String(failure.retryAfterSeconds));
      res.status(failure.status).json({ error: failure.message });
    }
  };
}
