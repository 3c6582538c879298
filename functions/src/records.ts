/**
 * Record readers, derived from the catalog's columns: one per stream checks the known fields of
 * an Iterable record and turns them into raw table cells, in catalog order. Unknown fields pass
 * through untouched; the whole original line is kept in `payload` anyway.
 *
 * Written by hand rather than as zod schemas: this is the worker's per-record hot path, and a zod
 * object schema cost more per record than `JSON.parse` of the line itself (bench/README.md).
 */
import { type Column, type ColumnType, STREAMS, type StreamName } from './catalog.js';
import { parseIterableTimestamp } from './iterable/timestamps.js';
import type { Cell } from './ports.js';

/** What a cell reader returns for a value of the wrong type or form. */
const INVALID = Symbol('invalid');

interface CellType {
  /** The cell of a present (not null, not undefined) value, or INVALID. */
  readonly read: (value: unknown) => Cell | typeof INVALID;
  /** Says what `read` accepts, for a reject's reason. */
  readonly expected: string;
}

const INTEGER_TEXT = /^-?\d{1,18}$/;
const FLOAT_TEXT = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

const CELL_TYPES: Readonly<Record<ColumnType, CellType>> = {
  // Iterable sends ids such as userId as strings or numbers depending on the project; both are text.
  STRING: {
    read: (v) =>
      typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : INVALID,
    expected: 'a string, number or boolean',
  },
  INT64: {
    read: (v) =>
      typeof v === 'number'
        ? Number.isSafeInteger(v)
          ? v
          : INVALID
        : typeof v === 'string' && INTEGER_TEXT.test(v)
          ? Number(v)
          : INVALID,
    expected: 'an integer, or its decimal text',
  },
  FLOAT64: {
    read: (v) =>
      typeof v === 'number' ? v : typeof v === 'string' && FLOAT_TEXT.test(v) ? Number(v) : INVALID,
    expected: 'a number, or its decimal text',
  },
  BOOL: {
    read: (v) => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : INVALID),
    expected: 'a boolean, or "true" or "false"',
  },
  TIMESTAMP: {
    read: (v) => parseIterableTimestamp(v) ?? INVALID,
    expected: 'an Iterable timestamp',
  },
  JSON: { read: (v) => JSON.stringify(v), expected: 'any JSON value' },
};

export interface RecordReader {
  /** The record's cells in catalog order, or `null` when a known field is missing or malformed. */
  read(record: Readonly<Record<string, unknown>>): Cell[] | null;
  /** Why `read` refused the record, one entry per bad field (`campaignId: expected …`). */
  issues(record: Readonly<Record<string, unknown>>): string[];
}

function recordReader(columns: readonly Column[]): RecordReader {
  const fields = columns.map((c) => c.field);
  const reads = columns.map((c) => CELL_TYPES[c.type].read);
  const required = columns.map((c) => c.required === true);
  return {
    read(record) {
      const cells = new Array<Cell>(fields.length);
      for (let k = 0; k < fields.length; k++) {
        const value = record[fields[k] as string];
        if (value === undefined || value === null) {
          if (required[k]) return null;
          cells[k] = null;
          continue;
        }
        const cell = (reads[k] as CellType['read'])(value);
        if (cell === INVALID) return null;
        cells[k] = cell;
      }
      return cells;
    },
    issues(record) {
      return columns.flatMap((c) => {
        const value = record[c.field];
        if (value === undefined || value === null) return c.required ? [`${c.field}: required`] : [];
        const type = CELL_TYPES[c.type];
        if (type.read(value) !== INVALID) return [];
        const got = JSON.stringify(value);
        return [
          c.type === 'TIMESTAMP'
            ? `${c.field}: not an Iterable timestamp: ${got}`
            : `${c.field}: expected ${type.expected} (got ${got})`,
        ];
      });
    },
  };
}

/** Built once per stream at module load: the worker's hot path only runs them. */
export const RECORD_READERS = Object.fromEntries(
  STREAMS.map((s) => [s.name, recordReader(s.columns)]),
) as Record<StreamName, RecordReader>;
