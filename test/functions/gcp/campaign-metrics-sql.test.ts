/**
 * The campaign metrics transaction passes Google's ZetaSQL analysis against the real
 * `campaign_metrics_raw` schema, with the parameter types the adapter sends: every JSON field
 * casts to its column's type and every name resolves.
 */
import { after, before, describe, it } from 'node:test';
import { replaceCampaignMetricsScript } from '../../../functions/src/gcp/bigquery-campaign-metrics.js';
import { rawSchemas } from '../../sql/support/schemas.js';
import { ZetaSqlAnalyzer } from '../../sql/support/zetasql.js';

const PROJECT = 'test-project';

describe('the campaign metrics transaction as BigQuery SQL (ZetaSQL)', () => {
  let analyzer: ZetaSqlAnalyzer;
  before(async () => {
    analyzer = await ZetaSqlAnalyzer.start();
  });
  after(() => analyzer?.close());

  it('analyzes the delete and insert of a batch of campaigns', async () => {
    const script = replaceCampaignMetricsScript({ projectId: PROJECT, dataset: 'iterable_raw' });
    // As in replace-sql.test.ts: ZetaSQL reads a backticked path as one name.
    await analyzer.analyzeScript(script.replaceAll('`', ''), rawSchemas(), {
      parameters: {
        campaign_ids: ['INT64'],
        rows: 'STRING',
        window_start: 'TIMESTAMP',
        window_end: 'TIMESTAMP',
        loaded_at: 'TIMESTAMP',
      },
      project: PROJECT,
    });
  });
});
