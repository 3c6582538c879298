/**
 * The BigQuery warehouse's staging schemas and replacing transaction pass Google's ZetaSQL
 * analysis for every stream: staged columns convert to the raw table's types (TIMESTAMP_MILLIS,
 * PARSE_JSON), the parameters have the types the adapter sends, and every name resolves.
 */
import { after, before, describe, it } from 'node:test';
import { STREAMS } from '../../../functions/src/catalog.js';
import { loadPlan } from '../../../functions/src/gcp/bigquery-load.js';
import { rawSchemas } from '../../sql/support/schemas.js';
import { catalogColumn, ZetaSqlAnalyzer } from '../../sql/support/zetasql.js';

const PROJECT = 'test-project';
const STAGING = { rows: '_staging_rows', rejects: '_staging_rejects' };
const LOAD = { window: { start: 0, end: 3600_000 }, runId: 'run', loadedAt: 3600_000 } as const;

describe('the replacing transaction as BigQuery SQL (ZetaSQL)', () => {
  let analyzer: ZetaSqlAnalyzer;
  before(async () => {
    analyzer = await ZetaSqlAnalyzer.start();
  });
  after(() => analyzer?.close());

  for (const stream of STREAMS) {
    it(`analyzes ${stream.name}'s transaction against its staging tables`, async () => {
      const plan = loadPlan(stream, { projectId: PROJECT, dataset: 'iterable_raw' });
      const tables = rawSchemas();
      const raw = tables.get('iterable_raw');
      raw?.set(STAGING.rows, plan.rowFields.map(catalogColumn));
      raw?.set(STAGING.rejects, plan.rejectFields.map(catalogColumn));
      const { query, types } = plan.replace({ ...LOAD, stream: stream.name }, STAGING);
      // BigQuery reads `project.dataset.table` in one pair of backticks as a path; ZetaSQL reads
      // it as one name, so the path goes to the analyzer unquoted.
      await analyzer.analyzeScript(query.replaceAll('`', ''), tables, {
        parameters: types,
        project: PROJECT,
      });
    });
  }
});
