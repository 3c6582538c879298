/**
 * The record readers are the worker's hand-written hot path; this test holds them to a zod
 * schema derived from the same catalog columns (the straightforward form they replace for speed):
 * for any record, both accept or both refuse it, and accepted ones give the same cells.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { type Column, type ColumnType, STREAMS } from '../../functions/src/catalog.js';
import { parseIterableTimestamp } from '../../functions/src/iterable/timestamps.js';
import type { Cell } from '../../functions/src/ports.js';
import { RECORD_READERS } from '../../functions/src/records.js';

const ORACLE_TYPES: Record<ColumnType, z.ZodType<Cell>> = {
  STRING: z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]),
  INT64: z.union([
    z.number().int().refine(Number.isSafeInteger),
    z
      .string()
      .regex(/^-?\d{1,18}$/)
      .transform(Number)
      .refine(Number.isSafeInteger),
  ]),
  FLOAT64: z.union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/)
      .transform(Number),
  ]),
  BOOL: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]),
  TIMESTAMP: z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = parseIterableTimestamp(value);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: 'not an Iterable timestamp' });
      return z.NEVER;
    }
    return ms;
  }),
  JSON: z.unknown().transform((v) => JSON.stringify(v)),
};

function oracle(columns: readonly Column[]) {
  const field = (c: Column) => {
    const type = ORACLE_TYPES[c.type];
    return c.required ? type : type.nullish().transform((v) => v ?? null);
  };
  return z.looseObject(Object.fromEntries(columns.map((c) => [c.field, field(c)])));
}

const timestampText = fc
  .integer({ min: Date.UTC(2013, 0, 1), max: Date.UTC(2099, 0, 1) })
  .chain((ms) =>
    fc.constantFrom(
      `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +00:00`,
      `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +0000`,
      new Date(ms).toISOString(),
      String(ms),
    ),
  );

/** Values a field of each type normally holds, so that many whole records are valid. */
const VALID: Record<ColumnType, fc.Arbitrary<unknown>> = {
  STRING: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
  INT64: fc.oneof(fc.integer(), fc.integer().map(String)),
  FLOAT64: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('1.5', '-2e3')),
  BOOL: fc.oneof(fc.boolean(), fc.constantFrom('true', 'false')),
  TIMESTAMP: timestampText,
  JSON: fc.oneof(fc.array(fc.integer(), { maxLength: 3 }), fc.string({ maxLength: 4 })),
};

/** Values of every shape Iterable might send for a field, valid or not. */
const anything = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc.constantFrom('true', 'false', '1.5e3', '-0', '007', '12345678901234567890', ''),
  fc.integer({ min: Date.UTC(2013, 0, 1), max: Date.UTC(2099, 0, 1) }),
  timestampText,
  fc.constantFrom('2026-02-31 10:00:00 +00:00', '2026-10-01 24:00:00', 'yesterday'),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

describe('the record readers, against a zod schema of the same columns', () => {
  for (const stream of STREAMS) {
    it(`${stream.name}: accept and refuse the same records, with the same cells`, () => {
      const schema = oracle(stream.columns);
      const reader = RECORD_READERS[stream.name];
      const value = (c: Column) =>
        fc.oneof({ arbitrary: VALID[c.type], weight: 12 }, { arbitrary: anything, weight: 1 });
      const record = fc.record(Object.fromEntries(stream.columns.map((c) => [c.field, value(c)])));
      let accepted = 0;
      fc.assert(
        fc.property(record, (r) => {
          const clean = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
          const expected = schema.safeParse(clean);
          const cells = reader.read(clean);
          assert.equal(cells !== null, expected.success, JSON.stringify(clean));
          if (expected.success) accepted++;
          if (expected.success && cells) {
            const data = expected.data as Record<string, Cell>;
            assert.deepEqual(
              cells,
              stream.columns.map((c) => data[c.field] ?? null),
            );
          }
        }),
        { numRuns: 300 },
      );
      assert.ok(accepted >= 30, `valid records were tried too (${accepted} of 300)`);
    });
  }
});
