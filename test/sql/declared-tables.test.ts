import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changedTables, declaredTables } from '../../sql/declared-tables.js';

describe('declaredTables', () => {
  it('reads each CREATE TABLE IF NOT EXISTS with its column names, outside comments and nested types', () => {
    const sql = `-- CREATE TABLE IF NOT EXISTS a.commented (x INT64)
CREATE TABLE IF NOT EXISTS a.t (
  id INT64,
  price NUMERIC(10, 2),
  tags ARRAY<STRUCT<k STRING, v STRING>>
);
CREATE OR REPLACE TABLE a.replaced AS SELECT 1 AS x;`;
    assert.deepEqual(declaredTables(sql), [
      {
        table: 'a.t',
        columns: [
          { name: 'id', type: 'INT64' },
          { name: 'price', type: 'NUMERIC(10, 2)' },
          { name: 'tags', type: 'ARRAY<STRUCT<k STRING, v STRING>>' },
        ],
      },
    ]);
  });
});

describe('changedTables', () => {
  const table = (name: string, ...columns: string[]) => ({
    table: name,
    columns: columns.map((c) => ({ name: c, type: 'INT64' })),
  });
  const declared = [
    table('a.same', 'id', 'x'),
    table('a.fewer', 'id', 'x'),
    table('a.more', 'id'),
    table('a.renamed', 'id', 'y'),
    table('a.new', 'id'),
  ];
  it('names the tables that exist with another set of columns, ignoring order and case', () => {
    const existing = new Map([
      ['a.same', ['X', 'id']],
      ['a.fewer', ['id']],
      ['a.more', ['id', 'x']],
      ['a.renamed', ['id', 'x']],
    ]);
    assert.deepEqual(
      changedTables(declared, existing).map((d) => d.table),
      ['a.fewer', 'a.more', 'a.renamed'],
    );
  });
});
