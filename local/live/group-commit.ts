/**
 * Group commit: callers hand in items and wait; a write takes everything handed in since the
 * previous write began, so under load many requests share one commit (one `fdatasync`, one DuckDB
 * transaction) instead of each paying its own. Without `spacingMs` nothing waits on a timer: an
 * idle writer starts as soon as the current event-loop turn has queued what it read, and a busy
 * one's next batch is simply whatever arrived while it was busy, so a batch grows with the load.
 * With it, a writer also waits until `spacingMs` after its previous write began.
 * With `maxInFlight` above 1 the writes are pipelined: items that arrive while a write is in
 * flight start the next one at once instead of waiting for it, so an item waits for about one
 * write, not one and a half; the writes must then be safe to run concurrently.
 */
export interface GroupCommitOptions {
  /** Bounds one write, so a burst becomes several commits of bounded memory. */
  readonly maxItems: number;
  /**
   * How long after a write's start the same writer starts its next at the earliest (unless a full
   * batch waits): a writer off the request path trades that much delay for fewer, larger writes.
   */
  readonly spacingMs?: number;
  /** Writes in flight at once at most (1: one after the other). */
  readonly maxInFlight?: number;
}

/** The promise's own functions are kept, not a closure over them: one allocation less per item. */
interface Pending<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const ignore = (): void => {};

export class GroupCommit<T> {
  private pending: Pending<T>[] = [];
  private readonly writers = new Set<Promise<void>>();
  /** A writer started but has not taken its batch yet: a second one would find nothing to take. */
  private gathering = false;
  private readonly spacingMs: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    private readonly options: GroupCommitOptions,
  ) {
    this.spacingMs = options.spacingMs ?? 0;
    this.maxInFlight = options.maxInFlight ?? 1;
  }

  /** Resolves once the item is committed; rejects with the write's error if its batch failed. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.startWriter();
    });
  }

  /** Hands in an item nobody waits for: its write reports its own failure (see `flush`). */
  push(item: T): void {
    this.pending.push({ item, resolve: ignore, reject: ignore });
    this.startWriter();
  }

  /** Resolves once everything handed in so far is committed (or failed). */
  async flush(): Promise<void> {
    while (this.writers.size > 0) await Promise.all(this.writers);
  }

  private startWriter(): void {
    if (this.gathering || this.writers.size >= this.maxInFlight || this.pending.length === 0) return;
    this.gathering = true;
    const writer: Promise<void> = this.run().finally(() => {
      this.writers.delete(writer);
      // Items that came while every writer was busy and the last one was finishing.
      this.startWriter();
    });
    this.writers.add(writer);
  }

  private async run(): Promise<void> {
    // Let the requests already read in this turn of the event loop join the batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.gathering = false;
    while (this.pending.length > 0) {
      const started = performance.now();
      const batch = this.pending.splice(0, this.options.maxItems);
      // A burst bigger than one batch starts another writer beside this one (up to maxInFlight).
      this.startWriter();
      try {
        await this.write(batch.map((p) => p.item));
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error ?? new Error('the live write failed'));
      }
      const wait = started + this.spacingMs - performance.now();
      if (wait > 0 && this.pending.length < this.options.maxItems)
        await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
