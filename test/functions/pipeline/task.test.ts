import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskPayloadSchema, taskName } from '../../../functions/src/pipeline/task.js';
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
  const invalid: [string, unknown][] = [
    ['an unknown stream', { ...valid, stream: 'email_send; drop table x' }],
    ['an extra field', { ...valid, table: 'other' }],
    ['an end before the start', { ...valid, end: '2026-10-31T00:00:00Z' }],
    ['a missing end', { stream: valid.stream, start: valid.start, kind: valid.kind }],
    ['a non-ISO time', { ...valid, start: '1 Nov 2026' }],
    ['a window before 2013', { ...valid, start: '2001-01-01T00:00:00Z' }],
    ['an unknown kind', { ...valid, kind: 'backfill' }],
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
