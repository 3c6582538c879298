/**
 * Keeps a stream's ledger under Firestore's 1 MiB document limit
 * (https://cloud.google.com/firestore/quotas#limits): the GCP state store keeps a stream's whole
 * ledger in one document, and a document over the limit makes every later state write of that
 * stream fail. Records themselves are small and bounded in number (the retention and
 * `MAX_BACKFILL_WINDOWS`); what can grow is `lastError`, which a failing BigQuery job or export can
 * fill with kilobytes. So each error is cut to `MAX_ERROR_CHARS`, and while the ledger is still
 * over budget the errors of the longest-failed windows are cut shorter, oldest first, sparing the
 * newest few. The full message is always in the worker's ERROR log line. With every window failed,
 * a full backfill (`MAX_BACKFILL_WINDOWS`) plus a week of 15-minute advance and lookback windows
 * fits (test/functions/gcp/firestore-state-store.test.ts, on the emulator).
 */
import type { StreamState, WindowRecord } from '../ports.js';

/** What one error may keep: the start of a BigQuery or Iterable message, which says what failed. */
export const MAX_ERROR_CHARS = 1000;

/** The most recent failures, whose errors an operator reads first, are never cut further. */
const KEEP_NEWEST = 20;

/** Shorter lengths the oldest errors are cut to, in turn, while the ledger is over budget. */
const SHED_ERROR_CHARS = [120, 32] as const;

/** 1 MiB less room for the document's name and one more window record. */
export const LEDGER_BUDGET_BYTES = 1_048_576 - 64 * 1024;

const ELLIPSIS = '…';

export const truncateError = (error: string, max: number = MAX_ERROR_CHARS): string =>
  error.length <= max ? error : `${error.slice(0, max - ELLIPSIS.length)}${ELLIPSIS}`;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Firestore's size of a value (https://cloud.google.com/firestore/docs/storage-size): a string is
 * its UTF-8 bytes + 1, a number 8, a boolean or null 1, a map the sum of each field name's bytes
 * + 1 and its value, an array the sum of its values.
 */
export function storedBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 8;
  if (typeof value === 'string') return utf8(value) + 1;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + storedBytes(v), 0);
  if (typeof value === 'object') {
    return Object.entries(value).reduce((sum, [key, v]) => sum + utf8(key) + 1 + storedBytes(v), 0);
  }
  return 0;
}

/** The ledger with every error bounded, and the oldest failures' errors cut until it fits the budget. */
export function boundLedger(state: StreamState): StreamState {
  let windows: WindowRecord[] = state.windows.map((w) =>
    w.lastError !== null && w.lastError.length > MAX_ERROR_CHARS
      ? { ...w, lastError: truncateError(w.lastError) }
      : w,
  );
  const size = () => storedBytes({ watermark: state.watermark, windows, loaded: state.loaded ?? [] });
  const oldestFirst = windows
    .map((w, index) => ({ index, updatedAt: w.updatedAt }))
    .filter(({ index }) => windows[index]?.lastError)
    .sort((a, b) => a.updatedAt - b.updatedAt)
    .slice(0, -KEEP_NEWEST);
  for (const max of SHED_ERROR_CHARS) {
    if (size() <= LEDGER_BUDGET_BYTES) break;
    windows = [...windows];
    let bytes = size();
    for (const { index } of oldestFirst) {
      if (bytes <= LEDGER_BUDGET_BYTES) break;
      const record = windows[index];
      if (!record?.lastError || record.lastError.length <= max) continue;
      const shorter = truncateError(record.lastError, max);
      bytes -= utf8(record.lastError) - utf8(shorter);
      windows[index] = { ...record, lastError: shorter };
    }
  }
  const changed = windows.some((w, i) => w !== state.windows[i]);
  return changed ? { ...state, windows } : state;
}
