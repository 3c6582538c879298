/**
 * With `anomalyDetector: arima_plus` the program schedules BigQuery ML's detector
 * (sql/bigquery-ml/metric_arima_plus.sql) after the model files, never runs it at deploy (a model
 * needs data to train on), renders the robust-z files so they stand aside, and triggers the notifier
 * on its run instead of 32_metric_anomalies'. The default stack has none of it
 * (anomaly-notifier.test.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type MockResource, runProgram } from './mock-program.js';

const ofType = (resources: readonly MockResource[], suffix: string) =>
  resources.filter((r) => r.type.endsWith(suffix));
const params = (r: MockResource | undefined) => (r?.inputs.params ?? {}) as { query?: string };

describe('anomalyDetector: arima_plus under mocks', () => {
  let resources: readonly MockResource[] = [];
  before(async () => {
    resources = (await runProgram({ 'iterable-bigquery-pipeline:anomalyDetector': 'arima_plus' })).resources;
  });

  const transfers = () => ofType(resources, 'bigquery/dataTransferConfig:DataTransferConfig');
  const named = (suffix: string) =>
    transfers().find((t) => String(t.inputs.displayName).endsWith(` ${suffix}`));

  it('schedules the ARIMA_PLUS query last, with the rendered SQL of sql/bigquery-ml', () => {
    const arima = named('metric_arima_plus');
    assert.ok(
      arima,
      `no metric_arima_plus among ${transfers()
        .map((t) => t.inputs.displayName)
        .join(', ')}`,
    );
    const sql = params(arima).query ?? '';
    assert.match(sql, /CREATE OR REPLACE MODEL iterable_analytics\.metric_arima_plus\s+OPTIONS \(/);
    assert.match(sql, /model_type = 'ARIMA_PLUS'/);
    assert.match(sql, /time_series_id_col = \['series', 'metric'\]/);
    assert.match(
      sql,
      /ML\.DETECT_ANOMALIES\(MODEL iterable_analytics\.metric_arima_plus, STRUCT\(0\.999 AS anomaly_prob_threshold\)\)/,
    );
    assert.match(sql, /ML\.FORECAST\(MODEL iterable_analytics\.metric_arima_plus, STRUCT\(7 AS horizon/);
    // Its schedule starts after every model file's: the staggered `from HH:MM` is the latest.
    const start = (t: MockResource) => /from (\d{2}:\d{2})/.exec(String(t.inputs.schedule))?.[1] ?? '';
    const latest = transfers().map(start).sort().at(-1);
    assert.equal(start(arima), latest);
  });

  it('never runs it at deploy', () => {
    const setup = resources.find((r) => r.type.includes('SqlSetup') || r.name === 'facts-setup');
    assert.ok(setup, 'the deploy-time SQL step');
    const files = (setup.inputs.files ?? []) as { key: string }[];
    assert.ok(files.some((f) => f.key === '32_metric_anomalies'));
    assert.ok(!files.some((f) => f.key === 'metric_arima_plus'));
  });

  it('renders the robust-z files to stand aside, guardrails kept', () => {
    const anomalies = params(named('32_metric_anomalies')).query ?? '';
    assert.match(anomalies, /WHERE 'arima_plus' \/\* anomaly_detector \*\/ = 'robust_z'/);
    assert.match(
      anomalies,
      /target\.kind = 'guardrail' OR 'arima_plus' \/\* anomaly_detector \*\/ = 'robust_z'/,
    );
    assert.ok(!anomalies.includes("'robust_z' /* anomaly_detector */"));
    assert.match(
      params(named('33_metric_forecast')).query ?? '',
      /AND 'arima_plus' \/\* anomaly_detector \*\/ = 'robust_z'/,
    );
  });

  it('runs the notifier when the ARIMA_PLUS run completes, and on that run only', () => {
    const notifying = transfers().filter((t) => t.inputs.notificationPubsubTopic !== undefined);
    assert.deepEqual(
      notifying.map((t) => String(t.inputs.displayName).split(' ').at(-1)),
      ['metric_arima_plus'],
    );
  });
});
