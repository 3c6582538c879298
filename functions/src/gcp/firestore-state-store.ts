/**
 * The state store on Firestore: one document per stream (`<collection>/<stream>`) holding its
 * watermark and its whole window ledger, so a plan, claim, completion or failure is one
 * read-modify-write of one document inside `runTransaction`. Firestore retries a transaction
 * whose document changed underneath it, so two workers racing for one window serialise and only
 * one claim succeeds (the ledger's rules, `pipeline/ledger.ts`, run again on the fresh state).
 *
 * One document rather than a subcollection of windows: a document is at most 1 MiB
 * (https://cloud.google.com/firestore/quotas#limits) and the ledger keeps 7 days behind the
 * watermark (`LEDGER_RETENTION_MS`): a few hundred windows of ~300 bytes, at most a backfill's
 * 2,000 more (`MAX_BACKFILL_WINDOWS`), well under the limit; and the
 * watermark depends on every window, which one document keeps consistent without range queries.
 */
import type { Firestore } from '@google-cloud/firestore';
import type { StreamName } from '../catalog.js';
import { EMPTY_STATE } from '../pipeline/ledger.js';
import type { StateChange, StateStore, StreamState } from '../ports.js';
import { parseStreamState } from './stream-state-schema.js';

export class FirestoreStateStore implements StateStore {
  constructor(
    private readonly firestore: Firestore,
    /** Collection holding one document per stream. */
    private readonly collection: string,
  ) {}

  async read(stream: StreamName): Promise<StreamState> {
    const snapshot = await this.document(stream).get();
    return snapshot.exists ? parseStreamState(this.path(stream), snapshot.data()) : EMPTY_STATE;
  }

  update<T>(stream: StreamName, change: (state: StreamState) => StateChange<T>): Promise<T> {
    const ref = this.document(stream);
    return this.firestore.runTransaction(async (tx) => {
      const snapshot = await tx.get(ref);
      const current = snapshot.exists ? parseStreamState(this.path(stream), snapshot.data()) : EMPTY_STATE;
      const { state, result } = change(current);
      // The ledger's rules return the state they were given when nothing changed (a busy or done
      // claim, a plan with nothing new): no write then, on a document every worker contends for.
      if (state !== current) {
        tx.set(ref, {
          watermark: state.watermark,
          windows: state.windows.map((w) => ({ ...w })),
          loaded: (state.loaded ?? []).map((i) => ({ start: i.start, end: i.end })),
        });
      }
      return result;
    });
  }

  /** The Firestore client is shared by the function instance and lives as long as it does. */
  async close(): Promise<void> {}

  private document(stream: StreamName) {
    return this.firestore.collection(this.collection).doc(stream);
  }

  private path(stream: StreamName): string {
    return `${this.collection}/${stream}`;
  }
}
