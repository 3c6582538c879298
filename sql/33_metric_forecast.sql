-- metric_forecast: one row per day x series x metric for today and the 6 days after it, for
-- every series seen within the lookback: the value the detector expects (the median of the same
-- weekday over the last 8 weeks) and the band outside which it would alert (+-3.5 robust SDs).
-- model says which detector wrote the row ('robust_z' here; with the stack key
-- anomalyDetector = arima_plus, the 'robust_z' before the anomaly_detector comment is rendered
-- 'arima_plus', this file inserts nothing, and BigQuery ML's ARIMA_PLUS forecasts fill the table
-- instead: sql/bigquery-ml/metric_arima_plus.sql, scheduled after this file).
-- Rebuilt whole from today on at each run; past days are kept as they were forecast.

CREATE TABLE IF NOT EXISTS iterable_analytics.metric_forecast (
  forecast_on DATE,
  series STRING,
  metric STRING,
  expected FLOAT64,
  lower_bound FLOAT64,
  upper_bound FLOAT64,
  model STRING,
  forecast_at TIMESTAMP
);

DELETE FROM iterable_analytics.metric_forecast
WHERE forecast_on >= DATE(CURRENT_TIMESTAMP);

INSERT INTO iterable_analytics.metric_forecast (
  forecast_on, series, metric, expected, lower_bound, upper_bound, model, forecast_at
)
WITH final AS (
  SELECT
    target_on AS forecast_on,
    series,
    metric,
    expected,
    expected - 3.5 * scale AS lower_bound,
    expected + 3.5 * scale AS upper_bound,
    'robust_z' AS model,
    CURRENT_TIMESTAMP AS forecast_at
  FROM iterable_analytics.stg_metric_baselines
  WHERE is_forecast
    AND 'robust_z' /* anomaly_detector */ = 'robust_z'
)

SELECT * FROM final;
