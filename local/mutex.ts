/**
 * A tiny in-process async mutex. The local adapters run several workers in one Node process;
 * where the cloud service would give them a transaction (Firestore, BigQuery), this makes
 * read-modify-write sections run one at a time, in the order they asked.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `section` once every earlier section has settled; its result or error is passed on. */
  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section);
    // The next section waits for this one whether it succeeded or not.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
