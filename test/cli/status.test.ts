/**
 * `npm run status` on this machine: the per-stream figures from a ledger, the counts from the
 * warehouse after a real run, and the command's exit codes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { localStatus } from '../../cli/status-local.js';
import { streamStatus } from '../../cli/status-model.js';
import { duration, statusReport } from '../../cli/status-report.js';
import { applyClaim, applyFail } from '../../functions/src/pipeline/ledger.js';
import type { StreamState, WindowRecord } from '../../functions/src/ports.js';
import { DAY } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { JsonFileStateStore } from '../../local/json-state-store.js';
import { stateFileOf } from '../../local/run.js';
import { DEFAULT_DATASETS } from '../../sql/datasets.js';
import { FROM, run, type Simulator, simulator, tempWarehouse } from '../support/pipeline.js';

const exec = promisify(execFile);
const H = 3600_000;

const record = (over: Partial<WindowRecord>): WindowRecord => ({
  stream: 'email_send',
  start: FROM,
  end: FROM + 6 * H,
  kind: 'advance',
  status: 'done',
  attempts: 1,
  generation: 0,
  updatedAt: FROM,
  leaseUntil: null,
  lastError: null,
  cuts: 0,
  pieces: 1,
  rows: 1,
  rejects: 0,
  ...over,
});

describe('streamStatus', () => {
  const state: StreamState = {
    watermark: FROM + 6 * H,
    windows: [
      record({}),
      record({
        start: FROM + 6 * H,
        end: FROM + 12 * H,
        status: 'failed',
        lastError: 'old',
        updatedAt: FROM + H,
      }),
      record({
        start: FROM + 12 * H,
        end: FROM + 18 * H,
        status: 'failed',
        lastError: 'new',
        updatedAt: FROM + 3 * H,
      }),
      record({ start: FROM + 18 * H, end: FROM + 24 * H, status: 'running', updatedAt: FROM + 2 * H }),
      record({ start: FROM + 24 * H, end: FROM + 30 * H, status: 'pending', updatedAt: FROM + 2 * H }),
      record({ start: FROM - 2 * DAY, end: FROM - DAY, kind: 'settle' }),
      record({ start: FROM - DAY, end: FROM, kind: 'settle', status: 'pending' }),
    ],
  };
  const cases: [string, Partial<ReturnType<typeof streamStatus>>][] = [
    ['the lag is now − watermark', { watermark: FROM + 6 * H, lagMs: 4 * H }],
    ['windows are counted by status', { pending: 2, running: 1, failed: 2 }],
    ['the settled day is the latest done settle window’s', { settledUntil: FROM - DAY }],
    ['the last error is the latest failure’s', { lastError: 'new' }],
    ['the last run is the ledger’s latest change', { lastRunAt: FROM + 3 * H }],
    ['counts come from the warehouse', { rows: 10, rejects: 2 }],
  ];
  const status = streamStatus('email_send', state, { rows: 10, rejects: 2 }, FROM + 10 * H);
  for (const [name, want] of cases) {
    it(name, () => assert.deepEqual({ ...status, ...want }, status));
  }
  it('has no lag and no last run before the first plan', () => {
    const empty = streamStatus('email_send', { watermark: null, windows: [] }, null, FROM);
    assert.deepEqual(
      [empty.lagMs, empty.lastRunAt, empty.rows, empty.settledUntil],
      [null, null, null, null],
    );
  });
});

describe('duration', () => {
  const cases: [number | null, string][] = [
    [null, '-'],
    [0, '0s'],
    [40_000, '40s'],
    [2 * H + 15 * 60_000 + 5000, '2h 15m'],
    [2 * H + 30_000, '2h'],
    [3 * DAY + 4 * H, '3d 4h'],
  ];
  for (const [ms, text] of cases) it(`${ms} → ${text}`, () => assert.equal(duration(ms), text));
});

describe('npm run status, locally', () => {
  let sim: Simulator;
  const file = tempWarehouse();
  before(async () => {
    sim = await simulator({ days: 1, events: 1000 });
    await run(
      sim,
      file,
      { from: FROM, to: FROM + DAY },
      { streams: ['email_send', 'email_open', 'channels'] },
    );
  });
  after(async () => {
    await sim.close();
  });

  const status = (args: string[]) =>
    exec(process.execPath, ['--import', 'tsx', 'cli/status.ts', ...args], {
      env: { PATH: process.env.PATH ?? '' },
    }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );

  it('reports each stream’s watermark and the warehouse’s counts', async () => {
    const report = await localStatus(
      file,
      DEFAULT_DATASETS,
      ['email_send', 'email_click', 'channels'],
      FROM + DAY,
    );
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      const [send, click, channels] = report.streams;
      assert.equal(send?.watermark, FROM + DAY);
      assert.equal(send?.lagMs, 0);
      assert.equal(send?.rows, await warehouse.countRows('email_send'));
      assert.deepEqual([send?.pending, send?.running, send?.failed], [0, 0, 0]);
      assert.deepEqual([click?.watermark, click?.rows], [null, 0], 'a stream never loaded');
      assert.ok((channels?.rows ?? 0) > 0);
      assert.equal(report.note, null);
    } finally {
      await warehouse.close();
    }
  });

  it('exits 0 when nothing failed, 1 once a window has failed, and lists the error', async () => {
    assert.equal(await status(['--warehouse', file]), 0);
    const state = await JsonFileStateStore.open(stateFileOf(file));
    const window = { start: FROM + DAY, end: FROM + DAY + 6 * H, kind: 'advance' as const };
    await state.update('email_open', (s) => applyClaim(s, 'email_open', window, FROM, H));
    await state.update('email_open', (s) =>
      applyFail(s, 'email_open', window, { error: 'Iterable answered 500', cut: false, pieces: 1 }, FROM),
    );
    await state.close();
    assert.equal(await status(['--warehouse', file]), 1);
    const report = await localStatus(file, DEFAULT_DATASETS, ['email_open'], FROM + DAY);
    assert.match(statusReport(report, 'test'), /email_open: 1 failed, last error: Iterable answered 500/);
  });

  it('exits 2 with no warehouse, or an unknown flag', async () => {
    assert.equal(await status(['--warehouse', `${file}.missing`]), 2);
    assert.equal(await status(['--wherehouse', file]), 2);
  });
});
