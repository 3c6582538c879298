-- metric_anomalies: one row per day x series x metric x kind that is anomalous.
--   kind 'statistical': the day's value is more than 3.5 robust standard deviations from the
--     median of the same weekday over the 8 weeks before (the modified z-score of Iglewicz &
--     Hoaglin, whose 3.5 cut-off they recommend), in the direction that is an incident
--     (stg_metric_baselines.watched). expected is that median, lower_bound / upper_bound the
--     values at a score of -3.5 / +3.5, score the modified z-score.
--   kind 'guardrail': a campaign's bounce, complaint or unsubscribe rate above a fixed ceiling,
--     whatever its own history (a campaign that is always bad is still bad). expected and
--     upper_bound are the ceiling, score the value as a multiple of it.
-- severity: 'critical' from a score of 7 (statistical) or twice the ceiling (guardrail), else 'warning'.
-- first_detected_at: when a build first found the row; later builds update the figures (late data)
-- but keep it, and the notifier sends each row once. A day of the lookback that is no longer
-- anomalous after late data is removed. Only complete days are judged (today is not).
-- With the stack key anomalyDetector = arima_plus, the literal 'robust_z' before each
-- anomaly_detector comment is rendered 'arima_plus' (sql/render.ts): this file then writes the
-- guardrails only, and leaves the statistical rows to BigQuery ML (sql/bigquery-ml/).

CREATE TABLE IF NOT EXISTS iterable_analytics.metric_anomalies (
  anomaly_on DATE,
  series STRING,
  metric STRING,
  value FLOAT64,
  expected FLOAT64,
  lower_bound FLOAT64,
  upper_bound FLOAT64,
  score FLOAT64,
  direction STRING,
  severity STRING,
  kind STRING,
  first_detected_at TIMESTAMP
);

MERGE INTO iterable_analytics.metric_anomalies AS target
USING (
  WITH baselines AS (
    SELECT *, (value - expected) / scale AS score
    FROM iterable_analytics.stg_metric_baselines
    WHERE NOT is_forecast
      AND scale > 0
      -- A rate judged on a small day is noise; a drop in sends is judged whatever the day's count.
      AND (metric = 'count_sends' OR denominator >= min_denominator)
  ),

  statistical AS (
    SELECT
      target_on AS anomaly_on, series, metric, value, expected,
      expected - 3.5 * scale AS lower_bound,
      expected + 3.5 * scale AS upper_bound,
      score,
      IF(score > 0, 'up', 'down') AS direction,
      IF(ABS(score) >= 7, 'critical', 'warning') AS severity,
      'statistical' AS kind
    FROM baselines
    WHERE 'robust_z' /* anomaly_detector */ = 'robust_z'
      AND ((watched = 'up' AND score >= 3.5) OR (watched = 'down' AND score <= -3.5))
  ),

  -- Ceilings per campaign and day, at least 1,000 delivered (a handful of complaints on a small
  -- send is not a reputation problem yet):
  --   complaint_rate 0.3%: Gmail's sender guidelines (support.google.com/a/answer/81126: keep the
  --     spam rate below 0.1%, never reach 0.3%) and Yahoo's (senders.yahooinc.com/best-practices:
  --     below 0.3%).
  --   bounce_rate 5%: mailbox providers publish no bounce figure; Amazon SES reviews a sending
  --     account from a 5% bounce rate (docs.aws.amazon.com/ses/latest/dg/faqs-enforcement.html).
  --   unsubscribe_rate 1%: no provider publishes one either; ten times the usual marketing rate,
  --     our default, an explicit choice to revisit per project.
  ceilings AS (
    SELECT 'complaint_rate' AS metric, 0.003 AS ceiling
    UNION ALL SELECT 'bounce_rate', 0.05
    UNION ALL SELECT 'unsubscribe_rate', 0.01
  ),

  guardrail AS (
    SELECT
      series_days.metric_on AS anomaly_on, series_days.series, series_days.metric, series_days.value,
      ceilings.ceiling AS expected,
      CAST(NULL AS FLOAT64) AS lower_bound,
      ceilings.ceiling AS upper_bound,
      series_days.value / ceilings.ceiling AS score,
      'up' AS direction,
      IF(series_days.value >= 2 * ceilings.ceiling, 'critical', 'warning') AS severity,
      'guardrail' AS kind
    FROM iterable_analytics.metric_daily_series AS series_days
    JOIN ceilings ON ceilings.metric = series_days.metric
    WHERE series_days.metric_on >= DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY)
      AND series_days.metric_on < DATE(CURRENT_TIMESTAMP)
      AND STARTS_WITH(series_days.series, 'campaign:')
      AND series_days.denominator >= 1000
      AND series_days.value > ceilings.ceiling
  ),

  final AS (
    SELECT * FROM statistical
    UNION ALL SELECT * FROM guardrail
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
  AND target.anomaly_on >= DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY)
  AND target.anomaly_on < DATE(CURRENT_TIMESTAMP)
  AND (target.kind = 'guardrail' OR 'robust_z' /* anomaly_detector */ = 'robust_z') THEN DELETE;
