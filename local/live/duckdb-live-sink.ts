/**
 * The local stand-in for Pub/Sub → BigQuery subscription → `iterable_live`. As on GCP, a `publish`
 * that resolves means the event is kept: here, synced to the durable buffer (durable-log.ts), with
 * every request that arrived meanwhile sharing that one append+sync. A mover then commits what the
 * buffer holds to DuckDB, one transaction per batch and one batch at a time, at most every
 * `MOVE_SPACING_MS`, each batch being whatever became durable meanwhile: fresh messages through DuckDB's
 * Appender (live-appender.ts), replayed ones through an insert that skips those already there
 * (live-insert.ts). A buffer segment is deleted once all of it is in DuckDB. `open` first replays
 * what a previous run left in the buffer; `close` moves
 * everything accepted before it returns, which is what SIGTERM waits for.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LiveSink } from '../../functions/src/live/live-sink.js';
import type { LiveEvent, LiveReject } from '../../functions/src/live/live-tables.js';
import type { Logger } from '../../functions/src/log.js';
import type { DuckDbWarehouse } from '../duckdb-warehouse.js';
import { type DurableGroup, DurableLog, type LiveTable, type Logged } from './durable-log.js';
import { GroupCommit } from './group-commit.js';
import { appendLive, checkLiveTables, type LiveMessage } from './live-appender.js';
import { REPLAY_INSERTS } from './live-insert.js';

/** Messages per DuckDB transaction at most: a burst becomes appends of a few megabytes each. */
const MAX_MOVE = 5_000;
/**
 * DuckDB transactions start at most this often: each costs an Appender and a write-ahead-log sync
 * whatever its size, so at 5,000 webhooks/s a move carries ~500 of them; the delay to the live view
 * stays far below its 2 s target.
 */
const MOVE_SPACING_MS = 100;

/** A message published in this run: its fields are at hand, the Appender takes them as they are. */
interface Published extends Logged {
  readonly message: LiveMessage;
}

interface Durable<R extends Logged> {
  readonly segment: number;
  readonly record: R;
}

/** How a batch's messages of one table get into DuckDB, inside the move's transaction. */
type Write<R extends Logged> = (
  c: DuckDBConnection,
  table: LiveTable,
  records: readonly R[],
) => Promise<void>;

const appendFresh: Write<Published> = (c, table, records) =>
  appendLive(
    c,
    table,
    records.map((r) => r.message),
  );

/** A replayed buffer may hold messages committed just before a crash: the insert skips those. */
const insertReplayed: Write<Logged> = async (c, table, records) => {
  await c.run(REPLAY_INSERTS[table], { batch: `[${records.map((r) => r.json).join(',')}]` });
};

export class DuckDbLiveSink implements LiveSink {
  private readonly moves: GroupCommit<Durable<Published>>;
  private log: DurableLog<Published> | null = null;
  private connection: DuckDBConnection | null = null;

  private constructor(
    private readonly warehouse: DuckDbWarehouse,
    private readonly now: () => number,
    private readonly report: Logger,
  ) {
    this.moves = new GroupCommit((batch) => this.moveOrReport(batch), {
      maxItems: MAX_MOVE,
      spacingMs: MOVE_SPACING_MS,
    });
  }

  /** Opens the buffer in `bufferDir`, replays into DuckDB what it still holds, then accepts events. */
  static async open(
    warehouse: DuckDbWarehouse,
    bufferDir: string,
    log: Logger,
    now: () => number = Date.now,
  ): Promise<DuckDbLiveSink> {
    const sink = new DuckDbLiveSink(warehouse, now, log);
    sink.connection = await warehouse.connect();
    await checkLiveTables(sink.connection);
    const opened = DurableLog.open<Published>(bufferDir, (group) => sink.enqueue(group));
    sink.log = opened.log;
    for (const group of opened.leftover) {
      await sink.move(
        group.records.map((record) => ({ segment: group.segment, record })),
        insertReplayed,
      );
    }
    return sink;
  }

  publish(event: LiveEvent): Promise<void> {
    return this.append('events', event);
  }

  reject(reject: LiveReject): Promise<void> {
    return this.append('rejects', reject);
  }

  /** Resolves once everything accepted so far is committed to DuckDB. */
  async flush(): Promise<void> {
    await this.log?.flush();
    await this.moves.flush();
  }

  /** Moves everything accepted so far into DuckDB and closes the buffer; the warehouse stays open. */
  async close(): Promise<void> {
    await this.log?.close();
    await this.moves.flush();
    this.connection?.closeSync();
    this.connection = null;
  }

  private append(table: LiveTable, fields: LiveEvent | LiveReject): Promise<void> {
    const log = this.log as DurableLog<Published>;
    // The metadata is added to a copy made by Object.assign, not by spreading: V8 serialises the
    // spread object at half the speed (9 µs against 5 µs per event), on every request's path.
    const message: Record<string, string | number | null> = Object.assign<LiveMessage, typeof fields>(
      {},
      fields,
    );
    message.message_id = randomUUID();
    message.publish_time = this.now();
    return log.append({ table, json: JSON.stringify(message), message });
  }

  private enqueue(group: DurableGroup<Published>): void {
    for (const record of group.records) this.moves.push({ segment: group.segment, record });
  }

  /**
   * A failed move leaves its records in the buffer for the next start to replay; the webhooks were
   * answered already, so the only thing left to do is to say so.
   */
  private async moveOrReport(batch: readonly Durable<Published>[]): Promise<void> {
    try {
      await this.move(batch, appendFresh);
    } catch (error) {
      this.report({
        severity: 'ERROR',
        message: `${batch.length} live messages stay in the buffer until the next start of npm run live: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  /** One transaction per batch, on the mover's own connection (moves run one at a time). */
  private async move<R extends Logged>(batch: readonly Durable<R>[], write: Write<R>): Promise<void> {
    this.connection ??= await this.warehouse.connect();
    const c = this.connection;
    await c.run('BEGIN TRANSACTION');
    try {
      for (const table of ['events', 'rejects'] as const) {
        const records = batch.filter((d) => d.record.table === table).map((d) => d.record);
        if (records.length > 0) await write(c, table, records);
      }
      await c.run('COMMIT');
    } catch (error) {
      await c.run('ROLLBACK');
      throw error;
    }
    const perSegment = new Map<number, number>();
    for (const d of batch) perSegment.set(d.segment, (perSegment.get(d.segment) ?? 0) + 1);
    for (const [segment, count] of perSegment) this.log?.moved(segment, count);
  }
}
