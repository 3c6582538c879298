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
    assert.deepEqual(declaredTables(sql), [{ table: 'a.t', columns: ['id', 'price', 'tags'] }]);
  });
});

describe('changedTables', () => {
  const declared = [
    { table: 'a.same', columns: ['id', 'x'] },
    { table: 'a.fewer', columns: ['id', 'x'] },
    { table: 'a.more', columns: ['id'] },
    { table: 'a.renamed', columns: ['id', 'y'] },
    { table: 'a.new', columns: ['id'] },
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
