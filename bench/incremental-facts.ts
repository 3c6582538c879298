/**
 * Measurement 6: what a scheduled fact build costs as history grows. Two warehouses with the same
 * weekly volume, one holding 4 weeks of history and one 26, each built as a daily schedule would
 * have (`asScheduled`); then the measured run: an incremental build as of the end of the history,
 * the same as the last scheduled one (the lookback's 7 days of dates
 * recomputed), timed on its own and profiled in a second identical run for the rows it read from
 * the raw tables (DuckDB's profiler, local/sql/table-scans.ts). Rows are what BigQuery bills
 * (bytes are rows times the columns read), so their ratio is the cost ratio; the targets are the
 * issue's: ≤ 1.1 for rows, ≤ 1.2 for time, where the history ratio is 6.5.
 * The raw rows are put in window order, in row groups small enough to stand for day partitions
 * (`partitionLike`), and events marked loaded an hour after they happened, as the pipeline's loads
 * would have left them. Raw tables are those of every exported stream: events and user profiles.
 * The facts are built as a schedule builds them (`asScheduled`): first over the history up to
 * `SCHEDULED_DAYS` before the measured run, then once a day, each day's raw rows loaded before its
 * run, so that the intermediate tables are stored as the daily runs leave them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DAY } from '../functions/src/time.js';
import { DuckDbWarehouse } from '../local/duckdb-warehouse.js';
import { runModels } from '../local/sql/models.js';
import { rawWindowedTables } from '../local/sql/table-scans.js';
import type { Datasets } from '../sql/datasets.js';
import { BASE_DAYS, FROM, fillWarehouse } from './facts.js';
import { atMost, type Figure, figure } from './figure.js';

export interface IncrementalFactSizes {
  /** Events of one week of history; every warehouse holds a whole number of such weeks. */
  readonly weeklyEvents: number;
  readonly shortWeeks: number;
  readonly longWeeks: number;
  /** Timed incremental runs per warehouse; the median is reported. */
  readonly rounds: number;
}

const MAX_ROWS_RATIO = 1.1;
const MAX_TIME_RATIO = 1.2;
const ROW_GROUP_ROWS = 2048;
/** More than the lookback (7 days, and the day before it that late loads reach). */
const SCHEDULED_DAYS = 9;
const HELD = 'bench_held';

interface Measured {
  readonly events: number;
  readonly ms: number;
  readonly rawRows: number;
}

/**
 * Rewrites the raw tables of exported streams in window order (BigQuery's day partitions hold them
 * so, and the pipeline's window loads append them so; the fill's copies come out interleaved), each
 * row loaded an hour after its event, in row groups of 2,048 rows. DuckDB skips data by row group
 * (its min/max per row group; default 122,880 rows, at which a 4-week table of a small stream is one
 * row group that no bound can skip), so its `rows scanned` counts every row of a row group a scan
 * touches. At 2,048 rows (its vector size, the smallest row group it takes) a group is smaller than
 * a day of any stream here, so the count is that of the days a bound selects, as BigQuery bills the
 * day partitions it reads. https://duckdb.org/docs/stable/sql/statements/attach (ROW_GROUP_SIZE)
 */
async function partitionLike(file: string, datasets: Datasets): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH '${file}' AS bench (ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
    for (const [table, column] of rawWindowedTables(datasets)) {
      const loaded = column === 'created_at' ? 'created_at + INTERVAL 1 HOUR' : '_loaded_at';
      await connection.run(
        `CREATE OR REPLACE TABLE bench.${table} AS
         SELECT * REPLACE (${loaded} AS _loaded_at) FROM bench.${table} ORDER BY ${column}`,
      );
    }
    await connection.run('DETACH bench');
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Builds the facts as the schedule would have: a first build over the history up to `SCHEDULED_DAYS`
 * before `now`, then one run a day, after that day's raw rows are loaded (appended, as the
 * pipeline's window loads append them). DuckDB skips a row group by its min/max (no partitions), so
 * how the runs left the intermediate tables decides what a run's `event_on >= …` reads skip: each
 * run appends the dates it rebuilds, so all but the last few days' row groups lie before the
 * lookback. A first build at the measured run's own date, which no schedule does, would leave
 * every date of the lookback spread through every row group of the history.
 */
async function asScheduled(warehouse: DuckDbWarehouse, now: number): Promise<void> {
  const raw = rawWindowedTables(warehouse.datasets);
  const start = now - SCHEDULED_DAYS * DAY;
  const at = (ms: number) => `CAST('${new Date(ms).toISOString()}' AS TIMESTAMPTZ)`;
  await warehouse.query(`CREATE SCHEMA IF NOT EXISTS ${HELD}`);
  for (const [table, column] of raw) {
    const held = `${HELD}.${table.split('.')[1]}`;
    await warehouse.query(`CREATE TABLE ${held} AS SELECT * FROM ${table} WHERE ${column} >= ${at(start)}`);
    await warehouse.query(`DELETE FROM ${table} WHERE ${column} >= ${at(start)}`);
  }
  await runModels(warehouse, { now: start });
  for (let day = start; day < now; day += DAY) {
    for (const [table, column] of raw) {
      await warehouse.query(
        `INSERT INTO ${table} SELECT * FROM ${HELD}.${table.split('.')[1]}
         WHERE ${column} >= ${at(day)} AND ${column} < ${at(day + DAY)} ORDER BY ${column}`,
      );
    }
    await runModels(warehouse, { now: day + DAY });
  }
}

async function measure(sizes: IncrementalFactSizes, weeks: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-incremental-'));
  const file = join(dir, 'warehouse.duckdb');
  const filled = await DuckDbWarehouse.open(file);
  const events = await fillWarehouse(filled, sizes.weeklyEvents, weeks);
  const { datasets } = filled;
  await filled.close();
  await partitionLike(file, datasets);
  const warehouse = await DuckDbWarehouse.open(file);
  try {
    const now = FROM + weeks * BASE_DAYS * DAY;
    await asScheduled(warehouse, now);
    const times: number[] = [];
    for (let k = 0; k < sizes.rounds; k++) {
      const runs = await runModels(warehouse, { now });
      times.push(runs.reduce((sum, r) => sum + r.ms, 0));
    }
    const raw = rawWindowedTables(datasets);
    const profiled = await runModels(warehouse, { now, profile: true });
    const rawRows = profiled
      .flatMap((r) => r.scans ?? [])
      .filter((s) => raw.has(s.table))
      .reduce((sum, s) => sum + s.rowsScanned, 0);
    return { events, ms: median(times), rawRows };
  } finally {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function measureIncrementalFacts(sizes: IncrementalFactSizes): Promise<Figure[]> {
  const short = await measure(sizes, sizes.shortWeeks);
  const long = await measure(sizes, sizes.longWeeks);
  const label = (weeks: number, m: Measured) =>
    `incremental build, ${weeks} weeks (${m.events.toLocaleString('en-US')} raw events)`;
  return [
    figure(`${label(sizes.shortWeeks, short)}: time`, short.ms, 'ms'),
    figure(`${label(sizes.shortWeeks, short)}: raw rows read`, short.rawRows, 'rows'),
    figure(`${label(sizes.longWeeks, long)}: time`, long.ms, 'ms'),
    figure(`${label(sizes.longWeeks, long)}: raw rows read`, long.rawRows, 'rows'),
    figure('history ratio', sizes.longWeeks / sizes.shortWeeks, '×'),
    figure('raw rows read ratio', long.rawRows / Math.max(1, short.rawRows), '×', atMost(MAX_ROWS_RATIO)),
    figure('time ratio', long.ms / Math.max(1, short.ms), '×', atMost(MAX_TIME_RATIO)),
  ];
}
