import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readArimaPlusQuery, readFactQueries } from '../../infra/sql-files.js';

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

describe('readArimaPlusQuery', () => {
  it("reads sql/bigquery-ml/metric_arima_plus.sql, rendered with the stack's datasets and lookback", () => {
    const root = sqlTree({
      'bigquery-ml/metric_arima_plus.sql':
        'CREATE OR REPLACE MODEL iterable_analytics.metric_arima_plus; SELECT INTERVAL 7 /* lookback_days */ DAY',
    });
    const query = readArimaPlusQuery(root, RENDER);
    assert.equal(query.key, 'metric_arima_plus');
    assert.equal(
      query.sql,
      'CREATE OR REPLACE MODEL marts_prod.metric_arima_plus; SELECT INTERVAL 30 /* lookback_days */ DAY',
    );
  });

  it('is no model file: the local runner and the deploy-time setup never see it', () => {
    const root = sqlTree({ '10_a.sql': 'select 1', 'bigquery-ml/metric_arima_plus.sql': 'select 2' });
    assert.deepEqual(
      readFactQueries(root, RENDER).map((q) => q.key),
      ['10_a'],
    );
  });
});
