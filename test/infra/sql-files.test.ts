import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readFactQueries, substituteDatasets } from '../../infra/sql-files.js';

const DATASETS = { raw: 'raw_prod', analytics: 'marts_prod' };

function sqlTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sql-files-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('readFactQueries', () => {
  it('reads every .sql file in path order, leaving out the DuckDB prelude and the assertions', () => {
    const root = sqlTree({
      '20_b.sql': 'select 2',
      '10_a.sql': 'select 1',
      'staging/05_s.sql': 'select 0',
      'duckdb/prelude.sql': 'create macro x() as 1',
      'assertions/grain.sql': 'select 1 where false',
      'README.md': '# not sql',
    });
    assert.deepEqual(
      readFactQueries(root, DATASETS).map((q) => q.key),
      ['10_a', '20_b', 'staging-05_s'],
    );
  });

  it('finds nothing when sql/ does not exist', () => {
    assert.deepEqual(readFactQueries(join(tmpdir(), 'no-such-sql-dir'), DATASETS), []);
  });

  it('replaces the default dataset names as whole words only', () => {
    assert.equal(
      substituteDatasets(
        'MERGE INTO iterable_analytics.f USING iterable_raw.email_send_raw, my_iterable_raw.x, iterable_raw_old.y',
        DATASETS,
      ),
      'MERGE INTO marts_prod.f USING raw_prod.email_send_raw, my_iterable_raw.x, iterable_raw_old.y',
    );
  });
});
