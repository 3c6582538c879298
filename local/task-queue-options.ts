/**
 * The local task queue's settings, with Cloud Tasks' meaning and retry arithmetic, and the
 * defaults a laptop run uses.
 */
import { parseRetryAfter } from '../functions/src/iterable/errors.js';
import { ITERABLE_EXPORTS_PER_MINUTE } from '../functions/src/iterable/limits.js';
import type { WindowTask } from '../functions/src/ports.js';

/** What the queue reports of each dispatch, for progress displays and run tallies. */
interface EventBase {
  readonly name: string;
  readonly payload: WindowTask;
  /** This dispatch's number for the task, from 1. */
  readonly attempt: number;
}

export type QueueEvent =
  | (EventBase & { readonly type: 'dispatched' })
  | (EventBase & { readonly type: 'succeeded'; readonly status: number; readonly body: string })
  | (EventBase & {
      readonly type: 'retrying';
      readonly status: number | null;
      readonly body: string;
      readonly delayMs: number;
    })
  | (EventBase & { readonly type: 'failed'; readonly status: number | null; readonly body: string });

export interface LocalTaskQueueOptions {
  /**
   * Dispatches in any 60 seconds, retries included: each one is an export call to Iterable, which
   * allows ITERABLE_EXPORTS_PER_MINUTE per project. Deployed, the queue's rate limit says the same.
   */
  readonly maxDispatchesPerMinute: number;
  /** Tasks whose request is in flight at once (Cloud Tasks' `maxConcurrentDispatches`). */
  readonly maxConcurrentDispatches: number;
  /** Dispatches of one task, the first included, before it fails for good (Cloud Tasks' `maxAttempts`). */
  readonly maxAttempts: number;
  /** The first retry's delay; it doubles `maxDoublings` times, then grows linearly up to `maxBackoffMs`. */
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxDoublings: number;
  /** How long one dispatch waits for the worker's answer before counting as failed (`dispatchDeadline`). */
  readonly dispatchDeadlineMs: number;
  /**
   * Longest `Retry-After` honoured. Cloud Tasks honours any; the chaos run caps it so a minute's
   * wait for Iterable's rate limit does not dominate a correctness check.
   */
  readonly maxRetryAfterMs: number;
  /** Sent as `X-CloudTasks-QueueName`. */
  readonly queueName: string;
  /** Progress, for displays; called synchronously, so it must not throw. */
  readonly onEvent?: (event: QueueEvent) => void;
}

/**
 * Defaults for a run on a laptop. Cloud Tasks' own defaults (100 attempts, backoff up to an hour)
 * would keep a local run waiting for hours on a window that cannot load; here a failing window
 * gives up after about two minutes, stays failed in the ledger, and the next run plans it again.
 */
export const DEFAULT_QUEUE_OPTIONS: LocalTaskQueueOptions = {
  maxDispatchesPerMinute: ITERABLE_EXPORTS_PER_MINUTE,
  maxConcurrentDispatches: 4,
  maxAttempts: 8,
  minBackoffMs: 1000,
  maxBackoffMs: 60_000,
  maxDoublings: 5,
  dispatchDeadlineMs: 10 * 60_000,
  maxRetryAfterMs: Number.POSITIVE_INFINITY,
  queueName: 'local',
};

/**
 * Delay before retry `n` (1 = the first retry), as Cloud Tasks computes it: `min` doubles
 * `maxDoublings` times, then grows linearly by `min · 2^maxDoublings` per retry, capped at `max`.
 * With min 10 s, max 300 s, 3 doublings: 10, 20, 40, 80, 160, 240, 300, 300 …
 * https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#RetryConfig
 */
export function backoffMs(
  n: number,
  options: Pick<LocalTaskQueueOptions, 'minBackoffMs' | 'maxBackoffMs' | 'maxDoublings'>,
): number {
  const { minBackoffMs, maxBackoffMs, maxDoublings } = options;
  const doublings = n - 1;
  const delay =
    doublings <= maxDoublings
      ? minBackoffMs * 2 ** doublings
      : minBackoffMs * 2 ** maxDoublings * (doublings - maxDoublings + 1);
  return Math.min(maxBackoffMs, delay);
}

/**
 * The wait a 429 or 503 asks for in `Retry-After` (seconds, or an HTTP date), 0 when it asks for
 * none. Cloud Tasks honours it on those two statuses; it is a floor, not capped by the backoff.
 */
export function retryAfterMs(status: number | null, header: string | null, now: number): number {
  return status === 429 || status === 503 ? (parseRetryAfter(header, now) ?? 0) : 0;
}
