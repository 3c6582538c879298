import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { StateChange, StreamState, WindowRecord } from '../../functions/src/ports.js';
import { JsonFileStateStore } from '../../local/json-state-store.js';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'state-')), 'sub', 'warehouse.duckdb.state.json');

/** A read-modify-write that loses counts if two of them ever interleave. */
const increment = (s: StreamState): StateChange<number> => {
  const next = (s.watermark ?? 0) + 1;
  return { state: { ...s, watermark: next }, result: next };
};

const record: WindowRecord = {
  stream: 'email_send',
  start: 0,
  end: 1000,
  kind: 'advance',
  status: 'done',
  attempts: 1,
  generation: 0,
  updatedAt: 5,
  leaseUntil: null,
  lastError: null,
  cuts: 0,
  pieces: 1,
  rows: 3,
  rejects: 0,
};

describe('JsonFileStateStore', () => {
  it('starts every stream empty when the file does not exist', async () => {
    const store = await JsonFileStateStore.open(tempFile());
    assert.deepEqual(await store.read('email_open'), { watermark: null, windows: [] });
    await store.close();
  });

  it('serialises 50 concurrent updates, and keeps them across a reopen', async () => {
    const file = tempFile();
    const store = await JsonFileStateStore.open(file);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => store.update('email_send', increment)),
    );
    assert.deepEqual(
      [...results].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    await store.update('email_click', (s) => ({ state: { ...s, windows: [record] }, result: null }));
    await store.close();
    await assert.rejects(store.update('email_send', increment), /closed/);

    const reopened = await JsonFileStateStore.open(file);
    assert.equal((await reopened.read('email_send')).watermark, 50);
    assert.deepEqual(await reopened.read('email_send'), { watermark: 50, windows: [] });
    assert.deepEqual(await reopened.read('email_click'), { watermark: null, windows: [record] });
    assert.deepEqual(await reopened.read('lists'), { watermark: null, windows: [] });
    await reopened.close();
    assert.deepEqual(
      readdirSync(join(file, '..')),
      ['warehouse.duckdb.state.json'],
      'no temporary file is left',
    );
  });

  it('changes nothing when a change throws, and goes on with the next update', async () => {
    const file = tempFile();
    const store = await JsonFileStateStore.open(file);
    await store.update('lists', increment);
    const failing = store.update('lists', () => {
      throw new Error('lease held');
    });
    const next = store.update('lists', increment);
    await assert.rejects(failing, /lease held/);
    assert.equal(await next, 2);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).lists.watermark, 2);
    await store.close();
  });

  it('hands out copies, so changing what was read changes nothing stored', async () => {
    const store = await JsonFileStateStore.open(tempFile());
    await store.update('email_send', (s) => ({ state: { ...s, windows: [record] }, result: null }));
    const read = await store.read('email_send');
    (read.windows as WindowRecord[]).pop();
    const failing = store.update('email_send', (s) => {
      (s.windows as WindowRecord[]).pop();
      throw new Error('changed its input, then failed');
    });
    await assert.rejects(failing, /then failed/);
    assert.deepEqual(await store.read('email_send'), { watermark: null, windows: [record] });
    await store.close();
  });

  it('refuses a file that is not a state file, saying what to do', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'state-')), 'bad.json');
    writeFileSync(file, '{"email_send": [1, 2]}');
    await assert.rejects(JsonFileStateStore.open(file), /not a state file.*move it away/);
  });
});
