/**
 * Each stream's health, as an operator asks about it: where it is loaded up to, how far that is
 * behind now, what the ledger still has open or failed, and what the warehouse holds. Read from
 * the state store and the warehouse alone, so it works the same locally and on GCP; `npm run
 * status` prints it and the dashboard's pipeline-health panel shows it.
 */
import type { StreamName } from '../functions/src/catalog.js';
import type { StreamState } from '../functions/src/ports.js';

export interface StreamStatus {
  readonly stream: StreamName;
  readonly watermark: number | null;
  /** Now − watermark; `null` before the stream's first plan. */
  readonly lagMs: number | null;
  readonly pending: number;
  readonly running: number;
  readonly failed: number;
  /** The error of the failed window that failed last. */
  readonly lastError: string | null;
  /** End of the latest UTC day the daily settle pass re-read (a done `settle` window); `null`: none. */
  readonly settledUntil: number | null;
  /** The ledger's latest change: when a window of the stream was last planned, tried or finished. */
  readonly lastRunAt: number | null;
  /** Rows in the raw table; `null` when the warehouse could not be read. */
  readonly rows: number | null;
  /** Lines of the stream in the rejects table; `null` when the warehouse could not be read. */
  readonly rejects: number | null;
}

export interface StreamCounts {
  readonly rows: number;
  readonly rejects: number;
}

/** Per stream, or why the warehouse cannot be read right now. */
export type CountsResult =
  | { readonly counts: ReadonlyMap<string, StreamCounts> }
  | { readonly unavailable: string };

/** Where status comes from: a state store's reads and the warehouse's row counts. */
export interface StatusSources {
  readState(stream: StreamName): Promise<StreamState>;
  counts(): Promise<CountsResult>;
}

export interface PipelineStatus {
  readonly at: number;
  readonly streams: readonly StreamStatus[];
  /** Why rows and rejects are missing, when they are. */
  readonly note: string | null;
}

export function streamStatus(
  stream: StreamName,
  state: StreamState,
  counts: StreamCounts | null,
  now: number,
): StreamStatus {
  const count = (status: string) => state.windows.filter((w) => w.status === status).length;
  const failed = state.windows.filter((w) => w.status === 'failed').sort((a, b) => b.updatedAt - a.updatedAt);
  const settledUntil = state.windows.reduce<number | null>(
    (end, w) => (w.kind === 'settle' && w.status === 'done' ? Math.max(end ?? 0, w.end) : end),
    null,
  );
  const lastRunAt = state.windows.reduce<number | null>((at, w) => Math.max(at ?? 0, w.updatedAt), null);
  return {
    stream,
    watermark: state.watermark,
    lagMs: state.watermark === null ? null : Math.max(0, now - state.watermark),
    pending: count('pending'),
    running: count('running'),
    failed: failed.length,
    lastError: failed[0]?.lastError ?? null,
    settledUntil,
    lastRunAt,
    rows: counts?.rows ?? null,
    rejects: counts?.rejects ?? null,
  };
}

export async function collectStatus(
  sources: StatusSources,
  streams: readonly StreamName[],
  now: number,
): Promise<PipelineStatus> {
  const result = await sources.counts();
  const counts = 'counts' in result ? result.counts : null;
  const statuses: StreamStatus[] = [];
  for (const stream of streams) {
    const state = await sources.readState(stream);
    statuses.push(streamStatus(stream, state, counts === null ? null : (counts.get(stream) ?? EMPTY), now));
  }
  return { at: now, streams: statuses, note: 'unavailable' in result ? result.unavailable : null };
}

const EMPTY: StreamCounts = { rows: 0, rejects: 0 };
