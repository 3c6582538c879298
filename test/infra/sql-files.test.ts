import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readFactQueries } from '../../infra/sql-files.js';

const RENDER = { datasets: { raw: 'raw_prod', analytics: 'marts_prod' }, lookbackDays: 30 };

function sqlTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sql-files-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('readFactQueries', () => {
  it('reads the numbered model files in order, as the local runner does, leaving out everything else', () => {
    const root = sqlTree({
      '20_b.sql': 'select 2',
      '10_a.sql': 'select 1',
      'staging/05_s.sql': 'select 0',
      'duckdb/prelude.sql': 'create macro x() as 1',
      'assertions/grain.sql': 'select 1 where false',
      'README.md': '# not sql',
    });
    assert.deepEqual(
      readFactQueries(root, RENDER).map((q) => q.key),
      ['10_a', '20_b'],
    );
  });

  it('finds nothing when sql/ does not exist', () => {
    assert.deepEqual(readFactQueries(join(tmpdir(), 'no-such-sql-dir'), RENDER), []);
  });

  it("renders the stack's dataset names and fact lookback", () => {
    const root = sqlTree({
      '10_a.sql':
        'MERGE INTO iterable_analytics.f USING iterable_raw.email_send_raw WHERE d >= INTERVAL 7 /* lookback_days */ DAY',
    });
    assert.equal(
      readFactQueries(root, RENDER)[0]?.sql,
      'MERGE INTO marts_prod.f USING raw_prod.email_send_raw WHERE d >= INTERVAL 30 /* lookback_days */ DAY',
    );
  });
});
