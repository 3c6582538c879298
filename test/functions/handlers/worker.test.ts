import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { IterableClient } from '../../../functions/src/iterable/client.js';
import type { LogEntry } from '../../../functions/src/log.js';
import { FUNCTION_NAMES, registerWorker } from '../../../functions/src/register.js';
import { DAY } from '../../../functions/src/time.js';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { JsonFileStateStore } from '../../../local/json-state-store.js';
import { FROM, loadedPayloads, type Simulator, simulator, tempWarehouse } from '../../support/pipeline.js';

const WINDOW = { start: FROM, end: FROM + 6 * 3600_000 };
const task = (overrides: Record<string, unknown> = {}) => ({
  stream: 'email_send',
  start: new Date(WINDOW.start).toISOString(),
  end: new Date(WINDOW.end).toISOString(),
  kind: 'advance',
  ...overrides,
});

describe('the worker function through the Functions Framework', () => {
  let sim: Simulator;
  let warehouse: DuckDbWarehouse;
  let state: JsonFileStateStore;
  let server: Server;
  let url = '';
  const logs: LogEntry[] = [];

  before(async () => {
    sim = await simulator({ days: 1, events: 3000 });
    const file = tempWarehouse();
    warehouse = await DuckDbWarehouse.open(file);
    state = await JsonFileStateStore.open(`${file}.state.json`);
    // No in-process retries: each Iterable failure must reach the queue as a status.
    const iterable = new IterableClient({ baseUrl: sim.url, apiKey: 'test-key', retry: { retries: 0 } });
    registerWorker(
      { iterable, warehouse, state, now: Date.now, log: (entry) => logs.push(entry) },
      { leaseMs: 60_000 },
    );
    server = getTestServer(FUNCTION_NAMES.worker);
    // The framework's body parser answers the malformed body's 400 itself, and Express prints that
    // SyntaxError's stack unless the app's env is 'test' (express/lib/application.js, logerror).
    const app = server.listeners('request')[0] as unknown as { set(name: 'env', value: 'test'): void };
    app.set('env', 'test');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await warehouse.close();
    await state.close();
    await sim.close();
  });

  const post = (body: unknown, taskName = 'task-1') =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cloudtasks-taskname': taskName },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const invalid: [string, unknown][] = [
    ['an unknown stream', task({ stream: 'email_sends' })],
    ['a window that ends before it starts', task({ end: new Date(WINDOW.start - 1000).toISOString() })],
    ['a time without a zone', task({ start: '2026-10-01T00:00:00' })],
    ['an extra field', task({ table: 'iterable_raw.users' })],
    ['an unknown kind', task({ kind: 'everything' })],
  ];
  for (const [name, body] of invalid) {
    it(`answers 200 to ${name}, which can never succeed, so the queue does not retry it`, async () => {
      const response = await post(body);
      assert.equal(response.status, 200);
      const answer = (await response.json()) as { outcome: string; error: string };
      assert.equal(answer.outcome, 'rejected');
      assert.match(answer.error, /invalid task/);
    });
  }

  it('leaves a body that is not JSON to the Functions Framework, which answers 400 before the handler runs', async () => {
    // The fan-out only ever enqueues JSON; Cloud Tasks retries this up to the queue's max attempts.
    assert.equal((await post('{"stream":')).status, 400);
  });

  it('answers 429 with Retry-After when Iterable rate-limits, and 503 when it fails', async () => {
    sim.faults.failNext('rateLimitBurst', 1);
    const limited = await post(task({ stream: 'email_open' }));
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.deepEqual(
      logs.map((e) => [e.severity, e.message.startsWith('waiting')]).at(-1),
      ['WARNING', true],
      'waiting for the export limit is a warning, not an error',
    );
    sim.faults.failNext('rateLimitBurst', 0);

    sim.faults.failNext('serverError', 1);
    const failed = await post(task({ stream: 'email_click' }));
    assert.equal(failed.status, 503);
    assert.equal(logs.at(-1)?.severity, 'ERROR');
    sim.faults.failNext('serverError', 0);
  });

  it('answers 200 when Iterable refuses the key, and marks the window failed for good in the ledger', async () => {
    sim.faults.failNext('revokedKey', 1);
    const refused = task({ stream: 'email_complaint' });
    const response = await post(refused);
    assert.equal(response.status, 200, 'Cloud Tasks retries anything else');
    const answer = (await response.json()) as { outcome: string; error: string };
    assert.equal(answer.outcome, 'failed-permanently');
    assert.match(answer.error, /401/);
    assert.doesNotMatch(answer.error, /test-key/);
    const record = (await state.read('email_complaint')).windows.find((w) => w.start === WINDOW.start);
    assert.equal(record?.status, 'failed');
    assert.equal(record?.permanent, true);
    sim.faults.failNext('revokedKey', 0);
    const retried = await post(refused, 'next-run');
    assert.equal(retried.status, 200);
    assert.equal(
      ((await retried.json()) as { outcome: string }).outcome,
      'loaded',
      'the next plan may try again',
    );
  });

  it('loads a window once however often and however concurrently it is delivered', async () => {
    const [first, second] = await Promise.all([post(task(), 'a'), post(task(), 'b')]);
    const outcomes = [first, second].map((r) => r.status).sort();
    assert.deepEqual(outcomes, [200, 200], 'a busy window is no error: the other delivery finishes it');
    const answers = await Promise.all([first, second].map((r) => r.json() as Promise<{ outcome: string }>));
    assert.deepEqual(
      answers.map((a) => a.outcome).filter((o) => o !== 'loaded'),
      answers.some((a) => a.outcome === 'busy') ? ['busy'] : ['already-done'],
    );
    const again = await post(task(), 'c');
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { outcome: string }).outcome, 'already-done');

    const expected = sim.truth.lines('email_send', WINDOW).sort();
    assert.ok(expected.length > 0);
    assert.deepEqual(await loadedPayloads(warehouse, 'email_send', WINDOW), expected);
  });

  it('splits a window whose export was cut off twice, and records the split in the ledger', async () => {
    const bounces = task({ stream: 'email_bounce', end: new Date(FROM + DAY).toISOString() });
    sim.faults.failNext('cutOff', 2);
    assert.equal((await post(bounces)).status, 503);
    assert.equal((await post(bounces)).status, 503);
    const third = await post(bounces);
    assert.equal(third.status, 200);
    const record = (await state.read('email_bounce')).windows.find((w) => w.start === WINDOW.start);
    assert.equal(record?.cuts, 2);
    assert.equal(record?.pieces, 2);
    const expected = sim.truth.lines('email_bounce', { start: WINDOW.start, end: FROM + DAY }).sort();
    assert.ok(expected.length > 0);
    assert.deepEqual(await loadedPayloads(warehouse, 'email_bounce'), expected);
  });

  it('puts a record that fails validation into the rejects table and still completes the window', async () => {
    const start = FROM + 6 * 3600_000;
    const bad = `{"createdAt":"${new Date(start + 60_000).toISOString()}","email":"x@example.com","campaignId":"not-a-number"}`;
    sim.addRecord('email_send', bad);
    const response = await post(
      task({ start: new Date(start).toISOString(), end: new Date(FROM + DAY / 2).toISOString() }),
    );
    assert.equal(response.status, 200);
    const rejects = await warehouse.query<{ stream: string; line: string; reason: string }>(
      "select stream, line, reason from iterable_raw.rejects where stream = 'email_send'",
    );
    assert.equal(rejects.length, 1);
    assert.equal(rejects[0]?.line, bad);
    assert.match(rejects[0]?.reason ?? '', /campaignId/);
    const loaded = await loadedPayloads(warehouse, 'email_send', { start, end: FROM + DAY / 2 });
    const expected = sim.truth.lines('email_send', { start, end: FROM + DAY / 2 }).filter((l) => l !== bad);
    assert.deepEqual(loaded, expected.sort());
  });
});
