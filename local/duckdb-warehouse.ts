/**
 * The local warehouse: one DuckDB file standing in for BigQuery, with the two datasets as schemas.
 * Each window load streams into its own connection's staging tables (loads proceed side by side),
 * then swaps the window in within one transaction. Those transactions run one at a time: DuckDB's
 * optimistic concurrency aborts one of two transactions deleting the same rows ("Conflict on tuple
 * deletion"), which a window delivered twice, or a lookback overlapping an advance window, would do.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { type StreamName, streamByName, windowColumnOf } from '../functions/src/catalog.js';
import type { Window } from '../functions/src/pipeline/window.js';
import type {
  ForgetOutcome,
  ForgottenHash,
  LoadBatch,
  LoadCounts,
  UserEraser,
  Warehouse,
  WindowLoad,
} from '../functions/src/ports.js';
import { checkDatasets, type Datasets, DEFAULT_DATASETS } from '../sql/datasets.js';
import { rawTable, warehouseDdl } from './duckdb-ddl.js';
import { forgetOnDuckDb } from './duckdb-forget.js';
import {
  epochMsToTimestamp,
  loadSql,
  STAGING_REJECTS,
  STAGING_ROWS,
  TEMP_CATALOG,
  TEMP_SCHEMA,
} from './duckdb-load.js';
import { warehouseOpenError } from './file-errors.js';
import { Mutex } from './mutex.js';

const IN_MEMORY = ':memory:';

interface SharedDatabase {
  readonly instance: DuckDBInstance;
  /** Serialises the replacing transactions of every warehouse object on this database. */
  readonly commits: Mutex;
}

interface OpenDatabase {
  readonly database: Promise<SharedDatabase>;
  /** Counted synchronously, so a close racing an open never closes a database about to be used. */
  users: number;
}

/**
 * Files open in this process. DuckDB lets one process open a file twice, as two databases blind
 * to each other's writes (a way to corrupt it), so a second `open` shares the first one's database.
 */
const OPEN_FILES = new Map<string, OpenDatabase>();

function acquire(key: string | null): OpenDatabase {
  const open = (key === null ? undefined : OPEN_FILES.get(key)) ?? {
    database: createDatabase(key ?? IN_MEMORY),
    users: 0,
  };
  if (key !== null) OPEN_FILES.set(key, open);
  open.users += 1;
  return open;
}

async function release(open: OpenDatabase, key: string | null): Promise<void> {
  open.users -= 1;
  if (open.users > 0) return;
  if (key !== null && OPEN_FILES.get(key) === open) OPEN_FILES.delete(key);
  const db = await open.database.catch(() => null);
  db?.instance.closeSync();
}

async function createDatabase(file: string): Promise<SharedDatabase> {
  if (file !== IN_MEMORY) mkdirSync(dirname(file), { recursive: true });
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    // BigQuery computes DATE(ts), EXTRACT(HOUR FROM ts)… in UTC; DuckDB uses the session zone.
    await connection.run(`SET GLOBAL TimeZone = 'UTC'`);
    // DuckDB checkpoints the whole file whenever its write-ahead log passes 16 MB, which a window
    // of a busy stream does in one commit: commits then took most of a load's time (bench/README.md).
    // A larger log defers checkpoints to every ~1 GB loaded and to closing the file.
    await connection.run(`SET GLOBAL checkpoint_threshold = '1GB'`);
  } finally {
    connection.closeSync();
  }
  return { instance, commits: new Mutex() };
}

/** BIGINT and HUGEINT come back as bigint; callers want numbers wherever that is exact. */
function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

export class DuckDbWarehouse implements Warehouse, UserEraser {
  private closed = false;
  private readonly loads = new Set<Promise<unknown>>();

  private constructor(
    private readonly db: SharedDatabase,
    private readonly release: () => Promise<void>,
    readonly datasets: Datasets,
  ) {}

  /** Opens (creating if needed) the warehouse file, or an in-memory one for `:memory:`. */
  static async open(file: string, datasets: Datasets = DEFAULT_DATASETS): Promise<DuckDbWarehouse> {
    checkDatasets(datasets);
    const key = file === IN_MEMORY ? null : resolve(file);
    const open = acquire(key);
    let db: SharedDatabase;
    try {
      db = await open.database;
    } catch (error) {
      await release(open, key);
      throw key === null ? error : warehouseOpenError(key, error);
    }
    const warehouse = new DuckDbWarehouse(db, () => release(open, key), datasets);
    try {
      // Two opens of one file at once would otherwise race to create the same tables.
      await db.commits.run(() =>
        warehouse.withConnection(async (c) => {
          const reader = await c.runAndReadAll(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = '${datasets.raw}' AND table_type = 'BASE TABLE'`,
          );
          const baseTables = new Set(reader.getRowObjects().map((r) => String(r.table_name)));
          await c.run('BEGIN TRANSACTION');
          try {
            for (const sql of warehouseDdl(datasets, baseTables)) await c.run(sql);
            await c.run('COMMIT');
          } catch (error) {
            await c.run('ROLLBACK');
            throw error;
          }
        }),
      );
    } catch (error) {
      await warehouse.close();
      throw error;
    }
    return warehouse;
  }

  replaceWindow(load: WindowLoad, batches: AsyncIterable<LoadBatch>): Promise<LoadCounts> {
    if (this.closed) return Promise.reject(new Error('the warehouse is closed'));
    const loading = this.withConnection((c) => this.load(c, load, batches));
    this.loads.add(loading);
    const forget = () => this.loads.delete(loading);
    loading.then(forget, forget);
    return loading;
  }

  private async load(
    c: DuckDBConnection,
    load: WindowLoad,
    batches: AsyncIterable<LoadBatch>,
  ): Promise<LoadCounts> {
    const sql = loadSql(streamByName(load.stream), this.datasets);
    for (const statement of sql.createStaging) await c.run(statement);
    try {
      const rows = sql.rowWriter(await c.createAppender(STAGING_ROWS, TEMP_SCHEMA, TEMP_CATALOG));
      const rejects = sql.rejectWriter(await c.createAppender(STAGING_REJECTS, TEMP_SCHEMA, TEMP_CATALOG));
      const counts = { rows: 0, rejects: 0 };
      try {
        for await (const batch of batches) {
          rows.write(batch.rows);
          rejects.write(batch.rejects);
          counts.rows += batch.rows.length;
          counts.rejects += batch.rejects.length;
        }
      } catch (error) {
        rows.discard();
        rejects.discard();
        throw error;
      }
      rows.close();
      rejects.close();
      await this.db.commits.run(async () => {
        await c.run('BEGIN TRANSACTION');
        try {
          for (const statement of sql.replace(load)) await c.run(statement.sql, statement.values);
          await c.run('COMMIT');
        } catch (error) {
          await c.run('ROLLBACK');
          throw error;
        }
      });
      return counts;
    } finally {
      for (const statement of sql.dropStaging) await c.run(statement);
    }
  }

  /** Forgets in one transaction, serialised with the loads' replacing transactions. */
  forget(users: readonly ForgottenHash[], at: number): Promise<ForgetOutcome> {
    if (this.closed) return Promise.reject(new Error('the warehouse is closed'));
    return this.withConnection((c) =>
      this.db.commits.run(async () => {
        await c.run('BEGIN TRANSACTION');
        try {
          const outcome = await forgetOnDuckDb(c, this.datasets, users, at);
          await c.run('COMMIT');
          return outcome;
        } catch (error) {
          await c.run('ROLLBACK');
          throw error;
        }
      }),
    );
  }

  /** Runs a query on a fresh connection; rows come back as objects, exact BIGINTs as numbers. */
  async query<T = Record<string, unknown>>(
    sql: string,
    values?: DuckDBValue[] | Record<string, DuckDBValue>,
  ): Promise<T[]> {
    return this.withConnection(async (c) => {
      const reader = await c.runAndReadAll(sql, values);
      return reader.getRowObjectsJS().map((row) => toPlain(row) as T);
    });
  }

  /**
   * Rows of a stream's raw table, or of one window of it: the rows a load of that window would
   * replace (its window column, `created_at` or `profile_updated_at`, in `[start, end)`; a
   * dimension's whole table).
   */
  async countRows(stream: StreamName, window?: Window): Promise<number> {
    const table = rawTable(this.datasets, stream);
    const column = windowColumnOf(streamByName(stream));
    const [row] =
      window !== undefined && column !== null
        ? await this.query<{ n: number }>(
            `SELECT count(*) AS n FROM ${table}
           WHERE ${column} >= ${epochMsToTimestamp('$start')} AND ${column} < ${epochMsToTimestamp('$end')}`,
            { start: window.start, end: window.end },
          )
        : await this.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
    return row?.n ?? 0;
  }

  /**
   * A new connection to the warehouse, for callers that need a session (a SQL prelude, several
   * statements). The caller closes it (`closeSync()`) before closing the warehouse.
   */
  connect(): Promise<DuckDBConnection> {
    if (this.closed) return Promise.reject(new Error('the warehouse is closed'));
    return this.db.instance.connect();
  }

  /** Waits for loads in flight, then releases the file (closed once its last user closes it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.loads]);
    await this.release();
  }

  private async withConnection<T>(use: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const c = await this.connect();
    try {
      return await use(c);
    } finally {
      c.closeSync();
    }
  }
}
