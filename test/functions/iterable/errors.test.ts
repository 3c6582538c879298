import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  errorForStatus,
  IterableAuthError,
  IterableRateLimitError,
  IterableRequestError,
  IterableServerError,
  parseRetryAfter,
} from '../../../functions/src/iterable/errors.js';

const CONTEXT = { baseUrl: 'https://api.eu.iterable.com', request: 'GET /api/channels' };

describe('errorForStatus: status → error class', () => {
  const cases: [number, string, new (...args: never[]) => Error, boolean][] = [
    [400, '{"code":"BadParams","msg":"bad dataTypeName"}', IterableRequestError, false],
    [401, '{"code":"BadApiKey","msg":"Invalid API key"}', IterableAuthError, false],
    [403, '{"code":"Forbidden"}', IterableAuthError, false],
    [404, 'not json', IterableRequestError, false],
    [414, '', IterableRequestError, false],
    [429, '{"code":"RateLimitExceeded"}', IterableRateLimitError, true],
    [500, '{"code":"GenericError","msg":"oops"}', IterableServerError, true],
    [503, '', IterableServerError, true],
  ];
  for (const [status, body, type, retryable] of cases) {
    it(`${status} → ${type.name}`, () => {
      const error = errorForStatus(status, body, null, CONTEXT);
      assert.ok(error instanceof type);
      assert.equal(error.status, status);
      assert.equal(error.retryable, retryable);
    });
  }

  it('tells the user a 401 means a key wrong for the region, and how to fix it', () => {
    const error = errorForStatus(401, '{"code":"BadApiKey","msg":"Invalid API key"}', null, CONTEXT);
    assert.match(error.message, /api\.eu\.iterable\.com/);
    assert.match(error.message, /ITERABLE_API_KEY/);
    assert.match(error.message, /ITERABLE_REGION/);
    assert.equal(error.code, 'BadApiKey');
  });

  const limits: [string, RegExp, RegExp | null][] = [
    ['GET /api/export/data.json?dataTypeName=emailSend', /4 per minute per project/, null],
    ['POST /api/export/start', /1 request a second per organization/, /per minute/],
    ['GET /api/export/1234/files?startAfter=a.json', /1 request a second per organization/, /per minute/],
    ['GET /api/campaigns/metrics?campaignId=1', /10 requests a minute/, /4 per minute/],
  ];
  for (const [request, names, notNames] of limits) {
    it(`a 429 of ${request.split('?')[0]} names that endpoint's limit`, () => {
      const { message } = errorForStatus(429, '', null, { ...CONTEXT, request });
      assert.match(message, names);
      if (notNames) assert.doesNotMatch(message, notNames);
    });
  }

  it('carries Retry-After on a 429', () => {
    assert.equal(errorForStatus(429, '', '12', CONTEXT).retryAfterMs, 12_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 1, 12, 0, 0);
  const cases: [string | null, number | null][] = [
    [null, null],
    ['0', 0],
    ['30', 30_000],
    ['Sun, 01 Nov 2026 12:00:45 GMT', 45_000],
    ['Sun, 01 Nov 2026 11:00:00 GMT', 0],
    ['soon', null],
  ];
  for (const [header, expected] of cases) {
    it(`${header} → ${expected}`, () => assert.equal(parseRetryAfter(header, now), expected));
  }
});
