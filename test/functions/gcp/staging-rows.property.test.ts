/**
 * The staged rows' text is what BigQuery reads into the staging table. For any batch of rows of
 * any stream (cells holding delimiters, line ends, the null marker, surrogates, numbers that are
 * not finite; lines with raw tabs and carriage returns), every row lands in exactly one of the CSV
 * and NDJSON texts, and reading both back as the load jobs would gives each row's cells and line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type ColumnType, STREAMS } from '../../../functions/src/catalog.js';
import { loadPlan } from '../../../functions/src/gcp/bigquery-load.js';
import { NDJSON } from '../../../functions/src/gcp/staged-load.js';
import { STAGING_CSV } from '../../../functions/src/gcp/staging-csv.js';
import type { Cell, RawRow } from '../../../functions/src/ports.js';
import { readLoad } from './load-upload.js';

const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '\\N',
    '',
    ' padded ',
    'tab\t',
    '\ufeffbom',
    '\u00a0nbsp',
    'a\u0001b',
    'a\nb',
    'a\rb',
    '\ud800',
    '😀',
  ),
);

const CELLS: Readonly<Record<ColumnType, fc.Arbitrary<Cell>>> = {
  STRING: text,
  INT64: fc.maxSafeInteger(),
  FLOAT64: fc.double(),
  BOOL: fc.boolean(),
  TIMESTAMP: fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }),
  JSON: fc.json(),
};

/** A record line as an export sends it: JSON text, sometimes with a raw tab or carriage return. */
const line = fc
  .tuple(fc.json(), fc.constantFrom('', ' ', '\t', '\r', '\r\t'))
  .map(([json, space]) => `{${space}"v":${json}}`);

/** What a value becomes once staged: JSON text cannot hold numbers that are not finite. */
const staged = (cell: Cell): Cell => (typeof cell === 'number' && !Number.isFinite(cell) ? null : cell);

/** The wire carries UTF-8 bytes. */
const overTheWire = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

describe('staged rows (CSV with an NDJSON fallback)', () => {
  for (const stream of STREAMS) {
    it(`${stream.name}: every row is staged once and reads back exactly`, () => {
      const plan = loadPlan(stream, { projectId: 'p', dataset: 'iterable_raw' });
      const names = plan.rowFields.map((f) => f.name);
      const row: fc.Arbitrary<RawRow> = fc.record({
        cells: fc.tuple(...stream.columns.map((c) => fc.option(CELLS[c.type]))),
        payload: line,
      });
      fc.assert(
        fc.property(fc.array(row, { maxLength: 8 }), (rows) => {
          const { csv, ndjson } = plan.stageRows(rows);
          const schema = { fields: plan.rowFields };
          const read = [
            ...readLoad({ ...STAGING_CSV, schema }, overTheWire(csv)),
            ...readLoad({ ...NDJSON, schema }, overTheWire(ndjson)),
          ];
          const expected = rows.map((r) =>
            Object.fromEntries(
              names.map((name, k) => [name, k < r.cells.length ? staged(r.cells[k] as Cell) : r.payload]),
            ),
          );
          const key = (record: Record<string, Cell>) => JSON.stringify(names.map((n) => record[n]));
          assert.deepEqual(read.map(key).sort(), expected.map(key).sort());
        }),
        { numRuns: 150 },
      );
    });
  }
});
