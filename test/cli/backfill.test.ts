/**
 * `npm run backfill` on this machine: history behind the watermarks loads through the regular
 * fan-out, queue and worker, exactly once, without moving the watermarks; the facts are rebuilt
 * over it; the estimate respects Iterable's export limit; bad flags stop it before anything runs.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { backfillLocal } from '../../cli/backfill-local.js';
import {
  type BackfillProgress,
  jobsEstimateMs,
  planEstimate,
  progressBar,
  timeLeftMs,
} from '../../cli/backfill-progress.js';
import { parseBackfillOptions } from '../../cli/operator-options.js';
import { STREAMS } from '../../functions/src/catalog.js';
import { ConfigError } from '../../functions/src/config.js';
import type { CampaignMetricsSource } from '../../functions/src/pipeline/campaign-metrics-refresh.js';
import { cutWindows } from '../../functions/src/pipeline/plan.js';
import { streamWindowLength } from '../../functions/src/pipeline/sizing.js';
import { DAY, MINUTE } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { JsonFileStateStore } from '../../local/json-state-store.js';
import { stateFileOf } from '../../local/run.js';
import { runModels } from '../../local/sql/models.js';
import { DEFAULT_DATASETS } from '../../sql/datasets.js';
import {
  FROM,
  fastClient,
  run,
  type Simulator,
  silent,
  simulator,
  tempWarehouse,
} from '../support/pipeline.js';

/** Iterable's campaign totals, for backfills whose streams leave the reconciled range empty. */
const NO_METRICS: CampaignMetricsSource = { metrics: async () => [] };
const progress = (over: Partial<BackfillProgress>): BackfillProgress => ({
  planned: 40,
  done: 0,
  failed: 0,
  rows: 0,
  elapsedMs: 0,
  exportsPerMinute: 4,
  ...over,
});

describe('the time a backfill has left', () => {
  const cases: [string, Partial<BackfillProgress>, number][] = [
    ['at the export limit before anything finished', {}, 10 * MINUTE],
    ['never below the limit, however fast windows went', { done: 20, elapsedMs: MINUTE }, 5 * MINUTE],
    ['longer when windows came slower than the limit', { done: 20, elapsedMs: 20 * MINUTE }, 20 * MINUTE],
    ['failed windows are finished too', { done: 30, failed: 10, elapsedMs: MINUTE }, 0],
    ['windows read by export jobs are not paced by the export limit', { jobs: 30 }, 2.5 * MINUTE],
  ];
  for (const [name, over, ms] of cases) it(name, () => assert.equal(timeLeftMs(progress(over)), ms));

  it("estimates export jobs at Iterable's jobs limits: a start a second, four at once, two minutes a job", () => {
    assert.equal(jobsEstimateMs(0), 0);
    assert.equal(jobsEstimateMs(9), 3 * 2 * MINUTE);
    assert.equal(jobsEstimateMs(1000), 250 * 2 * MINUTE);
    assert.match(
      planEstimate(40, 4, 0),
      /^40 windows to load: at least 10m.*\(40 exports ÷ 4 exports\/minute/,
    );
    assert.match(
      planEstimate(40, 4, 36),
      /36 by export jobs and 4 by streaming exports: about 18m.*max\(36 jobs × 1 s a start, ⌈36 ÷ 4 jobs at once⌉ × 2m a job, assumed\)/,
    );
  });

  it('draws a bar of the share finished', () => {
    assert.equal(
      progressBar(progress({ done: 10, rows: 1234, elapsedMs: MINUTE })),
      `[${'#'.repeat(8)}${'-'.repeat(22)}] 25% 10/40 windows, 1,234 rows, ~7m 30s left`,
    );
  });
});

describe('backfill flags', () => {
  const bad: [string, string[], RegExp][] = [
    ['no --from', [], /--from is required/],
    ['--from not before --to', ['--from', '2026-10-03', '--to', '2026-10-01'], /is not before --to/],
    [
      'an unknown stream',
      ['--from', '2026-10-01', '--streams', 'email_send,emails'],
      /unknown stream emails/,
    ],
    ['a date that is not one', ['--from', 'last week'], /not an ISO date/],
  ];
  for (const [name, argv, message] of bad) {
    it(`refuses ${name}`, () =>
      assert.throws(
        () => parseBackfillOptions(argv),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      ));
  }
  it('reads a range, streams and --gcp', () => {
    const options = parseBackfillOptions([
      '--from',
      '2026-10-01',
      '--to',
      '2026-10-02T06:00',
      '--streams',
      'email_send',
      '--gcp',
    ]);
    assert.deepEqual(
      [options.from, options.to, options.streams, options.gcp],
      [Date.UTC(2026, 9, 1), Date.UTC(2026, 9, 2, 6), ['email_send'], true],
    );
  });
});

describe('a local backfill', () => {
  let sim: Simulator;
  const file = tempWarehouse();
  const streams = ['email_send', 'email_open', 'email_click', 'purchase'] as const;
  before(async () => {
    sim = await simulator({ days: 3, events: 3000 });
    // The pipeline started on day 3: days 1 and 2 are history it never read.
    await run(sim, file, { from: FROM + 2 * DAY, to: FROM + 3 * DAY }, { streams: [...streams] });
    const warehouse = await DuckDbWarehouse.open(file);
    await runModels(warehouse, { now: FROM + 3 * DAY });
    await warehouse.close();
  });
  after(async () => {
    await sim.close();
  });

  it('loads the history exactly once, keeps the watermarks, and rebuilds the facts over it', async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    // Windows sized from what the regular run's ledger says of each stream (sizing.ts).
    const before = await JsonFileStateStore.open(stateFileOf(file));
    const sized = await Promise.all(
      streams.map(async (s) =>
        cutWindows(
          FROM,
          FROM + 2 * DAY,
          streamWindowLength(s, (await before.read(s)).windows, null),
          'backfill',
        ),
      ),
    );
    await before.close();
    const result = await backfillLocal({
      iterable: fastClient(sim),
      warehouseFile: file,
      datasets: DEFAULT_DATASETS,
      streams,
      from: FROM,
      to: FROM + 2 * DAY,
      windowMinutes: null,
      exportsPerMinute: 1_000_000,
      metrics: NO_METRICS,
      log: silent,
      out,
      now: () => FROM + 3 * DAY,
      queue: { maxAttempts: 30, minBackoffMs: 5, maxBackoffMs: 50 },
    });
    assert.deepEqual(result.lastErrors, []);
    const planned = sized.reduce((n, windows) => n + windows.length, 0);
    assert.ok(planned < 3 * 8 + 2, 'fewer than two days of 6-hour windows, and of daily ones for purchases');
    assert.equal(result.progress.planned, planned);
    assert.equal(result.progress.done, result.progress.planned);
    assert.match(lines.join(''), new RegExp(`${planned} windows to load`));

    const state = await JsonFileStateStore.open(stateFileOf(file));
    for (const s of streams) assert.equal((await state.read(s)).watermark, FROM + 3 * DAY, `${s} watermark`);
    await state.close();
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      for (const s of streams) {
        const loaded = await warehouse.countRows(s);
        assert.equal(loaded, sim.truth.lines(s, { start: FROM, end: FROM + 3 * DAY }).length, `${s} rows`);
      }
      const [first] = await warehouse.query<{ day: string }>(
        'SELECT CAST(MIN(event_on) AS VARCHAR) AS day FROM iterable_analytics.email_performance_fact',
      );
      assert.equal(first?.day, new Date(FROM).toISOString().slice(0, 10), 'the facts reach back to --from');
    } finally {
      await warehouse.close();
    }
  });

  it('reads nothing the ledger has as loaded, re-reads it on request, and holds every row once', async () => {
    const backfill = (reread: boolean) =>
      backfillLocal({
        iterable: fastClient(sim),
        warehouseFile: file,
        datasets: DEFAULT_DATASETS,
        streams: ['email_send'],
        from: FROM + 2 * DAY,
        to: FROM + 5 * DAY,
        // Fixed 6-hour windows, so the day behind the watermark is known to be four of them.
        windowMinutes: 6 * 60,
        exportsPerMinute: 1_000_000,
        metrics: NO_METRICS,
        log: silent,
        out: new PassThrough(),
        now: () => FROM + 3 * DAY,
        reread,
      });
    assert.equal((await backfill(false)).progress.planned, 0, 'the day behind the watermark is loaded');
    assert.equal((await backfill(true)).progress.planned, 4, 'that day again, on request');
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      const truth = sim.truth.lines('email_send', { start: FROM, end: FROM + 3 * DAY });
      assert.equal(await warehouse.countRows('email_send'), truth.length);
    } finally {
      await warehouse.close();
    }
  });
});

describe('a local backfill of every stream', () => {
  it('reloads Iterable’s campaign totals for the range every export stream has loaded', async () => {
    const sim = await simulator({ days: 2, events: 1500 });
    const file = tempWarehouse();
    try {
      await run(sim, file, { from: FROM + DAY, to: FROM + 2 * DAY });
      const asked: { ids: number; end: number }[] = [];
      const result = await backfillLocal({
        iterable: fastClient(sim),
        warehouseFile: file,
        datasets: DEFAULT_DATASETS,
        streams: STREAMS.filter((s) => s.source.kind === 'export').map((s) => s.name),
        from: FROM,
        to: FROM + 2 * DAY,
        windowMinutes: null,
        exportsPerMinute: 1_000_000,
        metrics: {
          metrics: async (ids, range) => {
            asked.push({ ids: ids.length, end: range.end });
            return [];
          },
        },
        log: silent,
        out: new PassThrough(),
        now: () => FROM + 2 * DAY,
      });
      assert.deepEqual(result.lastErrors, []);
      assert.equal(result.metricsError, null);
      assert.equal(asked.length, 1);
      assert.equal(asked[0]?.end, FROM + 2 * DAY, 'up to where every export stream is loaded');
      assert.ok((asked[0]?.ids ?? 0) > 0, 'for every known campaign');
    } finally {
      await sim.close();
    }
  });
});
