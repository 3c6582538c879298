-- metric_arima_plus: the anomaly detector and forecaster of the stack key
-- anomalyDetector = arima_plus, on BigQuery ML. BigQuery only: DuckDB has no BigQuery ML, so the
-- laptop (`npm start`) and every local test run the robust-z detector of sql/31-33 whatever the
-- key says. Scheduled after the model files (infra/fact-queries.ts), never run at deploy: a
-- model cannot be trained before there is a series to train on.
--
-- 1. Trains one ARIMA_PLUS model per series x metric of metric_daily_series (time_series_id_col
--    names both), on the last 16 weeks of complete days (today is not complete):
--    https://cloud.google.com/bigquery/docs/reference/standard-sql/bigqueryml-syntax-create-time-series
--    (CREATE MODEL … OPTIONS(model_type = 'ARIMA_PLUS', time_series_timestamp_col,
--    time_series_data_col, time_series_id_col, data_frequency, horizon)). The pipeline finds the
--    weekly seasonality, holiday-like effects and level shifts itself, and cleans spikes and dips
--    out of the training data. As in stg_metric_baselines, a rate's day counts only with at least
--    min_denominator (stg_metric_settings): small samples are noise; sends count whatever the day's
--    count (a collapse of sends is the incident). A series needs 28 such days (4 weeks, the robust-z
--    detector's minimum) to be modelled.
-- 2. Writes the anomalous days of the lookback into metric_anomalies, kind 'statistical', in the
--    watched direction only (a surge of sends is not an incident), from ML.DETECT_ANOMALIES on the
--    training data itself (no new rows: the days judged are the model's last ones):
--    https://cloud.google.com/bigquery/docs/reference/standard-sql/bigqueryml-syntax-detect-anomalies
--    (ML.DETECT_ANOMALIES(MODEL m, STRUCT(p AS anomaly_prob_threshold)) gives is_anomaly,
--    lower_bound, upper_bound and anomaly_probability per timestamp). The threshold is 0.999, not
--    the default 0.95: eight metrics per series judged daily would raise 0.05 x 8 x 90 = 36 false
--    alerts per series per 90 days at 0.95, and about 0.7 at 0.999 (half of it in the direction
--    not watched), within the target of 1. expected is the interval's middle; score is the
--    distance from it in standard deviations, the half-width being 3.29 of them at 0.999 (normal
--    quantile 0.9995), so severity reads as it does for robust_z (critical from 7).
--    first_detected_at is kept across runs, as in 32_metric_anomalies.sql; a lookback day no
--    longer anomalous is removed. Guardrails stay with 32_metric_anomalies.sql.
-- 3. Replaces metric_forecast from today on with ML.FORECAST's 7 days (model 'arima_plus'), the
--    band being the 0.999 prediction interval:
--    https://cloud.google.com/bigquery/docs/reference/standard-sql/bigqueryml-syntax-forecast

CREATE OR REPLACE MODEL iterable_analytics.metric_arima_plus
OPTIONS (
  model_type = 'ARIMA_PLUS',
  time_series_timestamp_col = 'metric_on',
  time_series_data_col = 'value',
  time_series_id_col = ['series', 'metric'],
  data_frequency = 'DAILY',
  horizon = 7
) AS
WITH series_days AS (
  SELECT series_days.metric_on, series_days.series, series_days.metric, series_days.value
  FROM iterable_analytics.metric_daily_series AS series_days
  JOIN iterable_analytics.stg_metric_settings AS settings ON settings.metric = series_days.metric
  WHERE series_days.metric_on >= DATE(CURRENT_TIMESTAMP - INTERVAL 112 DAY)
    AND series_days.metric_on < DATE(CURRENT_TIMESTAMP)
    AND (series_days.metric = 'count_sends' OR series_days.denominator >= settings.min_denominator)
),

counted AS (
  SELECT *, COUNT(*) OVER (PARTITION BY series, metric) AS days
  FROM series_days
),

final AS (
  SELECT metric_on, series, metric, value
  FROM counted
  WHERE days >= 28
)

SELECT * FROM final;

MERGE INTO iterable_analytics.metric_anomalies AS target
USING (
  WITH detected AS (
    SELECT
      CAST(metric_on AS DATE) AS anomaly_on, series, metric, value, lower_bound, upper_bound,
      (lower_bound + upper_bound) / 2 AS expected
    FROM ML.DETECT_ANOMALIES(MODEL iterable_analytics.metric_arima_plus, STRUCT(0.999 AS anomaly_prob_threshold))
    WHERE is_anomaly
      AND CAST(metric_on AS DATE) >= DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY)
  ),

  scored AS (
    SELECT
      detected.*,
      settings.watched,
      SAFE_DIVIDE(detected.value - detected.expected, (detected.upper_bound - detected.lower_bound) / (2 * 3.29)) AS score
    FROM detected
    JOIN iterable_analytics.stg_metric_settings AS settings ON settings.metric = detected.metric
  ),

  final AS (
    SELECT
      anomaly_on, series, metric, value, expected, lower_bound, upper_bound, score,
      IF(score > 0, 'up', 'down') AS direction,
      IF(ABS(score) >= 7, 'critical', 'warning') AS severity,
      'statistical' AS kind
    FROM scored
    WHERE (watched = 'up' AND value > upper_bound) OR (watched = 'down' AND value < lower_bound)
  )

  SELECT * FROM final
) AS source
ON target.anomaly_on = source.anomaly_on
  AND target.series = source.series
  AND target.metric = source.metric
  AND target.kind = source.kind
WHEN MATCHED THEN UPDATE SET
  value = source.value,
  expected = source.expected,
  lower_bound = source.lower_bound,
  upper_bound = source.upper_bound,
  score = source.score,
  direction = source.direction,
  severity = source.severity
WHEN NOT MATCHED THEN INSERT (
  anomaly_on, series, metric, value, expected, lower_bound, upper_bound, score, direction,
  severity, kind, first_detected_at
) VALUES (
  source.anomaly_on, source.series, source.metric, source.value, source.expected,
  source.lower_bound, source.upper_bound, source.score, source.direction, source.severity,
  source.kind, CURRENT_TIMESTAMP
)
WHEN NOT MATCHED BY SOURCE
  AND target.kind = 'statistical'
  AND target.anomaly_on >= DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY)
  AND target.anomaly_on < DATE(CURRENT_TIMESTAMP) THEN DELETE;

DELETE FROM iterable_analytics.metric_forecast
WHERE forecast_on >= DATE(CURRENT_TIMESTAMP);

INSERT INTO iterable_analytics.metric_forecast (
  forecast_on, series, metric, expected, lower_bound, upper_bound, model, forecast_at
)
WITH final AS (
  SELECT
    CAST(forecast_timestamp AS DATE) AS forecast_on,
    series,
    metric,
    forecast_value AS expected,
    prediction_interval_lower_bound AS lower_bound,
    prediction_interval_upper_bound AS upper_bound,
    'arima_plus' AS model,
    CURRENT_TIMESTAMP AS forecast_at
  FROM ML.FORECAST(MODEL iterable_analytics.metric_arima_plus, STRUCT(7 AS horizon, 0.999 AS confidence_level))
  WHERE CAST(forecast_timestamp AS DATE) >= DATE(CURRENT_TIMESTAMP)
)

SELECT * FROM final;
