/**
 * The `worker` HTTP function, called by Cloud Tasks with one window task. Thin: validate the
 * payload, load the window, and map the outcome to a status the queue understands
 * (2xx done; 409 and 429 retry later; 5xx retry with backoff; 400 a task that can never succeed).
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
      res.status(400).json({
        error:
          'invalid task payload: expected {stream, start, end, kind} with a catalog stream and an ISO window',
        issues: describeIssues(parsed.error, '(body)'),
      });
      return;
    }
    const runId = req.get(TASK_NAME_HEADER) ?? `manual-${deps.now()}`;
    try {
      const result = await loadWindow(deps, { ...settings, runId }, parsed.data);
      if (result.outcome === 'busy') {
        // Another delivery of this window holds the lease; the queue retries after its backoff.
        res.status(409).json(result);
        return;
      }
      res.status(200).json(result);
    } catch (error) {
      const failure = failureResponse(error);
      if (failure.retryAfterSeconds !== null) res.set('Retry-After', String(failure.retryAfterSeconds));
      res.status(failure.status).json({ error: failure.message });
    }
  };
}
