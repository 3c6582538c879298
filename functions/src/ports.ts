/**
 * The four interfaces the pipeline core talks to. GCP adapters live in `functions/src/gcp/`,
 * local ones under `local/`; the core in `functions/src/pipeline/` knows only these.
 */
import type { DimensionSource, ExportSource, StreamName } from './catalog.js';
import type { UserForgotten } from './forget-tables.js';
import type { PlannedWindow, Window, WindowKind } from './pipeline/window.js';
import type { Interval } from './time.js';

/** Iterable, seen as batches of raw JSON lines (one record per line, blank lines already dropped). */
export interface IterableSource {
  /**
   * Streams one export window. The iteration throws if the body ends early or the connection
   * resets: a window is loaded whole or not at all.
   */
  exportLines(source: ExportSource, window: Window, signal?: AbortSignal): AsyncIterable<string[]>;
  /** Every record of a dimension, all pages, each serialised as one JSON line. */
  dimensionLines(source: DimensionSource, signal?: AbortSignal): AsyncIterable<string[]>;
  /**
   * The same records as `exportLines`, read through Iterable's asynchronous export jobs (bulk
   * ranges, `pipeline/export-mode.ts`); absent where only streaming exports are wired.
   */
  jobLines?(source: ExportSource, window: Window, signal?: AbortSignal): AsyncIterable<string[]>;
}

/** A raw table cell: TIMESTAMP as epoch milliseconds, JSON as its serialised text. */
export type Cell = string | number | boolean | null;

/** One raw row: the stream's catalog columns in catalog order, then the original record (`payload`). */
export interface RawRow {
  readonly cells: readonly Cell[];
  readonly payload: string;
}

export interface Reject {
  readonly line: string;
  readonly reason: string;
  /** The record's `createdAt` when it could be read, so a re-read of its interval replaces it. */
  readonly createdAt: number | null;
}

export interface LoadBatch {
  readonly rows: readonly RawRow[];
  readonly rejects: readonly Reject[];
}

export interface WindowLoad {
  readonly stream: StreamName;
  readonly window: Window;
  readonly runId: string;
  readonly loadedAt: number;
}

export interface LoadCounts {
  readonly rows: number;
  readonly rejects: number;
}

export interface Warehouse {
  /**
   * Replaces the window in the stream's raw table with `batches`, in one transaction: rows whose
   * `created_at` is in `[start, end)` are deleted and the new ones inserted (a dimension's whole
   * table is replaced), and the window's rejects likewise. Nothing is written if `batches` throws.
   */
  replaceWindow(load: WindowLoad, batches: AsyncIterable<LoadBatch>): Promise<LoadCounts>;
  close(): Promise<void>;
}

export const WINDOW_STATUSES = ['pending', 'running', 'done', 'failed'] as const;
export type WindowStatus = (typeof WINDOW_STATUSES)[number];

/** One window's entry in the ledger. */
export interface WindowRecord extends PlannedWindow {
  readonly stream: StreamName;
  readonly status: WindowStatus;
  /** Load attempts made so far (claims). */
  readonly attempts: number;
  /** Times the window was planned again after failing or going stale; part of its task name. */
  readonly generation: number;
  readonly updatedAt: number;
  readonly leaseUntil: number | null;
  readonly lastError: string | null;
  /**
   * The last attempt failed in a way no retry of the same request can fix (Iterable refused it:
   * a bad key, a bad request): its task was answered 2xx so Cloud Tasks stops retrying it, and
   * only the next plan (a fan-out run or a backfill) tries it again. Absent on older records.
   */
  readonly permanent?: boolean;
  /** Times its export was cut off mid-body or went silent; from the second on it is split. */
  readonly cuts: number;
  /** Pieces it was last loaded in: 1, or 2, 4, … once repeated cuts split it (`pipeline/split.ts`). */
  readonly pieces: number;
  readonly rows: number | null;
  readonly rejects: number | null;
}

export interface StreamState {
  /** Everything before the watermark is loaded; `null` before the first plan. */
  readonly watermark: number | null;
  readonly windows: readonly WindowRecord[];
  /**
   * Every interval a done window loaded, merged (`pipeline/coverage.ts`). It outlives the window
   * records, which the ledger drops a retention period behind the watermark, so a backfill never
   * reads loaded history again. Absent in ledgers written before it; bounded in length.
   */
  readonly loaded?: readonly Interval[];
}

/**
 * Watermarks and the window ledger. The protocol itself (what a plan, claim, completion or
 * failure does to a stream's state) is pure logic in `pipeline/ledger.ts`; a store only has to
 * apply it atomically, so two workers racing on one stream never both win.
 */
export interface StateStore {
  read(stream: StreamName): Promise<StreamState>;
  /** Reads the stream's state, applies `change`, and writes the result in one transaction. */
  update<T>(stream: StreamName, change: (state: StreamState) => StateChange<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StateChange<T> {
  readonly state: StreamState;
  readonly result: T;
}

/** The body of one task: which window of which stream to load. */
export interface WindowTask {
  readonly stream: StreamName;
  readonly start: string;
  readonly end: string;
  readonly kind: WindowKind;
}

/** A task of a queue: a window task unless said otherwise (the campaign metrics queue). */
export interface QueuedTask<P = WindowTask> {
  /** Deterministic: enqueueing the same name twice creates one task. */
  readonly name: string;
  readonly payload: P;
  /**
   * Epoch milliseconds before which the task is not dispatched (Cloud Tasks' `scheduleTime`): a
   * window planned again after failing waits out a backoff instead of spending the export budget.
   */
  readonly notBefore?: number;
}

export interface EnqueueResult {
  readonly created: number;
  readonly existing: number;
}

export interface TaskQueue<P = WindowTask> {
  enqueue(tasks: readonly QueuedTask<P>[]): Promise<EnqueueResult>;
}

/** A user Iterable has forgotten: the SHA-256 hex of the lower-cased, trimmed email or user id. */
export interface ForgottenHash {
  readonly hash: string;
  readonly kind: 'email' | 'user_id';
}

/** Iterable's lists of forgotten users (GDPR / CCPA requests). */
export interface ForgottenSource {
  /** `GET /api/users/forgotten`; Iterable answers an error on user-id based projects. */
  forgottenEmailHashes(signal?: AbortSignal): Promise<string[]>;
  /** `GET /api/users/forgottenUserIds`; Iterable answers an error on email based projects. */
  forgottenUserIdHashes(signal?: AbortSignal): Promise<string[]>;
}

export interface ForgetOutcome {
  /** Users newly forgotten, or forgotten again because rows of theirs were found. */
  readonly forgotten: readonly UserForgotten[];
  /** Users already in the audit with nothing left to delete. */
  readonly unchanged: number;
}

/**
 * Deletes every row of the given users from every table that can hold one (`FORGET_TARGETS`),
 * in one transaction, and writes one audit row per user newly forgotten (hash, tables, rows
 * deleted, when). Running it again for the same users changes nothing.
 */
export interface UserEraser {
  forget(users: readonly ForgottenHash[], at: number): Promise<ForgetOutcome>;
}
