import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IterableAuthError,
  IterableRateLimitError,
  IterableRefusedError,
  IterableServerError,
  IterableTruncatedError,
} from '../../../functions/src/iterable/errors.js';
import { type RetryOptions, retryDelay, withRetry } from '../../../functions/src/iterable/retry.js';

const OPTIONS: RetryOptions = {
  retries: 4,
  minDelayMs: 1000,
  maxDelayMs: 30_000,
  factor: 2,
  refusedRetries: 2,
};
const refused = () => new IterableRefusedError('ECONNREFUSED', { status: null, code: null, retryable: true });
const reset = () => new IterableTruncatedError('ECONNRESET', { status: 200, code: null, retryable: true });
const server = () => new IterableServerError('500', { status: 500, code: 'GenericError', retryable: true });
const rateLimit = (retryAfterMs: number | null) =>
  new IterableRateLimitError('429', {
    status: 429,
    code: 'RateLimitExceeded',
    retryable: true,
    retryAfterMs,
  });
const auth = () => new IterableAuthError('401', { status: 401, code: 'BadApiKey', retryable: false });

/** A clock that never waits: records each requested sleep and advances virtual time. */
function fakeClock() {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
}

describe('retryDelay: error → wait', () => {
  const cases: [string, unknown, number, number | null][] = [
    ['5xx, first retry: full jitter under minDelayMs', server(), 0, 500],
    ['5xx, third retry: ceiling doubled twice', server(), 2, 2000],
    ['5xx, ceiling capped at maxDelayMs', server(), 3, 4000],
    ['5xx after the last retry: give up', server(), 4, null],
    ['429 with Retry-After: exactly that', rateLimit(7000), 0, 7000],
    ['429 without Retry-After: backoff', rateLimit(null), 1, 1000],
    ['429 asking longer than maxDelayMs: hand back to the queue', rateLimit(60_000), 0, null],
    ['401: never retried', auth(), 0, null],
    ['refused connection, second retry: backoff', refused(), 1, 1000],
    ['refused connection after refusedRetries: give up', refused(), 2, null],
    ['a connection reset mid-run keeps every retry', reset(), 3, 4000],
    ['not an Iterable error: never retried', new Error('bug'), 0, null],
  ];
  for (const [name, error, attempt, expected] of cases) {
    it(name, () =>
      assert.equal(
        retryDelay(error, attempt, OPTIONS, () => 0.5),
        expected,
      ),
    );
  }

  it('never exceeds maxDelayMs however many attempts', () => {
    const options = { ...OPTIONS, retries: 50 };
    for (let attempt = 0; attempt < 50; attempt++) {
      assert.ok((retryDelay(server(), attempt, options, () => 0.999) ?? 0) <= options.maxDelayMs);
    }
  });
});

describe('withRetry', () => {
  it('retries retryable failures with backoff, then returns the result', async () => {
    const clock = fakeClock();
    const failures = [server(), rateLimit(3000), server()];
    const seen: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        seen.push(attempt);
        const failure = failures.shift();
        if (failure) throw failure;
        return 'ok';
      },
      OPTIONS,
      { sleep: clock.sleep, random: () => 1 },
    );
    assert.equal(result, 'ok');
    assert.deepEqual(seen, [0, 1, 2, 3]);
    assert.deepEqual(clock.sleeps, [1000, 3000, 4000]);
  });

  it('gives up after the configured retries with the last error', async () => {
    const clock = fakeClock();
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw server();
        },
        OPTIONS,
        { sleep: clock.sleep, random: () => 0 },
      ),
      IterableServerError,
    );
    assert.equal(calls, OPTIONS.retries + 1);
  });

  it('does not retry a wrong key', async () => {
    const clock = fakeClock();
    await assert.rejects(
      withRetry(
        async () => {
          throw auth();
        },
        OPTIONS,
        { sleep: clock.sleep },
      ),
      IterableAuthError,
    );
    assert.deepEqual(clock.sleeps, []);
  });

  it('reports each retry before waiting', async () => {
    const events: { attempt: number; delayMs: number }[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ === 0) throw rateLimit(2000);
        return calls;
      },
      OPTIONS,
      { sleep: async () => {}, onRetry: ({ attempt, delayMs }) => events.push({ attempt, delayMs }) },
    );
    assert.deepEqual(events, [{ attempt: 0, delayMs: 2000 }]);
  });
});
