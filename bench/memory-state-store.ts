/**
 * A state store held in memory, for planning a year of windows in seconds: the protocol is pure
 * (`pipeline/ledger.ts`), so a store only has to hold each stream's state and apply a change.
 */
import type { StreamName } from '../functions/src/catalog.js';
import { EMPTY_STATE } from '../functions/src/pipeline/ledger.js';
import type { StateChange, StateStore, StreamState } from '../functions/src/ports.js';

export class MemoryStateStore implements StateStore {
  private readonly states = new Map<StreamName, StreamState>();

  async read(stream: StreamName): Promise<StreamState> {
    return this.states.get(stream) ?? EMPTY_STATE;
  }

  async update<T>(stream: StreamName, change: (state: StreamState) => StateChange<T>): Promise<T> {
    const next = change(await this.read(stream));
    this.states.set(stream, next.state);
    return next.result;
  }

  async close(): Promise<void> {}
}
