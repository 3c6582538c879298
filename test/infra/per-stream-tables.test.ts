/**
 * The tables every stream's loads write are split per stream under mocks (so two streams' load
 * transactions never write one table), with the view of the shared name over them for readers.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { STREAMS } from '../../functions/src/catalog.js';
import { LOADED_EDGES, type PerStreamTables, REJECTS } from '../../functions/src/per-stream-tables.js';
import { type MockedProgram, type MockResource, PROJECT, runProgram } from './mock-program.js';

const rawTables = (program: MockedProgram): Map<string, MockResource> =>
  new Map(
    program.resources
      .filter((r) => r.type === 'gcp:bigquery/table:Table' && r.inputs.datasetId === 'iterable_raw')
      .map((r) => [String(r.inputs.tableId), r]),
  );

describe('per-stream tables and their views under mocks', () => {
  let program: MockedProgram;
  before(async () => {
    program = await runProgram();
  });

  const cases: readonly [string, PerStreamTables, readonly string[], string | undefined][] = [
    ['rejects', REJECTS, STREAMS.map((s) => `${s.name}_rejects`), 'created_at'],
    [
      'loaded_edges',
      LOADED_EDGES,
      STREAMS.filter((s) => s.source.kind === 'export').map((s) => `${s.name}_loaded_edge`),
      undefined,
    ],
  ];
  for (const [view, tables, expected, partition] of cases) {
    it(`creates one ${view} table per stream and the ${view} view over all of them`, () => {
      const byId = rawTables(program);
      assert.deepEqual(
        tables.tables.map((t) => t.table),
        expected,
      );
      for (const tableId of expected) {
        const table = byId.get(tableId);
        assert.ok(table, tableId);
        assert.deepEqual(
          (JSON.parse(String(table.inputs.schema)) as { name: string }[]).map((f) => f.name),
          tables.columns.map((c) => c.name),
        );
        assert.deepEqual(
          (table.inputs.timePartitioning as { field?: string } | undefined)?.field,
          partition,
          tableId,
        );
      }
      const viewTable = byId.get(view);
      assert.ok(viewTable, `the ${view} view`);
      assert.equal(viewTable.inputs.schema, undefined, 'a view has no schema of its own');
      const { query, useLegacySql } = viewTable.inputs.view as { query: string; useLegacySql: boolean };
      assert.equal(useLegacySql, false);
      const read = [...query.matchAll(/FROM `([^`]+)`/g)].map((m) => m[1]);
      assert.deepEqual(
        read,
        expected.map((t) => `${PROJECT}.iterable_raw.${t}`),
      );
      assert.equal(query.split('UNION ALL').length, expected.length);
      // BigQuery checks the view's query when it is created: the tables exist first.
      for (const tableId of expected) {
        const table = byId.get(tableId);
        assert.ok(table && viewTable.dependsOn.includes(table.name), `${view} waits for ${tableId}`);
      }
    });
  }
});
