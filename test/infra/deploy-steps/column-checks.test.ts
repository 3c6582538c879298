import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withColumnChecks } from '../../../infra/deploy-steps/column-checks.js';

const FACT = `DECLARE events_from TIMESTAMP;
-- a comment with CREATE TABLE IF NOT EXISTS x.y (a INT64) in it
CREATE TABLE IF NOT EXISTS facts.daily (
  event_on DATE,
  Amount NUMERIC(10, 2),
  tags ARRAY<STRING>
);
CREATE TABLE IF NOT EXISTS facts.other (id INT64);`;

describe('column checks at deploy', () => {
  it('puts before each file that declares tables a job that drops those whose columns changed', () => {
    const files = withColumnChecks([
      { key: '01_view', sql: 'CREATE OR REPLACE VIEW facts.v AS SELECT 1 AS x' },
      { key: '10_fact', sql: FACT },
    ]);
    assert.deepEqual(
      files.map((f) => f.key),
      ['01_view', '10_fact_columns', '10_fact'],
    );
    const check = files[1]?.sql ?? '';
    assert.match(
      check,
      /FROM facts\.INFORMATION_SCHEMA\.COLUMNS WHERE table_name = 'daily'\n\) != 'amount,event_on,tags', FALSE\) THEN\n {2}DROP TABLE facts\.daily;/,
    );
    assert.match(check, /table_name = 'other'\n\) != 'id', FALSE\) THEN\n {2}DROP TABLE facts\.other;/);
    assert.doesNotMatch(check, /x\.y/, 'commented-out SQL declares nothing');
    assert.equal(files[2]?.sql, FACT, 'the file itself is unchanged');
  });
});
