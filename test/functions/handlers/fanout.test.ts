import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { FanoutResult } from '../../../functions/src/pipeline/fanout.js';
import { FUNCTION_NAMES, registerFanout, registerWorker } from '../../../functions/src/register.js';
import { DAY } from '../../../functions/src/time.js';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { JsonFileStateStore } from '../../../local/json-state-store.js';
import { LocalTaskQueue } from '../../../local/task-queue.js';
import {
  FROM,
  fastClient,
  type Simulator,
  silent,
  simulator,
  tempWarehouse,
} from '../../support/pipeline.js';

describe('the fanout function through the Functions Framework', () => {
  let sim: Simulator;
  let warehouse: DuckDbWarehouse;
  let state: JsonFileStateStore;
  let queue: LocalTaskQueue;
  const servers: Server[] = [];
  let url = '';

  async function serve(name: string): Promise<string> {
    const server = getTestServer(name);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  before(async () => {
    sim = await simulator({ days: 2, events: 2000 });
    const file = tempWarehouse();
    warehouse = await DuckDbWarehouse.open(file);
    state = await JsonFileStateStore.open(`${file}.state.json`);
    registerWorker(
      { iterable: fastClient(sim), warehouse, state, now: Date.now, log: silent },
      { leaseMs: 60_000 },
    );
    queue = new LocalTaskQueue(await serve(FUNCTION_NAMES.worker), { maxDispatchesPerMinute: 100_000 });
    // Fixed 6-hour windows, so the plan is known in advance (sized windows: sizing.test.ts).
    const settings = {
      windowMinutes: 6 * 60,
      lagMs: 0,
      lookbackMs: 3600_000,
      historyMs: 30 * DAY,
      staleAfterMs: 3600_000,
      failedRetryDelayMs: 0,
      settleMs: 0,
    };
    registerFanout(
      { state, queue, now: Date.now, log: silent },
      { streams: ['email_send', 'channels'], ...settings },
    );
    url = await serve(FUNCTION_NAMES.fanout);
  });
  after(async () => {
    queue.close();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await warehouse.close();
    await state.close();
    await sim.close();
  });

  const post = (body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const invalid: [string, unknown][] = [
    ['an unknown stream', { streams: ['people'] }],
    ['from after to', { from: '2026-10-03T00:00:00Z', to: '2026-10-01T00:00:00Z' }],
    ['a date that is not ISO', { from: 'last tuesday' }],
    ['an extra field', { dataset: 'other' }],
    ['a backfill without from', { backfill: true }],
    ['a backfill too long for one ledger', { from: '2013-01-01T00:00:00Z', backfill: true }],
  ];
  for (const [name, body] of invalid) {
    it(`answers 400 to ${name}`, async () => {
      const response = await post(body);
      assert.equal(response.status, 400);
    });
  }

  it('enqueues one task per window, and nothing new when asked again for the same plan', async () => {
    const range = { from: new Date(FROM).toISOString(), to: new Date(FROM + DAY).toISOString() };
    const first = await post(range);
    assert.equal(first.status, 200);
    const plan = (await first.json()) as FanoutResult;
    const sends = plan.streams.find((s) => s.stream === 'email_send');
    assert.equal(sends?.windows, 4, 'one day of 6-hour windows');
    assert.equal(plan.created, 5, 'four send windows and one channels snapshot');

    // The windows are pending in the ledger and their tasks queued: nothing is planned twice.
    const second = (await (await post(range)).json()) as FanoutResult;
    assert.equal(second.created, 0);

    const summary = await queue.drain();
    assert.equal(summary.failed, 0);
    assert.equal((await state.read('email_send')).watermark, FROM + DAY);
  });
});
