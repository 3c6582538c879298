/**
 * The worker's per-record path: parse a line, validate it against the stream's columns, and turn
 * it into raw table cells, or into a reject with the reason. Nothing is dropped silently.
 */
import type { StreamDefinition, StreamName } from '../catalog.js';
import { parseIterableTimestamp } from '../iterable/timestamps.js';
import type { LoadBatch, RawRow, Reject } from '../ports.js';
import { RECORD_READERS } from '../records.js';
import { formatWindow, type Window } from './window.js';

export type Normalised = { readonly row: RawRow } | { readonly reject: Reject };

export type Normaliser = (line: string) => Normalised;

/**
 * Builds the normaliser of one stream's window. For export streams a record whose window field
 * (`createdAt`, or `profileUpdatedAt` for users) falls outside the window is rejected: loading it
 * would put a row where a later replace of this window would not delete it, and the raw table
 * could then hold it twice.
 */
export function normaliser(
  stream: StreamDefinition & { name: StreamName },
  window: Window | null,
): Normaliser {
  const reader = RECORD_READERS[stream.name];
  const windowField = stream.source.kind === 'export' ? stream.source.windowField : null;
  const windowCell = stream.columns.findIndex((c) => c.field === windowField);
  const bounds = windowField !== null && windowCell !== -1 ? window : null;
  // A reject is filed under its window time only when that lies inside the window, so the next
  // replace of the window replaces it too; otherwise it is filed under the window itself.
  const inside = (createdAt: unknown): number | null => {
    const ms = bounds === null ? null : parseIterableTimestamp(createdAt);
    return ms !== null && bounds !== null && ms >= bounds.start && ms < bounds.end ? ms : null;
  };
  return (line) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      return reject(line, `malformed JSON: ${(error as Error).message}`, null);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return reject(line, 'not a JSON object', null);
    }
    const record = value as Record<string, unknown>;
    const cells = reader.read(record);
    if (cells === null) {
      return reject(
        line,
        `invalid record: ${reader.issues(record).join('; ')}`,
        inside(windowField === null ? null : record[windowField]),
      );
    }
    if (bounds !== null) {
      const at = cells[windowCell] as number;
      if (at < bounds.start || at >= bounds.end) {
        return reject(
          line,
          `${windowField} ${new Date(at).toISOString()} is outside ${formatWindow(bounds)}`,
          null,
        );
      }
    }
    return { row: { cells, payload: line } };
  };
}

function reject(line: string, reason: string, createdAt: number | null): Normalised {
  return { reject: { line, reason, createdAt } };
}

/** Maps batches of lines to load batches, keeping Iterable's batching so memory stays flat. */
export async function* toLoadBatches(
  lines: AsyncIterable<readonly string[]>,
  normalise: Normaliser,
): AsyncIterable<LoadBatch> {
  for await (const batch of lines) {
    const rows: RawRow[] = [];
    const rejects: Reject[] = [];
    for (const line of batch) {
      const result = normalise(line);
      if ('row' in result) rows.push(result.row);
      else rejects.push(result.reject);
    }
    yield { rows, rejects };
  }
}
