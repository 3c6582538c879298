/**
 * The deployed worker's Iterable as `functions/src/index.ts` wires it (`windowSource`), served by
 * the Functions Framework and called as Cloud Tasks calls it, against the simulator over HTTP:
 * a bulk history window is read by an export job, a recent one by the streaming export, a key
 * without export jobs falls back to streaming with one WARNING, and a forced `stream` never tries.
 */
import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { instanceJobLimiter, jobWaitMs, windowSource } from '../../../functions/src/gcp/iterable-source.js';
import type { ExportMode } from '../../../functions/src/iterable/export-modes.js';
import { SharedJobLimiter } from '../../../functions/src/iterable/job-limiter.js';
import { NO_PACING } from '../../../functions/src/iterable/pacer.js';
import type { LogEntry } from '../../../functions/src/log.js';
import type { WindowKind } from '../../../functions/src/pipeline/window.js';
import { FUNCTION_NAMES, registerWorker } from '../../../functions/src/register.js';
import { DAY } from '../../../functions/src/time.js';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { JsonFileStateStore } from '../../../local/json-state-store.js';
import type { JobsAccess } from '../../../simulator/job-routes.js';
import { startSimulator } from '../../../simulator/server.js';
import { FROM, tempWarehouse } from '../../support/pipeline.js';

/** Ten days after the simulated data: its first days are bulk history. */
const NOW = FROM + 10 * DAY;
const OLD = { start: FROM, end: FROM + DAY };
const RECENT = { start: NOW - DAY, end: NOW - DAY / 2 };

interface Worker {
  readonly sim: Awaited<ReturnType<typeof startSimulator>>;
  readonly logs: LogEntry[];
  load(
    window: { start: number; end: number },
    kind: WindowKind,
  ): Promise<{ outcome: string; counts?: { rows: number } }>;
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function deployedWorker(mode: ExportMode | null, jobsAccess: JobsAccess = 'allowed'): Promise<Worker> {
  const sim = await startSimulator({
    seed: 5,
    from: FROM,
    to: NOW,
    events: 3000,
    apiKey: 'test-key',
    exportsPerMinute: 1_000_000,
    jobRequestsPerSecond: 1_000_000,
    jobsAccess,
  });
  closers.push(() => sim.close());
  const file = tempWarehouse();
  const warehouse = await DuckDbWarehouse.open(file);
  closers.push(() => warehouse.close());
  const state = await JsonFileStateStore.open(`${file}.state.json`);
  closers.push(() => state.close());
  const logs: LogEntry[] = [];
  const log = (entry: LogEntry) => logs.push(entry);
  const iterable = { apiKey: 'test-key', baseUrl: sim.url, exportsPerMinute: null, exportMode: mode };
  registerWorker(
    {
      // The pacing of one instance (instanceJobLimiter) is checked on its own below.
      iterable: windowSource(iterable, 1800, log, {
        limiter: new SharedJobLimiter({ slots: 1, starts: NO_PACING, listings: NO_PACING }),
        jobs: { pollMs: 20, maxPollMs: 20 },
      }),
      warehouse,
      state,
      now: () => NOW,
      log,
    },
    { leaseMs: 60_000, exportMode: mode },
  );
  const server: Server = getTestServer(FUNCTION_NAMES.worker);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    sim,
    logs,
    load: async (window, kind) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CloudTasks-TaskName': `t-${kind}-${window.start}` },
        body: JSON.stringify({
          stream: 'email_send',
          start: new Date(window.start).toISOString(),
          end: new Date(window.end).toISOString(),
          kind,
        }),
      });
      assert.equal(response.status, 200);
      return (await response.json()) as { outcome: string; counts?: { rows: number } };
    },
  };
}

const rowsOf = (worker: Worker, window: { start: number; end: number }) =>
  worker.sim.truth.lines('email_send', window).length;

describe('the deployed worker reads windows the way their mode says', () => {
  it('reads bulk history by an export job and a recent window by the streaming export', async () => {
    const worker = await deployedWorker(null);
    const old = await worker.load(OLD, 'backfill');
    assert.equal(old.outcome, 'loaded');
    assert.equal(old.counts?.rows, rowsOf(worker, OLD));
    assert.ok(rowsOf(worker, OLD) > 0);
    assert.deepEqual([worker.sim.stats.jobs(), worker.sim.stats.exports], [1, 0]);
    const recent = await worker.load(RECENT, 'advance');
    assert.equal(recent.counts?.rows, rowsOf(worker, RECENT));
    assert.deepEqual([worker.sim.stats.jobs(), worker.sim.stats.exports], [1, 1]);
    assert.deepEqual(
      worker.logs.filter((l) => l.severity === 'WARNING'),
      [],
    );
  });

  for (const access of [401, 403, 404] as const) {
    it(`falls back to streaming exports with one WARNING when export jobs answer ${access}`, async () => {
      const worker = await deployedWorker(null, access);
      for (const window of [OLD, { start: FROM + DAY, end: FROM + 2 * DAY }]) {
        const loaded = await worker.load(window, 'backfill');
        assert.equal(loaded.counts?.rows, rowsOf(worker, window));
      }
      assert.deepEqual([worker.sim.stats.jobs(), worker.sim.stats.exports], [0, 2]);
      const warnings = worker.logs.filter((l) => l.severity === 'WARNING');
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.status, access);
      assert.doesNotMatch(JSON.stringify(worker.logs), /test-key/);
    });
  }

  it('never starts a job when ITERABLE_EXPORT_MODE=stream', async () => {
    const worker = await deployedWorker('stream');
    const old = await worker.load(OLD, 'backfill');
    assert.equal(old.counts?.rows, rowsOf(worker, OLD));
    assert.deepEqual([worker.sim.stats.jobs(), worker.sim.stats.exports], [0, 1]);
  });
});

describe('export jobs paced by one worker instance', () => {
  it('spaces its starts and its file listings 4 s apart: four instances keep the 1 a second', async () => {
    let now = 0;
    const slept: number[] = [];
    const limiter = instanceJobLimiter({
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    for (let i = 0; i < 3; i++) await limiter.listings.wait();
    for (let i = 0; i < 2; i++) await limiter.starts.wait();
    assert.deepEqual(slept, [4000, 4000, 4000], 'the first of each goes at once');
  });

  it('holds one job at a time: the instance serves one task', async () => {
    const limiter = instanceJobLimiter();
    const release = await limiter.acquire();
    let second = false;
    const next = limiter.acquire().then((r) => {
      second = true;
      return r;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(second, false);
    release();
    (await next)();
    assert.equal(second, true);
  });

  it('waits for a window’s jobs two thirds of the worker’s timeout at most', () => {
    assert.equal(jobWaitMs(1800), 20 * 60_000);
    assert.equal(jobWaitMs(600), 400_000);
  });
});
