import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_RETRY_DELAY_MS,
  notBefore,
  TaskPayloadSchema,
  taskName,
} from '../../../functions/src/pipeline/task.js';
import type { WindowRecord } from '../../../functions/src/ports.js';

const valid = {
  stream: 'email_open',
  start: '2026-11-01T00:00:00.000Z',
  end: '2026-11-01T06:00:00.000Z',
  kind: 'advance',
};

describe('TaskPayloadSchema', () => {
  it('accepts a catalog stream with an ISO window', () => {
    const parsed = TaskPayloadSchema.parse(valid);
    assert.equal(parsed.start, Date.UTC(2026, 10, 1));
    assert.equal(parsed.end, Date.UTC(2026, 10, 1, 6));
  });
  it('accepts a dimension snapshot spanning years of history, as a first run with a long history plans it', () => {
    const snapshot = {
      stream: 'campaigns',
      start: '2017-01-01T00:00:00Z',
      end: '2026-11-01T00:00:00Z',
      kind: 'advance',
    };
    assert.equal(TaskPayloadSchema.safeParse(snapshot).success, true);
  });
  const invalid: [string, unknown][] = [
    ['an unknown stream', { ...valid, stream: 'email_send; drop table x' }],
    ['an extra field', { ...valid, table: 'other' }],
    ['an end before the start', { ...valid, end: '2026-10-31T00:00:00Z' }],
    ['a missing end', { stream: valid.stream, start: valid.start, kind: valid.kind }],
    ['a non-ISO time', { ...valid, start: '1 Nov 2026' }],
    ['a window before 2013', { ...valid, start: '2001-01-01T00:00:00Z' }],
    ['an export window longer than 400 days', { ...valid, start: '2025-01-01T00:00:00Z' }],
    ['an unknown kind', { ...valid, kind: 'sideways' }],
    ['not an object', 'email_open'],
  ];
  for (const [name, body] of invalid) {
    it(`rejects ${name}`, () => {
      assert.equal(TaskPayloadSchema.safeParse(body).success, false);
    });
  }
});

describe('taskName', () => {
  const record = {
    stream: 'email_open',
    kind: 'advance',
    start: Date.UTC(2026, 10, 1),
    end: Date.UTC(2026, 10, 1, 6),
    generation: 0,
  } as WindowRecord;
  it('is deterministic, differs by generation and fits Cloud Tasks names', () => {
    assert.equal(taskName(record), taskName({ ...record }));
    assert.notEqual(taskName(record), taskName({ ...record, generation: 1 }));
    assert.match(taskName(record), /^[A-Za-z0-9_-]{1,500}$/);
  });
});

describe('notBefore', () => {
  const failed = (generation: number, lastError: string | null) =>
    ({ generation, lastError }) as WindowRecord;
  const MIN = 60_000;
  const cases: [string, WindowRecord, number, number | null][] = [
    ['a fresh window runs at once', failed(0, null), 15 * MIN, null],
    ['a window planned again because its task went quiet runs at once', failed(1, null), 15 * MIN, null],
    ['after the first failure: the base delay', failed(1, 'boom'), 15 * MIN, 15 * MIN],
    ['doubling per generation', failed(3, 'boom'), 15 * MIN, 60 * MIN],
    ['capped', failed(30, 'boom'), 15 * MIN, MAX_RETRY_DELAY_MS],
    ['no delay configured', failed(3, 'boom'), 0, null],
  ];
  for (const [name, record, base, delay] of cases) {
    it(name, () => assert.equal(notBefore(record, 1000, base), delay === null ? null : 1000 + delay));
  }
});
