import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { modelFiles, renderSql } from '../../sql/render.js';

const DATASETS = { raw: 'raw_x', analytics: 'facts_x' };

describe('renderSql', () => {
  const cases = [
    {
      name: 'dataset names',
      sql: 'SELECT * FROM iterable_raw.email_send_raw JOIN iterable_analytics.stg_campaigns',
      options: { datasets: DATASETS, lookbackDays: 7 },
      want: 'SELECT * FROM raw_x.email_send_raw JOIN facts_x.stg_campaigns',
    },
    {
      name: 'the lookback',
      sql: 'WHERE t >= CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY AND u > INTERVAL 7 DAY',
      options: { datasets: DATASETS, lookbackDays: 30 },
      want: 'WHERE t >= CURRENT_TIMESTAMP - INTERVAL 30 /* lookback_days */ DAY AND u > INTERVAL 7 DAY',
    },
    {
      name: 'the conversion event names',
      sql: 'WHERE event_name IN (NULL) /* conversion_event_names */',
      options: {
        datasets: DATASETS,
        lookbackDays: 7,
        conversionEventNames: ['trialStarted', 'plan upgraded'],
      },
      want: "WHERE event_name IN ('trialStarted', 'plan upgraded') /* conversion_event_names */",
    },
    {
      name: 'no conversion event names (the placeholder stays, matching nothing)',
      sql: 'WHERE event_name IN (NULL) /* conversion_event_names */',
      options: { datasets: DATASETS, lookbackDays: 7, conversionEventNames: [] },
      want: 'WHERE event_name IN (NULL) /* conversion_event_names */',
    },
    {
      name: 'the anomaly detector',
      sql: "WHERE 'robust_z' /* anomaly_detector */ = 'robust_z' AND kind = 'robust_z'",
      options: { datasets: DATASETS, lookbackDays: 7, anomalyDetector: 'arima_plus' as const },
      want: "WHERE 'arima_plus' /* anomaly_detector */ = 'robust_z' AND kind = 'robust_z'",
    },
    {
      name: 'no anomaly detector (robust_z, the only one DuckDB runs)',
      sql: "WHERE 'robust_z' /* anomaly_detector */ = 'robust_z'",
      options: { datasets: DATASETS, lookbackDays: 7 },
      want: "WHERE 'robust_z' /* anomaly_detector */ = 'robust_z'",
    },
    {
      name: 'a pinned now',
      sql: 'SELECT CURRENT_TIMESTAMP AS now',
      options: { datasets: DATASETS, lookbackDays: 7, now: Date.UTC(2026, 9, 11) },
      want: "SELECT CAST('2026-10-11T00:00:00.000Z' AS TIMESTAMPTZ) AS now",
    },
  ];
  for (const { name, sql, options, want } of cases) {
    it(`substitutes ${name}`, () => assert.equal(renderSql(sql, options), want));
  }

  it('refuses a lookback that is not a whole number of days', () => {
    assert.throws(() => renderSql('', { datasets: DATASETS, lookbackDays: 1.5 }), /whole number of days/);
  });

  it('refuses a conversion event name that would break out of its SQL literal', () => {
    const sql = 'IN (NULL) /* conversion_event_names */';
    for (const name of ["it's", 'back\\slash', '']) {
      assert.throws(
        () => renderSql(sql, { datasets: DATASETS, lookbackDays: 7, conversionEventNames: [name] }),
        /cannot be used/,
      );
    }
  });

  it('finds the conversion placeholder in stg_email_events', () => {
    const file = modelFiles().find((f) => basename(f) === '03_stg_email_events.sql') ?? '';
    const rendered = renderSql(readFileSync(file, 'utf8'), {
      datasets: DATASETS,
      lookbackDays: 7,
      conversionEventNames: ['trialStarted'],
    });
    assert.match(rendered, /event_name IN \('trialStarted'\)/);
  });

  it('refuses a dataset name that is not a plain identifier', () => {
    const datasets = { raw: 'x; DROP TABLE y', analytics: 'a' };
    assert.throws(() => renderSql('', { datasets, lookbackDays: 7 }), /not a plain identifier/);
  });

  const withLookback = modelFiles().filter((f) => readFileSync(f, 'utf8').includes('/* lookback_days */'));
  it('finds the lookback placeholder where the incremental builds take it from', () => {
    assert.ok(withLookback.some((f) => basename(f) === '04_stg_rebuild_from.sql'));
  });
  for (const file of withLookback) {
    it(`finds the lookback placeholder in ${basename(file)}`, () => {
      const sql = readFileSync(file, 'utf8');
      const rendered = renderSql(sql, { datasets: DATASETS, lookbackDays: 3 });
      assert.match(rendered, /INTERVAL 3 \/\* lookback_days \*\/ DAY/);
      assert.doesNotMatch(rendered, /INTERVAL 7 \/\* lookback_days/);
      assert.doesNotMatch(rendered, /iterable_(raw|analytics)\./);
    });
  }
});
