/**
 * The `forget` HTTP function, called once a day by Cloud Scheduler: deletes the rows of every
 * user Iterable has forgotten. Thin: run the step, report what it did. An unreadable forgotten
 * list is reported as warnings with 200, not as a failure to retry: the next day's run reads it again.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { type ForgetDeps, forgetUsers } from '../pipeline/forget.js';

export function forgetHandler(deps: ForgetDeps): HttpFunction {
  return async (_req, res) => {
    try {
      const result = await forgetUsers(deps);
      res.status(200).json({
        listed: result.listed,
        forgotten: result.outcome?.forgotten.length ?? 0,
        rowsDeleted: result.outcome?.forgotten.reduce((sum, u) => sum + u.rows, 0) ?? 0,
        unchanged: result.outcome?.unchanged ?? 0,
        warnings: result.warnings,
      });
    } catch (error) {
      // The warehouse failed: nothing was deleted (one transaction); the scheduler's retry or the
      // next day's run forgets them.
      res.status(500).json({ error: error instanceof Error ? error.message : String(error) });
    }
  };
}
