/**
 * Record schemas, derived from the catalog's columns: one zod schema per stream validates the
 * known fields of an Iterable record and turns them into raw table cells. Unknown fields pass
 * through untouched; the whole original line is kept in `payload` anyway.
 */
import { z } from 'zod';
import { type Column, type ColumnType, STREAMS, type StreamName } from './catalog.js';
import { parseIterableTimestamp } from './iterable/timestamps.js';
import type { Cell } from './ports.js';

const timestamp = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseIterableTimestamp(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `not an Iterable timestamp: ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});

const integer = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d{1,18}$/)
    .transform(Number),
]);

const float = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/)
    .transform(Number),
]);

// Iterable sends ids such as userId as strings or numbers depending on the project; both are text.
const text = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);

const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

const json = z.unknown().transform((v) => JSON.stringify(v));

const FIELD_TYPES: Record<ColumnType, z.ZodType<Cell>> = {
  STRING: text,
  INT64: integer,
  FLOAT64: float,
  BOOL: bool,
  TIMESTAMP: timestamp,
  JSON: json,
};

function fieldSchema(column: Column): z.ZodType<Cell | undefined> {
  const type = FIELD_TYPES[column.type];
  return column.required ? type : type.nullish().transform((v) => v ?? null);
}

export function recordSchema(columns: readonly Column[]) {
  return z.looseObject(Object.fromEntries(columns.map((c) => [c.field, fieldSchema(c)])));
}

/** Built once per stream at module load: the worker's hot path only runs them. */
export const RECORD_SCHEMAS = Object.fromEntries(
  STREAMS.map((s) => [s.name, recordSchema(s.columns)]),
) as Record<StreamName, ReturnType<typeof recordSchema>>;
