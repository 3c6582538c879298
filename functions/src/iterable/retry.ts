/**
 * Retry of one Iterable request, with exponential backoff and full jitter.
 *
 * Attempt n (0-based) that fails with a retryable error waits
 *     random() × min(maxDelayMs, minDelayMs × factor^n)
 * before attempt n + 1 ("full jitter", aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter),
 * so clients that failed together do not retry together. A 429 with `Retry-After` waits exactly
 * that long instead. When the wait asked for is longer than `maxDelayMs`, or the retries are
 * spent, the error goes to the caller: in the worker that becomes a 429/5xx and the task queue
 * retries later, without holding a function instance while it waits.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { retrying } from '../retrying.js';
import { IterableError, IterableRefusedError } from './errors.js';

export interface RetryOptions {
  /** Retries after the first attempt; 0 disables retrying. */
  readonly retries: number;
  /** Backoff ceiling of the first retry. */
  readonly minDelayMs: number;
  /** Longest single wait; also the longest `Retry-After` honoured in-process. */
  readonly maxDelayMs: number;
  /** Growth of the backoff ceiling per attempt. */
  readonly factor: number;
  /**
   * Retries of a refused connection or an unknown host (`IterableRefusedError`): a wrong address
   * rarely heals, so a user learns of it in seconds; a restarting server still gets a chance.
   */
  readonly refusedRetries: number;
}

/**
 * Four retries over at most ~1 + 2 + 4 + 8 s: covers Iterable's sporadic 500s and brief 429s;
 * a refused connection two, over at most ~1 + 2 s.
 */
export const DEFAULT_RETRY: RetryOptions = {
  retries: 4,
  minDelayMs: 1000,
  maxDelayMs: 30_000,
  factor: 2,
  refusedRetries: 2,
};

export interface RetryHooks {
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /** Called before each wait, for logs: which attempt failed, how, and how long until the next. */
  readonly onRetry?: (event: { attempt: number; error: IterableError; delayMs: number }) => void;
  readonly signal?: AbortSignal;
}

/** The wait before the retry that follows failed attempt `attempt`, or `null` to give up. */
export function retryDelay(
  error: unknown,
  attempt: number,
  options: RetryOptions,
  random: () => number,
): number | null {
  if (!(error instanceof IterableError) || !error.retryable || attempt >= options.retries) return null;
  if (error instanceof IterableRefusedError && attempt >= options.refusedRetries) return null;
  if (error.retryAfterMs !== null)
    return error.retryAfterMs <= options.maxDelayMs ? error.retryAfterMs : null;
  const ceiling = Math.min(options.maxDelayMs, options.minDelayMs * options.factor ** attempt);
  return Math.round(random() * ceiling);
}

export function withRetry<T>(
  run: (attempt: number) => Promise<T>,
  options: RetryOptions,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const random = hooks.random ?? Math.random;
  return retrying(
    run,
    (error, attempt) => {
      const delayMs = retryDelay(error, attempt, options, random);
      if (delayMs === null || hooks.signal?.aborted) return null;
      hooks.onRetry?.({ attempt, error: error as IterableError, delayMs });
      return delayMs;
    },
    (ms) => sleep(ms, hooks.signal),
  );
}
