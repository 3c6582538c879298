/**
 * The local stand-in for Pub/Sub → BigQuery subscription → `iterable_live`: accepted events are
 * gathered for a few milliseconds and written to DuckDB in one transaction per batch, and each
 * `publish` resolves only once its batch has committed (DuckDB syncs its write-ahead log on
 * commit), so a 2xx from `npm run live` means the event is in the warehouse file. `close` writes
 * what is pending before it returns, which is what SIGTERM waits for.
 */
import { randomUUID } from 'node:crypto';
import type { LiveSink } from '../../functions/src/live/live-sink.js';
import type { LiveEvent, LiveReject } from '../../functions/src/live/live-tables.js';
import type { DuckDbWarehouse } from '../duckdb-warehouse.js';
import { INSERT_EVENTS, INSERT_REJECTS } from './live-insert.js';

export interface BatchOptions {
  /** A batch is written as soon as it holds this many messages… */
  readonly maxMessages: number;
  /** …or this long after its first message, whichever comes first. */
  readonly maxMilliseconds: number;
}

/** Like the Pub/Sub client's batching in gcp/pubsub-live-sink.ts: a webhook waits a few ms at most. */
export const DEFAULT_BATCHING: BatchOptions = { maxMessages: 1000, maxMilliseconds: 5 };

interface Pending {
  readonly message: Record<string, unknown>;
  readonly done: (error?: unknown) => void;
}

class Batcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (messages: readonly Record<string, unknown>[]) => Promise<void>,
    private readonly options: BatchOptions,
  ) {}

  add(message: Record<string, unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ message, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (this.pending.length >= this.options.maxMessages) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxMilliseconds);
    });
  }

  /** Starts writing what is pending; resolves once everything handed in so far is written. */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) {
      // Batches commit one after another, in the order they were cut.
      this.writing = this.writing.then(async () => {
        try {
          await this.write(batch.map((p) => p.message));
          for (const p of batch) p.done();
        } catch (error) {
          for (const p of batch) p.done(error);
        }
      });
    }
    return this.writing;
  }
}

export class DuckDbLiveSink implements LiveSink {
  private readonly events: Batcher;
  private readonly rejects: Batcher;

  constructor(
    private readonly warehouse: DuckDbWarehouse,
    private readonly now: () => number = Date.now,
    options: BatchOptions = DEFAULT_BATCHING,
  ) {
    this.events = new Batcher((batch) => this.insert(INSERT_EVENTS, batch), options);
    this.rejects = new Batcher((batch) => this.insert(INSERT_REJECTS, batch), options);
  }

  publish(event: LiveEvent): Promise<void> {
    return this.events.add(this.message(event));
  }

  reject(reject: LiveReject): Promise<void> {
    return this.rejects.add(this.message(reject));
  }

  /** Writes everything accepted so far; the warehouse stays open (its owner closes it). */
  async flush(): Promise<void> {
    await Promise.all([this.events.flush(), this.rejects.flush()]);
  }

  private message(fields: LiveEvent | LiveReject): Record<string, unknown> {
    return { ...fields, message_id: randomUUID(), publish_time: this.now() };
  }

  private async insert(sql: string, batch: readonly Record<string, unknown>[]): Promise<void> {
    await this.warehouse.query(sql, { batch: JSON.stringify(batch) });
  }
}
