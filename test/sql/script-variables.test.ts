import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { modelFiles } from '../../sql/render.js';
import { duckDbScript, scriptVariables } from '../../sql/script-variables.js';

const SCRIPT = `DECLARE events_from TIMESTAMP;
CREATE TABLE IF NOT EXISTS a.t (events_from_x INT64);
SET events_from = (SELECT MIN(created_at) FROM a.t);
SELECT * FROM a.t WHERE created_at >= events_from AND t.events_from IS NULL;`;

describe('script variables', () => {
  it('lists the declared variables with their types', () => {
    assert.deepEqual(scriptVariables(SCRIPT), [{ name: 'events_from', type: 'TIMESTAMP' }]);
  });

  it('renders them as DuckDB session variables, leaving columns of the same prefix or table alone', () => {
    assert.equal(
      duckDbScript(SCRIPT),
      `CREATE TABLE IF NOT EXISTS a.t (events_from_x INT64);
SET VARIABLE events_from = (SELECT MIN(created_at) FROM a.t);
SELECT * FROM a.t WHERE created_at >= getvariable('events_from') AND t.events_from IS NULL;`,
    );
  });

  it('renders a filter on an ARRAY variable as a subquery over its elements, which DuckDB takes', () => {
    const sql = `DECLARE ids ARRAY<INT64>;
SET ids = (SELECT ARRAY_AGG(DISTINCT id) FROM a.t);
SELECT * FROM a.u WHERE id IN UNNEST(ids);`;
    assert.deepEqual(scriptVariables(sql), [{ name: 'ids', type: 'ARRAY<INT64>' }]);
    assert.equal(
      duckDbScript(sql),
      `SET VARIABLE ids = (SELECT ARRAY_AGG(DISTINCT id) FROM a.t);
SELECT * FROM a.u WHERE id IN (SELECT UNNEST(getvariable('ids')));`,
    );
  });

  for (const file of modelFiles().filter((f) =>
    /\bcreated_at >= events_from\b/.test(readFileSync(f, 'utf8')),
  )) {
    it(`${basename(file)} declares what it reads raw tables from, and leaves no DECLARE for DuckDB`, () => {
      const sql = readFileSync(file, 'utf8');
      assert.deepEqual(scriptVariables(sql)[0], { name: 'events_from', type: 'TIMESTAMP' });
      assert.doesNotMatch(duckDbScript(sql), /^DECLARE /m);
    });
  }
});
