/**
 * Group commit: callers hand in items and wait; one write at a time takes everything handed in
 * since the previous write began, so under load many requests share one DuckDB commit (one
 * write-ahead-log fsync) instead of each paying its own. Nothing waits on a timer: an idle writer
 * starts as soon as the current event-loop turn has queued what it read, and a busy one's next
 * batch is simply whatever arrived while it was busy, so a batch grows with the load and the
 * wait for it never exceeds one commit.
 */
export class GroupCommit<T> {
  private pending: { readonly item: T; readonly done: (error?: unknown) => void }[] = [];
  private writing: Promise<void> | null = null;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    /** Bounds one write, so a burst becomes several commits of bounded memory. */
    private readonly maxItems: number,
    /**
     * How long after a write's start the next one may start at the earliest (unless a full batch
     * waits): a writer off the request path trades that much delay for fewer, larger writes.
     */
    private readonly spacingMs = 0,
  ) {}

  /** Resolves once the item is committed; rejects with the write's error if its batch failed. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.writing ??= this.drain();
    });
  }

  /** Resolves once everything handed in so far is committed (or failed). */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private async drain(): Promise<void> {
    // Let the requests already read in this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const started = performance.now();
      const batch = this.pending.splice(0, this.maxItems);
      try {
        await this.write(batch.map((p) => p.item));
        for (const p of batch) p.done();
      } catch (error) {
        for (const p of batch) p.done(error ?? new Error('the live write failed'));
      }
      const wait = started + this.spacingMs - performance.now();
      if (wait > 0 && this.pending.length < this.maxItems) await new Promise((r) => setTimeout(r, wait));
    }
    this.writing = null;
  }
}
