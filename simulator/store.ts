/**
 * What the simulated Iterable project holds: each export stream's records sorted by `createdAt`,
 * (or, for users, `profileUpdatedAt`), so a window is two binary searches, the dimensions as
 * served, and the users forgotten on GDPR/CCPA requests. This is also the ground truth
 * tests compare the warehouse with.
 */
import { createHash } from 'node:crypto';
import { type StreamName, streamByName } from '../functions/src/catalog.js';
import { parseIterableTimestamp } from '../functions/src/iterable/timestamps.js';
import type { TimedLine } from './events.js';
import type { Random } from './random.js';

export interface Range {
  readonly start: number;
  readonly end: number;
}

export class RecordStore {
  readonly #events = new Map<StreamName, TimedLine[]>();
  readonly #dimensions = new Map<StreamName, readonly object[]>();
  readonly #forgottenEmails = new Set<string>();
  readonly #forgottenUserIds = new Set<string>();

  constructor(
    events: ReadonlyMap<StreamName, TimedLine[]>,
    dimensions: ReadonlyMap<StreamName, readonly object[]>,
  ) {
    for (const [stream, lines] of events) this.#events.set(stream, lines);
    for (const [stream, records] of dimensions) this.#dimensions.set(stream, records);
  }

  /** The lines of a stream with `createdAt` in `[start, end)`, in time order. */
  lines(stream: StreamName, range: Range): string[] {
    const list = this.#events.get(stream) ?? [];
    const from = lowerBound(list, range.start);
    const to = lowerBound(list, range.end);
    return list.slice(from, Math.max(from, to)).map((t) => t.line);
  }

  /** The lines an export answers at `now`: those of the range already visible. */
  visibleLines(stream: StreamName, range: Range, now: number): string[] {
    const list = this.#events.get(stream) ?? [];
    const from = lowerBound(list, range.start);
    const to = Math.max(from, lowerBound(list, range.end));
    const out: string[] = [];
    for (let i = from; i < to; i++) {
      const t = list[i] as TimedLine;
      if (t.visibleAt === undefined || t.visibleAt <= now) out.push(t.line);
    }
    return out;
  }

  /**
   * Makes a share of the records visible only some time after their `createdAt`, as Iterable's
   * export does (shared/iterable-api.md: an event can appear minutes late). Returns how many.
   */
  delay(random: Random, share: number, maxDelayMs: number): number {
    let delayed = 0;
    for (const [stream, list] of this.#events) {
      this.#events.set(
        stream,
        list.map((t) => {
          if (!random.chance(share)) return t;
          delayed++;
          return { ...t, visibleAt: t.at + 1 + random.int(maxDelayMs) };
        }),
      );
    }
    return delayed;
  }

  /** Every record of every export stream, for figures such as the demo's event count. */
  count(stream: StreamName): number {
    return this.#events.get(stream)?.length ?? 0;
  }

  dimension(stream: StreamName): readonly object[] {
    return this.#dimensions.get(stream) ?? [];
  }

  /**
   * Forgets a user as Iterable does on a GDPR/CCPA request: the user's records leave every
   * export (unless `stillExported`, a test's way to play a lagging export) and the hashes of
   * their email and user id join the forgotten lists. Returns how many records were removed.
   */
  forget(identifiers: readonly string[], options: { stillExported?: boolean } = {}): number {
    const keys = new Set(identifiers.map((i) => i.trim().toLowerCase()));
    const found = new Set<string>();
    let removed = 0;
    for (const [stream, list] of this.#events) {
      const kept = list.filter((t) => {
        const record = JSON.parse(t.line) as { email?: unknown; userId?: unknown };
        const ids = [record.email, record.userId].filter((v) => v !== undefined && v !== null).map(String);
        const match = ids.find((v) => keys.has(v.trim().toLowerCase()));
        if (match === undefined) return true;
        found.add(match.trim().toLowerCase());
        if (typeof record.email === 'string') this.#forgottenEmails.add(sha256(record.email));
        if (record.userId !== undefined && record.userId !== null) {
          this.#forgottenUserIds.add(sha256(String(record.userId)));
        }
        removed++;
        return options.stillExported === true;
      });
      this.#events.set(stream, kept);
    }
    // A user with no records is still listed, under the kind of identifier given.
    for (const key of keys) {
      if (!found.has(key))
        (key.includes('@') ? this.#forgottenEmails : this.#forgottenUserIds).add(sha256(key));
    }
    return options.stillExported ? 0 : removed;
  }

  /** `GET /api/users/forgotten` and `/api/users/forgottenUserIds`: SHA-256 hex digests. */
  forgotten(kind: 'email' | 'user_id'): string[] {
    return [...(kind === 'email' ? this.#forgottenEmails : this.#forgottenUserIds)].sort();
  }

  /**
   * Adds one record as an exact line (tests use it for records the generator never makes). Its
   * place comes from `createdAt`, or from `at` for a line whose `createdAt` cannot be read.
   */
  add(stream: StreamName, line: string, at?: number): void {
    const source = streamByName(stream).source;
    const field = source.kind === 'export' ? source.windowField : 'createdAt';
    const time = at ?? windowTimeOf(line, field);
    if (time === null) {
      throw new Error(`cannot place ${line}: it has no readable ${field}; pass the instant explicitly`);
    }
    const list = this.#events.get(stream) ?? [];
    this.#events.set(stream, list);
    list.splice(lowerBound(list, time + 1), 0, { at: time, line });
  }
}

function windowTimeOf(line: string, field: string): number | null {
  try {
    return parseIterableTimestamp((JSON.parse(line) as Record<string, unknown>)[field]);
  } catch {
    return null;
  }
}

/** Iterable's form: SHA-256 hex of the lower-cased, trimmed identifier. */
export const sha256 = (identifier: string): string =>
  createHash('sha256').update(identifier.trim().toLowerCase()).digest('hex');

/** First index whose time is ≥ `time`. */
function lowerBound(list: readonly TimedLine[], time: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as TimedLine).at < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
