/**
 * Every statement the API can send passes Google's ZetaSQL analysis with BigQuery's settings,
 * against the fact tables sql/ creates, with its parameters typed as the BigQuery client types
 * them (strings STRING, whole numbers INT64): every sort, grouping and filter combination.
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { anomaliesStatement } from '../../../functions/src/api/anomalies.js';
import type { Statement } from '../../../functions/src/api/fact-reader.js';
import {
  campaignCohortsStatement,
  campaignSeriesStatement,
  campaignStatement,
  campaignsStatement,
  DAILY_GROUPINGS,
  dailyStatement,
  funnelStatement,
  SORT_COLUMNS,
  unsubscribesStatement,
} from '../../../functions/src/api/queries.js';
import { modelFiles } from '../../../sql/render.js';
import { rawSchemas } from '../../sql/support/schemas.js';
import { type TableSchemas, ZetaSqlAnalyzer } from '../../sql/support/zetasql.js';

const DATASET = 'iterable_analytics';
const PAGE = { limit: 100, offset: 200 };
const RANGE = { from: '2026-10-01', to: '2026-11-01' };
const ALL_FILTERS = { message_type: 1, channel: 2, campaign: 3 };

const STATEMENTS: [string, Statement][] = [
  ...SORT_COLUMNS.map((column): [string, Statement] => [
    `campaigns sorted by ${column}`,
    campaignsStatement(
      DATASET,
      { range: RANGE, filters: ALL_FILTERS, sort: { column, descending: true } },
      PAGE,
    ),
  ]),
  [
    'campaigns without filters',
    campaignsStatement(
      DATASET,
      { range: {}, filters: {}, sort: { column: 'campaign_id', descending: false } },
      PAGE,
    ),
  ],
  ['one campaign', campaignStatement(DATASET, 7)],
  ['a campaign series', campaignSeriesStatement(DATASET, 7)],
  ['a campaign cohort series', campaignCohortsStatement(DATASET, 7)],
  ...DAILY_GROUPINGS.flatMap((groupBy): [string, Statement][] => [
    [`daily by ${groupBy}`, dailyStatement(DATASET, { range: RANGE, filters: {}, groupBy }, PAGE)],
    [
      `daily by ${groupBy}, filtered`,
      dailyStatement(DATASET, { range: RANGE, filters: ALL_FILTERS, groupBy }, PAGE),
    ],
  ]),
  ['funnel', funnelStatement(DATASET, {}, PAGE)],
  ['funnel, filtered', funnelStatement(DATASET, ALL_FILTERS, PAGE)],
  ['unsubscribes', unsubscribesStatement(DATASET, { range: RANGE, messageType: undefined }, PAGE)],
  ['unsubscribes, filtered', unsubscribesStatement(DATASET, { range: RANGE, messageType: 4 }, PAGE)],
  [
    'anomalies',
    anomaliesStatement({ ...RANGE, series: undefined, metric: undefined, kind: undefined }, DATASET, PAGE),
  ],
  [
    'anomalies, filtered',
    anomaliesStatement(
      { ...RANGE, series: 'campaign:7', metric: 'bounce_rate', kind: 'guardrail' },
      DATASET,
      PAGE,
    ),
  ],
];

describe('the API’s statements as BigQuery SQL (ZetaSQL)', () => {
  let analyzer: ZetaSqlAnalyzer;
  const tables: TableSchemas = rawSchemas();

  before(async () => {
    analyzer = await ZetaSqlAnalyzer.start();
    // The models create the fact tables, file by file, as a real build does.
    for (const file of modelFiles()) await analyzer.analyzeScript(readFileSync(file, 'utf8'), tables);
  });
  after(() => analyzer?.close());

  for (const [name, statement] of STATEMENTS) {
    it(`analyzes ${name}`, async () => {
      const parameters = Object.fromEntries(
        Object.entries(statement.params).map(
          ([k, v]) => [k, typeof v === 'number' ? 'INT64' : 'STRING'] as const,
        ),
      );
      await analyzer.analyzeScript(statement.sql, tables, { parameters });
    });
  }
});
