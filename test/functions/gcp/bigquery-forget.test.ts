/**
 * The forget step's BigQuery SQL passes Google's ZetaSQL analysis against every table it deletes
 * from: the count query and the deleting transaction, with the parameter types the eraser sends.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STREAMS } from '../../../functions/src/catalog.js';
import { FORGET_TARGETS } from '../../../functions/src/forget-tables.js';
import { countQuery, forgetScript } from '../../../functions/src/gcp/bigquery-forget.js';
import { LIVE_DATASET } from '../../../functions/src/live/live-tables.js';
import { rawSchemas } from '../../sql/support/schemas.js';
import {
  type CatalogColumn,
  catalogColumn,
  type TableSchemas,
  ZetaSqlAnalyzer,
} from '../../sql/support/zetasql.js';

const PROJECT = 'test-project';
const DATASETS = {
  projectId: PROJECT,
  raw: 'iterable_raw',
  analytics: 'iterable_analytics',
  live: LIVE_DATASET,
};

/** The raw tables, and the tables outside the catalog with the identifier columns they declare. */
function schemas(): TableSchemas {
  const tables = rawSchemas();
  for (const target of FORGET_TARGETS.filter((t) => t.dataset !== 'raw')) {
    const names = new Set(
      [target.email, target.userId].flatMap((s) => (s !== null && 'column' in s ? [s.column] : [])),
    );
    const columns: CatalogColumn[] = [...names].map((name) => catalogColumn({ name, type: 'STRING' }));
    const name = DATASETS[target.dataset];
    tables.set(name, new Map([...(tables.get(name) ?? []), [target.table, columns]]));
  }
  return tables;
}

describe('forgetting as BigQuery SQL (ZetaSQL)', () => {
  let analyzer: ZetaSqlAnalyzer;
  before(async () => {
    analyzer = await ZetaSqlAnalyzer.start();
  });
  after(() => analyzer?.close());

  it('covers every raw table with a user, the rejects, the per-user facts and intermediates and the live table', () => {
    const names = FORGET_TARGETS.map((t) => `${t.dataset}.${t.table}`);
    for (const table of ['raw.email_send_raw', 'raw.users_raw', 'raw.custom_event_raw']) {
      assert.ok(names.includes(table), table);
    }
    // Every stream's rejects table, never the `rejects` view over them (a view takes no DELETE).
    for (const stream of STREAMS) assert.ok(names.includes(`raw.${stream.name}_rejects`), stream.name);
    assert.ok(!names.includes('raw.rejects'));
    assert.ok(names.includes('analytics.user_engagement_fact'));
    for (const table of ['user_daily', 'campaign_recipient_daily', 'email_message_daily']) {
      assert.ok(names.includes(`analytics.${table}`), `${table} holds a row per user`);
    }
    assert.ok(names.includes('live.events'));
    assert.ok(!names.includes('raw.campaigns_raw'), 'dimensions hold no person');
  });

  it('analyzes the count query', async () => {
    await analyzer.analyzeScript(countQuery(DATASETS, FORGET_TARGETS).replaceAll('`', ''), schemas(), {
      parameters: { hashes: ['STRING'] },
      project: PROJECT,
    });
  });

  it('analyzes the deleting transaction and the audit insert', async () => {
    await analyzer.analyzeScript(forgetScript(DATASETS, FORGET_TARGETS).replaceAll('`', ''), schemas(), {
      parameters: {
        hashes: ['STRING'],
        audit_hashes: ['STRING'],
        audit_kinds: ['STRING'],
        audit_tables: ['STRING'],
        audit_rows: ['INT64'],
        forgotten_at: 'TIMESTAMP',
      },
      project: PROJECT,
    });
  });
});
