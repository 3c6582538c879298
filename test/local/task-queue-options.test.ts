import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, retryAfterMs } from '../../local/task-queue-options.js';

describe('backoffMs', () => {
  it("follows Cloud Tasks' documented example: doubling, then linear, then capped", () => {
    const options = { minBackoffMs: 10_000, maxBackoffMs: 300_000, maxDoublings: 3 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, options) / 1000),
      [10, 20, 40, 80, 160, 240, 300, 300],
    );
  });

  it('with no doublings grows linearly from the first delay', () => {
    const options = { minBackoffMs: 100, maxBackoffMs: 1000, maxDoublings: 0 };
    assert.deepEqual(
      [1, 2, 3, 12].map((n) => backoffMs(n, options)),
      [100, 200, 300, 1000],
    );
  });
});

describe('retryAfterMs', () => {
  const now = Date.UTC(2026, 9, 1, 12);
  const cases: [string, number | null, string | null, number][] = [
    ['seconds on a 429', 429, '30', 30_000],
    ['seconds on a 503, spaces around', 503, ' 2 ', 2000],
    ['fractional seconds, which RFC 9110 does not allow', 503, '1.5', 0],
    ['an HTTP date', 429, new Date(now + 7000).toUTCString(), 7000],
    ['a date already past', 429, new Date(now - 7000).toUTCString(), 0],
    ['no header', 429, null, 0],
    ['garbage', 503, 'soon', 0],
    ['a 500, which Cloud Tasks does not read it on', 500, '30', 0],
    ['no answer at all', null, null, 0],
  ];
  for (const [name, status, header, expected] of cases) {
    it(name, () => assert.equal(retryAfterMs(status, header, now), expected));
  }
});
