/**
 * How long a stream's export windows are: sized by how much data the stream has, so a quiet stream
 * is read in a few long windows and a busy one in many short ones, instead of a fixed 6 or 24 hours
 * (19 exports per day of history, 6,935 for a year, at Iterable's 4 exports a minute: 29 hours).
 *
 * - Lengths are powers of two of one minute, cut at multiples of themselves since the epoch, so
 *   every plan of the same length yields the same boundaries and so the same task names.
 * - The density bound: records per hour from the ledger's completed windows, and the longest
 *   length whose expected records stay within TARGET_RECORDS_PER_WINDOW.
 * - The growth bound: with no history a stream starts at its catalog's `firstMinutes`; each window
 *   of a plan may be twice the one before, and a plan starts at twice the longest window already
 *   completed, so a stream whose density is unknown grows ×2 per window instead of guessing.
 * - Until the ledger spans BLIND_MAX_MS, no window is longer than it: density unknown.
 * - All bounds are clamped to [MIN_WINDOW_MS, MAX_WINDOW_MS].
 */
import { type StreamName, streamByName } from '../catalog.js';
import type { WindowRecord } from '../ports.js';
import { DAY, MINUTE, SECOND } from '../time.js';

/** Aligned lengths are this unit times a power of two. */
export const BASE_UNIT_MS = MINUTE;
/** The clamp of the issue: no window is shorter than a minute (as `split.ts` MIN_PIECE_MS)… */
export const MIN_WINDOW_MS = MINUTE;
/** …nor longer than 90 days; as a power-of-two of minutes the longest is 2^16 min ≈ 45.5 days. */
export const MAX_WINDOW_MS = 90 * DAY;

/**
 * The worker's time limit: a Cloud Tasks HTTP task waits at most 30 minutes for its answer
 * (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#Task.FIELDS.dispatch_deadline),
 * so the worker's timeout (`WORKER_TIMEOUT_SECONDS`) is at most 1,800 s.
 */
export const WORKER_TIME_LIMIT_MS = 1800 * SECOND;

/**
 * A conservative rate at which Iterable streams an export. Iterable documents none; the worker's
 * own path parses and loads 70,000–300,000 records/s (bench/README.md, sections 1 and 3), so the
 * bound is Iterable's side. 500 records/s (≈ 0.25 MB/s at the ~500 B of an email event) is well
 * below any chunked HTTP stream we have seen complete, so a window sized by it finishes in time.
 */
export const CONSERVATIVE_RECORDS_PER_SECOND = 500;

/**
 * Records one window aims at: half the worker's time limit at the conservative rate
 * (900 s × 500 records/s = 450,000), the other half left for retries of a cut-off body, the
 * warehouse load and the ledger round trips.
 */
export const TARGET_RECORDS_PER_WINDOW =
  ((WORKER_TIME_LIMIT_MS / 2) * CONSERVATIVE_RECORDS_PER_SECOND) / SECOND;

/** What a stream's ledger says about its density. */
export interface Density {
  /** Records (rows and rejects) of its completed windows. */
  readonly records: number;
  /** Total length of those windows. */
  readonly spanMs: number;
  /** The longest of them: a plan may start at twice it. */
  readonly longestMs: number;
}

export const NO_HISTORY: Density = { records: 0, spanMs: 0, longestMs: 0 };

/** The completed export windows of a stream's ledger, summed. */
export function densityOf(windows: readonly WindowRecord[]): Density {
  let records = 0;
  let spanMs = 0;
  let longestMs = 0;
  for (const w of windows) {
    if (w.status !== 'done' || w.rows === null) continue;
    records += w.rows + (w.rejects ?? 0);
    spanMs += w.end - w.start;
    longestMs = Math.max(longestMs, w.end - w.start);
  }
  return { records, spanMs, longestMs };
}

export interface Sizing {
  readonly density: Density;
  /** A stream's first window, before it has any history (the catalog's `firstMinutes`). */
  readonly firstMs: number;
  readonly targetRecords: number;
}

/** The longest aligned length (base unit × 2^k) not above `ms`, within the clamp. */
export function alignedLength(ms: number): number {
  const clamped = Math.min(Math.max(ms, MIN_WINDOW_MS), MAX_WINDOW_MS);
  return BASE_UNIT_MS * 2 ** Math.floor(Math.log2(clamped / BASE_UNIT_MS) + 1e-9);
}

/** The length the density alone allows: the target's worth of records at the rate seen. */
export function densityBoundMs(density: Density, targetRecords: number): number {
  if (density.spanMs <= 0 || density.records <= 0) return MAX_WINDOW_MS;
  return (targetRecords * density.spanMs) / density.records;
}

/**
 * Longest window planned while a stream's ledger spans less than this (2^11 min ≈ 34 h): its
 * density is not known yet, and a whole backfill is planned at once, before any window completes.
 * A stream of up to ~300,000 events a day stays within TARGET_RECORDS_PER_WINDOW at this length;
 * a denser one may be cut off and split (`split.ts`) until its own windows say how dense it is.
 */
export const BLIND_MAX_MS = 2 ** 11 * MINUTE;

/** The length of the `index`-th window of a plan (0 for the first), aligned and clamped. */
export function windowLength(sizing: Sizing, index: number): number {
  const { density } = sizing;
  const start = density.longestMs > 0 ? 2 * density.longestMs : sizing.firstMs;
  // Past 2^30 the ramp is beyond any clamp; stopping there keeps the arithmetic finite.
  const grown = start * 2 ** Math.min(index, 30);
  const blind = density.spanMs < BLIND_MAX_MS ? BLIND_MAX_MS : MAX_WINDOW_MS;
  return alignedLength(Math.min(grown, blind, densityBoundMs(density, sizing.targetRecords)));
}

/** A fixed length for every window (`WINDOW_MINUTES`), or the sized length of the i-th window. */
export type WindowLength = number | ((index: number) => number);

export const sized =
  (sizing: Sizing): WindowLength =>
  (index) =>
    windowLength(sizing, index);

/**
 * A stream's window length for its next plan: `WINDOW_MINUTES` when the operator fixed one, else
 * sized from the stream's ledger, starting from the catalog's first length.
 */
export function streamWindowLength(
  stream: StreamName,
  windows: readonly WindowRecord[],
  windowMinutes: number | null,
): WindowLength {
  if (windowMinutes !== null) return windowMinutes * MINUTE;
  return sized({
    density: densityOf(windows),
    firstMs: streamByName(stream).window.firstMinutes * MINUTE,
    targetRecords: TARGET_RECORDS_PER_WINDOW,
  });
}
