/**
 * The local state store (Firestore's stand-in): every stream's watermark and window ledger in one
 * JSON file. Updates run one at a time through a mutex, so a read-modify-write never interleaves
 * with another, as a Firestore transaction guarantees; each is written to a temporary file and
 * renamed over the old one, so a crash leaves the previous state or the new one, never half a file.
 * One process owns the file: two processes updating it would overwrite each other's changes.
 */
import { mkdirSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StreamName } from '../functions/src/catalog.js';
import type { StateChange, StateStore, StreamState } from '../functions/src/ports.js';
import { LocalFileError, ledgerReadError } from './file-errors.js';
import { Mutex } from './mutex.js';

type States = Readonly<Record<string, StreamState>>;

const EMPTY: StreamState = { watermark: null, windows: [] };

function parseStates(file: string, text: string): States {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw ledgerReadError(file, error);
  }
  const valid =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(
      (s: unknown) =>
        typeof s === 'object' &&
        s !== null &&
        Array.isArray((s as StreamState).windows) &&
        ((s as StreamState).watermark === null || typeof (s as StreamState).watermark === 'number'),
    );
  if (!valid) {
    throw new LocalFileError(
      `${file} is not a state file ({stream: {watermark, windows}}); move it away to start afresh`,
    );
  }
  return value as States;
}

export class JsonFileStateStore implements StateStore {
  private readonly updates = new Mutex();
  private closed = false;

  private constructor(
    readonly file: string,
    private states: States,
  ) {}

  /** Loads the file, or starts with no state when it does not exist yet. */
  static async open(file: string): Promise<JsonFileStateStore> {
    mkdirSync(dirname(file), { recursive: true });
    let text: string | null = null;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return new JsonFileStateStore(file, text === null ? {} : parseStates(file, text));
  }

  /** A copy: a caller changing what it read must not change the store. */
  async read(stream: StreamName): Promise<StreamState> {
    return structuredClone(this.states[stream] ?? EMPTY);
  }

  update<T>(stream: StreamName, change: (state: StreamState) => StateChange<T>): Promise<T> {
    return this.updates.run(async () => {
      if (this.closed) throw new Error('the state store is closed');
      const { state, result } = change(await this.read(stream));
      const next = { ...this.states, [stream]: structuredClone(state) };
      // Readers see the new state only once it is on disk; a failed write changes nothing.
      await this.write(next);
      this.states = next;
      return result;
    });
  }

  /** Lets updates already asked for finish, then refuses new ones. */
  async close(): Promise<void> {
    await this.updates.run(async () => {
      this.closed = true;
    });
  }

  private async write(states: States): Promise<void> {
    const temp = `${this.file}.${process.pid}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(states, null, 1)}\n`);
      // Flushed before the rename, so the name never points at data still in the page cache only.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.file);
  }
}
