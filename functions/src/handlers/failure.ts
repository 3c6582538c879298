/**
 * Maps a failed load to the HTTP answer the task queue acts on. Cloud Tasks retries every
 * non-2xx answer with its backoff; a `Retry-After` on a 429 asks it to wait at least that long.
 */
import { IterableError } from '../iterable/errors.js';

export interface FailureResponse {
  readonly status: number;
  readonly message: string;
  readonly retryAfterSeconds: number | null;
}

/** When Iterable rate-limits without saying for how long: its limit is per minute. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

export function failureResponse(error: unknown): FailureResponse {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof IterableError)) return { status: 500, message, retryAfterSeconds: null };
  if (error.status === 429) {
    const seconds =
      error.retryAfterMs === null ? DEFAULT_RETRY_AFTER_SECONDS : Math.ceil(error.retryAfterMs / 1000);
    return { status: 429, message, retryAfterSeconds: seconds };
  }
  // Transient upstream trouble (5xx, cut-off bodies, timeouts). A request Iterable refuses never
  // gets here: the load returns it as failed for good, answered 200 so the queue stops.
  return { status: 503, message, retryAfterSeconds: null };
}
