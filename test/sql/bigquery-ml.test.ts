/**
 * BigQuery ML's detector (sql/bigquery-ml/metric_arima_plus.sql, anomalyDetector = arima_plus),
 * which only BigQuery runs, checked offline as far as ZetaSQL reaches:
 *   - the CREATE MODEL statement, its training query included, is analyzed against the schemas the
 *     model files create;
 *   - ZetaSQL's catalog has no BigQuery ML functions ("Table-valued function not found:
 *     ML.DETECT_ANOMALIES"), so each statement reading one is analyzed with the call replaced by a
 *     table of the function's documented output columns
 *     (https://cloud.google.com/bigquery/docs/reference/standard-sql/bigqueryml-syntax-detect-anomalies,
 *     …/bigqueryml-syntax-forecast), and the calls themselves are checked as text.
 * And on DuckDB, the robust-z files rendered for arima_plus write guardrails only, keep the
 * statistical rows another detector wrote, and forecast nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DETECTOR_FILES, insertCampaignDays, standInCampaignDays } from '../../bench/anomaly-eval.js';
import { DAY, HOUR } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { runModels } from '../../local/sql/models.js';
import { DEFAULT_DATASETS } from '../../sql/datasets.js';
import { modelFiles, renderSql, SQL_DIR } from '../../sql/render.js';
import { duckDbScript } from '../../sql/script-variables.js';
import { rawSchemas } from './support/schemas.js';
import { catalogColumn, type TableSchemas, ZetaSqlAnalyzer } from './support/zetasql.js';

const FILE = join(SQL_DIR, 'bigquery-ml', 'metric_arima_plus.sql');
const statements = () =>
  readFileSync(FILE, 'utf8')
    .split(/;\n/)
    .filter((s) => s.replace(/--.*$/gm, '').trim() !== '')
    .map((s) => `${s};`);

const DETECT =
  /ML\.DETECT_ANOMALIES\(MODEL iterable_analytics\.metric_arima_plus, STRUCT\(0\.999 AS anomaly_prob_threshold\)\)/;
const FORECAST =
  /ML\.FORECAST\(MODEL iterable_analytics\.metric_arima_plus, STRUCT\(7 AS horizon, 0\.999 AS confidence_level\)\)/;

/** The documented output of each function for this model (its id, timestamp and data columns). */
const column = (name: string, type: 'STRING' | 'FLOAT64' | 'BOOL' | 'TIMESTAMP') =>
  catalogColumn({ name, type });
const ML_OUTPUTS = new Map([
  [
    'detect_anomalies',
    [
      column('series', 'STRING'),
      column('metric', 'STRING'),
      column('metric_on', 'TIMESTAMP'),
      column('value', 'FLOAT64'),
      column('is_anomaly', 'BOOL'),
      column('lower_bound', 'FLOAT64'),
      column('upper_bound', 'FLOAT64'),
      column('anomaly_probability', 'FLOAT64'),
    ],
  ],
  [
    'forecast',
    [
      column('series', 'STRING'),
      column('metric', 'STRING'),
      column('forecast_timestamp', 'TIMESTAMP'),
      column('forecast_value', 'FLOAT64'),
      column('standard_error', 'FLOAT64'),
      column('confidence_level', 'FLOAT64'),
      column('prediction_interval_lower_bound', 'FLOAT64'),
      column('prediction_interval_upper_bound', 'FLOAT64'),
      column('confidence_interval_lower_bound', 'FLOAT64'),
      column('confidence_interval_upper_bound', 'FLOAT64'),
    ],
  ],
]);

describe('BigQuery ML detector (ZetaSQL, as far as it reaches)', () => {
  let analyzer: ZetaSqlAnalyzer;
  const tables: TableSchemas = rawSchemas();

  before(async () => {
    analyzer = await ZetaSqlAnalyzer.start();
    for (const file of modelFiles()) await analyzer.analyzeScript(readFileSync(file, 'utf8'), tables);
    tables.set('bqml_output', ML_OUTPUTS);
  });
  after(() => analyzer?.close());

  const standIn = (sql: string) =>
    sql.replace(DETECT, 'bqml_output.detect_anomalies').replace(FORECAST, 'bqml_output.forecast');

  it('is four statements: train, detect, clear the forecast, forecast', () => {
    const [train, detect, clear, forecast] = statements();
    assert.equal(statements().length, 4);
    assert.match(train ?? '', /^CREATE OR REPLACE MODEL iterable_analytics\.metric_arima_plus\s+OPTIONS \(/m);
    for (const option of [
      "model_type = 'ARIMA_PLUS'",
      "time_series_timestamp_col = 'metric_on'",
      "time_series_data_col = 'value'",
      "time_series_id_col = ['series', 'metric']",
      "data_frequency = 'DAILY'",
      'horizon = 7',
    ]) {
      assert.ok(train?.includes(option), option);
    }
    assert.match(detect ?? '', DETECT);
    assert.match(clear ?? '', /^DELETE FROM iterable_analytics\.metric_forecast/m);
    assert.match(forecast ?? '', FORECAST);
  });

  it('analyzes every statement, the ML functions read as their documented output', async () => {
    for (const statement of statements()) await analyzer.analyzeScript(standIn(statement), tables);
  });

  const broken = [
    {
      name: 'a training column the series does not have',
      from: 'series_days.value\n',
      to: 'series_days.valeu\n',
    },
    { name: 'a detector column the function does not give', from: 'WHERE is_anomaly', to: 'WHERE anomaly' },
    { name: 'a forecast column the function does not give', from: 'forecast_value AS', to: 'forecast AS' },
  ];
  for (const { name, from, to } of broken) {
    it(`fails on ${name}`, async () => {
      const script = standIn(readFileSync(FILE, 'utf8').replace(from, to));
      await assert.rejects(analyzer.analyzeScript(script, tables));
    });
  }
});

describe('robust-z files rendered for arima_plus (DuckDB)', () => {
  const FIRST = Date.UTC(2026, 0, 5);
  const DAYS = 63;
  const RUN_AT = FIRST + DAYS * DAY + 5 * HOUR;
  const day = (i: number) => new Date(FIRST + i * DAY).toISOString().slice(0, 10);
  let warehouse: DuckDbWarehouse;

  before(async () => {
    warehouse = await DuckDbWarehouse.open(':memory:');
    await runModels(warehouse, { now: FIRST });
    await standInCampaignDays(warehouse);
    // A steady campaign whose bounces jump to 10% on the last day: statistical and guardrail
    // under robust_z; the guardrail alone under arima_plus.
    await insertCampaignDays(
      warehouse,
      Array.from({ length: DAYS }, (_, i) => {
        const bounces = i === DAYS - 1 ? 1_000 : 100 + (i % 5);
        return {
          metricOn: day(i),
          campaignId: 1,
          messageTypeName: 'Promotions',
          channelName: 'Marketing Email',
          countSends: 10_000,
          countBounces: bounces,
          countDelivered: 10_000 - bounces,
          countUniqueHumanOpens: 2_000 + (i % 7) * 10,
          countUniqueClicks: 300,
          countUniqueUnsubscribes: 20,
          countComplaints: 1,
          revenue: 500,
        };
      }),
    );
    // A statistical row as BigQuery ML's query would have written it, inside the lookback.
    await warehouse.query(
      `INSERT INTO iterable_analytics.metric_anomalies VALUES (DATE '${day(DAYS - 2)}', 'campaign:1',
        'human_open_rate', 0.1, 0.2, 0.15, 0.25, -9, 'down', 'critical', 'statistical', TIMESTAMPTZ '2026-03-01 00:00:00')`,
    );
    const connection = await warehouse.connect();
    try {
      for (const file of DETECTOR_FILES) {
        const sql = renderSql(readFileSync(file, 'utf8'), {
          datasets: DEFAULT_DATASETS,
          lookbackDays: 7,
          now: RUN_AT,
          anomalyDetector: 'arima_plus',
        });
        await connection.run(duckDbScript(sql));
      }
    } finally {
      connection.closeSync();
    }
  });
  after(() => warehouse?.close());

  it('writes the guardrail, keeps the other detector’s statistical rows, and adds none', async () => {
    const rows = await warehouse.query<{ anomaly_on: string; metric: string; kind: string }>(
      `SELECT CAST(anomaly_on AS VARCHAR) AS anomaly_on, metric, kind FROM iterable_analytics.metric_anomalies
       ORDER BY anomaly_on, metric, kind`,
    );
    assert.deepEqual(rows, [
      { anomaly_on: day(DAYS - 2), metric: 'human_open_rate', kind: 'statistical' },
      { anomaly_on: day(DAYS - 1), metric: 'bounce_rate', kind: 'guardrail' },
    ]);
  });

  it('leaves metric_forecast to the other detector', async () => {
    const [row] = await warehouse.query<{ n: bigint }>(
      'SELECT COUNT(*) AS n FROM iterable_analytics.metric_forecast',
    );
    assert.equal(Number(row?.n), 0);
  });

  it('finds the same spike statistically when rendered for robust_z', async () => {
    await runModels(warehouse, { now: RUN_AT, files: DETECTOR_FILES });
    const rows = await warehouse.query<{ kind: string }>(
      `SELECT kind FROM iterable_analytics.metric_anomalies
       WHERE series = 'campaign:1' AND metric = 'bounce_rate' AND anomaly_on = DATE '${day(DAYS - 1)}' ORDER BY kind`,
    );
    assert.deepEqual(
      rows.map((r) => r.kind),
      ['guardrail', 'statistical'],
    );
  });
});
