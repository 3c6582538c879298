import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { runModels } from '../../../local/sql/models.js';
import { campaignSummary, reconciliationSummary } from '../../../local/sql/summary.js';

describe('runModels', () => {
  it('builds every table in the configured datasets, with the lookback asked for', async () => {
    const warehouse = await DuckDbWarehouse.open(':memory:', { raw: 'raw_x', analytics: 'facts_x' });
    try {
      const runs = await runModels(warehouse, { lookbackDays: 3 });
      assert.ok(runs.filter((r) => /\/1\d_/.test(r.file)).length >= 5);
      assert.ok(runs.every((r) => r.lookbackDays === 3));
      const tables = await warehouse.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'facts_x' ORDER BY 1`,
      );
      assert.deepEqual(
        tables.map((t) => t.name),
        [
          'campaign_fact_table',
          'campaign_recipient_daily',
          'campaign_recipient_last_send',
          'campaign_recipient_lifetime',
          'campaign_reconciliation',
          'email_funnel_fact',
          'email_message_daily',
          'email_performance_fact',
          'email_send_cohort_fact',
          'lifetime_settled_dates',
          'live_campaign_today',
          'live_email_events',
          'metric_anomalies',
          'metric_baselines',
          'metric_daily_series',
          'metric_forecast',
          'rebuild_start',
          'send_hour_performance',
          'send_hour_recommendation',
          'stg_campaigns',
          'stg_email_events',
          'stg_email_events_fresh',
          'stg_message_types',
          'stg_metric_baselines',
          'stg_metric_campaign_days',
          'stg_metric_settings',
          'stg_rebuild_from',
          'unsubscribe_fact',
          'user_daily',
          'user_engagement_fact',
          'user_lifetime',
          'user_profiles',
        ],
      );
      assert.deepEqual(await campaignSummary(warehouse), []);
      assert.deepEqual(await reconciliationSummary(warehouse), {
        campaigns: 0,
        reconciled: 0,
        mismatches: [],
      });
    } finally {
      await warehouse.close();
    }
  });

  it('names the file that failed', async () => {
    const warehouse = await DuckDbWarehouse.open(':memory:');
    try {
      await warehouse.query('DROP TABLE iterable_raw.email_click_raw');
      await assert.rejects(runModels(warehouse), /03_stg_email_events\.sql failed: .*email_click_raw/);
    } finally {
      await warehouse.close();
    }
  });
});
