/**
 * Every file of sql/ passes Google's ZetaSQL analysis with BigQuery's settings, against schemas
 * derived from the catalog: a wrong column, table, function or type fails here, offline.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertionFiles } from '../../local/sql/assertions.js';
import { modelFiles, SQL_DIR } from '../../sql/render.js';
import { rawSchemas } from './support/schemas.js';
import { SqlAnalysisError, type TableSchemas, ZetaSqlAnalyzer } from './support/zetasql.js';

const read = (file: string) => readFileSync(file, 'utf8');

describe('sql/ as BigQuery SQL (ZetaSQL)', () => {
  let analyzer: ZetaSqlAnalyzer;
  /** Grows file by file with the tables and views the models create, as in a real build. */
  const tables: TableSchemas = rawSchemas();

  before(async () => {
    analyzer = await ZetaSqlAnalyzer.start();
  });
  after(() => analyzer?.close());

  for (const file of modelFiles()) {
    it(`analyzes ${basename(file)}`, async () => {
      await analyzer.analyzeScript(read(file), tables);
    });
  }

  for (const file of assertionFiles()) {
    it(`analyzes assertions/${basename(file)}`, async () => {
      await analyzer.analyzeScript(read(file), tables);
    });
  }

  it('registered every fact table the models create', () => {
    const analytics = [...(tables.get('iterable_analytics')?.keys() ?? [])].sort();
    for (const table of [
      'campaign_fact_table',
      'campaign_recipient_daily',
      'campaign_reconciliation',
      'email_funnel_fact',
      'email_message_daily',
      'email_performance_fact',
      'email_send_cohort_fact',
      'unsubscribe_fact',
      'user_daily',
      'user_engagement_fact',
    ]) {
      assert.ok(analytics.includes(table), `${table} missing from ${analytics.join(', ')}`);
    }
  });

  /** The raw schemas plus the staging views, for a fact file analyzed on its own. */
  const withStaging = () => {
    const copy = rawSchemas();
    copy.set('iterable_analytics', new Map(tables.get('iterable_analytics')));
    return copy;
  };
  const stagingEvents = () => read(join(SQL_DIR, '03_stg_email_events.sql'));
  const broken = [
    {
      name: 'a column the raw table does not have',
      sql: () => stagingEvents().replace('proxy_source IS NOT NULL', 'proxysource IS NOT NULL'),
      error: /Unrecognized name: proxysource/,
    },
    {
      name: 'a value of the wrong type',
      sql: () => stagingEvents().replace('total AS revenue', 'email AS revenue'),
      error: /in UNION ALL has incompatible types/,
    },
    {
      name: 'a wrong column in a later statement of a script',
      sql: () =>
        read(join(SQL_DIR, '10_campaign_fact_table.sql')).replace(
          'ended_at = source.ended_at',
          'ended_at = source.end_at',
        ),
      error: /Name end_at not found inside source/,
      schemas: withStaging,
    },
    {
      name: 'a script variable of the wrong type for its use',
      sql: () =>
        read(join(SQL_DIR, '11_email_performance_fact.sql')).replace(
          'DECLARE events_from TIMESTAMP;',
          'DECLARE events_from INT64;',
        ),
      error: /No matching signature for operator >=/,
      schemas: withStaging,
    },
    {
      name: 'a type BigQuery does not have',
      sql: () => 'SELECT CAST(1 AS DOUBLE) AS x',
      error: /Type not found: DOUBLE/,
    },
    {
      name: 'a table that does not exist',
      sql: () => stagingEvents().replace('iterable_raw.email_click_raw', 'iterable_raw.email_clicks_raw'),
      error: /Table not found: iterable_raw.email_clicks_raw/,
    },
    {
      name: 'a DuckDB-only function',
      sql: () => 'SELECT list_value(1, 2) AS x',
      error: /Function not found: list_value/,
    },
  ];
  for (const { name, sql, error, schemas = rawSchemas } of broken) {
    it(`rejects ${name}`, async () => {
      await assert.rejects(analyzer.analyzeScript(sql(), schemas()), (e: unknown) => {
        assert.ok(e instanceof SqlAnalysisError);
        assert.match(e.message, error);
        return true;
      });
    });
  }
});
