import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STREAMS } from '../../functions/src/catalog.js';
import { DAY } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { JsonFileStateStore } from '../../local/json-state-store.js';
import { stateFileOf } from '../../local/run.js';
import {
  assertMatchesTruth,
  FROM,
  run,
  type Simulator,
  simulator,
  tempWarehouse,
} from '../support/pipeline.js';

describe('a local run against the simulator', () => {
  let sim: Simulator;
  before(async () => {
    sim = await simulator({ days: 4, events: 8000 });
  });
  after(async () => {
    await sim.close();
  });

  it('loads exactly the records the simulator holds, despite 429s, 500s and cut-off bodies', async () => {
    const warehouse = tempWarehouse();
    sim.faults.set({ rateLimitBurst: 0.15, serverError: 0.1, cutOff: 0.1 });
    const before = { ...sim.stats.faults };
    try {
      const result = await run(sim, warehouse, { from: FROM, to: FROM + 3 * DAY });
      assert.equal(result.queue.failed, 0);
      assert.ok(result.queue.attempts > result.queue.succeeded, 'faults made the queue retry');
    } finally {
      sim.faults.set({ rateLimitBurst: 0, serverError: 0, cutOff: 0 });
    }
    for (const kind of ['rateLimitBurst', 'serverError', 'cutOff'] as const) {
      assert.ok((sim.stats.faults[kind] ?? 0) > (before[kind] ?? 0), `${kind} faults were injected`);
    }
    await assertMatchesTruth(sim, warehouse, { start: FROM, end: FROM + 3 * DAY });
  });

  it('continues from the watermarks on a second run, without duplicating a row', async () => {
    const warehouse = tempWarehouse();
    // Fixed 6-hour windows, so each plan is known in advance (sized ones: the test above).
    const sixHours = { windowMinutes: 6 * 60 };
    await run(sim, warehouse, { from: FROM, to: FROM + 2 * DAY + 5 * 3600_000 }, sixHours);
    const second = await run(sim, warehouse, { from: FROM, to: FROM + 4 * DAY }, sixHours);
    await assertMatchesTruth(sim, warehouse, { start: FROM, end: FROM + 4 * DAY });

    const state = await JsonFileStateStore.open(stateFileOf(warehouse));
    try {
      const sends = await state.read('email_send');
      assert.equal(sends.watermark, FROM + 4 * DAY);
      const planned = second.plan.streams.find((s) => s.stream === 'email_send');
      // [05:00, 06:00) to reach the 6-hour grid, 7 windows on it up to day 4, plus one lookback window.
      assert.equal(planned?.windows, 9);
    } finally {
      await state.close();
    }

    const third = await run(sim, warehouse, { from: FROM, to: FROM + 4 * DAY }, sixHours);
    // Nothing left to advance over: only the trailing lookback is read again, one window per export stream.
    const exportStreams = STREAMS.filter((s) => s.source.kind === 'export').length;
    assert.equal(third.plan.created, exportStreams, 'a repeated run re-reads the lookback and nothing else');
    await assertMatchesTruth(sim, warehouse, { start: FROM, end: FROM + 4 * DAY });
  });

  it('keeps what was loaded when a later run cannot reach Iterable', async () => {
    const warehouse = tempWarehouse();
    await run(sim, warehouse, { from: FROM, to: FROM + DAY }, { streams: ['email_send'] });
    const db = await DuckDbWarehouse.open(warehouse);
    const count = async () =>
      (await db.query<{ n: number }>('select count(*)::int as n from iterable_raw.email_send_raw'))[0]?.n;
    const loaded = await count();
    await db.close();
    assert.ok((loaded ?? 0) > 0);

    sim.faults.failNext('serverError', 1000);
    try {
      const result = await run(
        sim,
        warehouse,
        { from: FROM, to: FROM + 2 * DAY },
        { streams: ['email_send'], queue: { maxAttempts: 2, minBackoffMs: 1, maxBackoffMs: 2 } },
      );
      assert.ok(result.queue.failed > 0);
    } finally {
      sim.faults.failNext('serverError', 0);
    }
    const reopened = await DuckDbWarehouse.open(warehouse);
    const after = (
      await reopened.query<{ n: number }>('select count(*)::int as n from iterable_raw.email_send_raw')
    )[0]?.n;
    await reopened.close();
    assert.equal(after, loaded);
    const state = await JsonFileStateStore.open(stateFileOf(warehouse));
    const sends = await state.read('email_send');
    await state.close();
    assert.equal(sends.watermark, FROM + DAY, 'the watermark stays before the failed windows');
    assert.ok(sends.windows.some((w) => w.status === 'failed' && w.lastError?.includes('500')));
  });
});
