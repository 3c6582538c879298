-- metric_daily_series: one row per date (UTC) x series x metric, the daily values the anomaly
-- detector (31_metric_anomalies.sql) watches. A series is a message type (`message_type:Promotions`),
-- a channel (`channel:Marketing Email`) or a campaign (`campaign:123`); `metric` is the fact column's
-- name; `denominator` is what the rate divides by (sends or delivered; the sends themselves for
-- count_sends), so the detector can ignore samples too small to mean anything.
--
-- Incremental like the facts: the dates from stg_rebuild_from on are recomputed and merged, the
-- rest is kept. The source is stg_metric_campaign_days (one row per date x campaign), read from
-- `series_from` on: a script variable computed before the read, so BigQuery prunes the cohort
-- fact's partitions before it (a scalar subquery in the filter would scan them all,
-- https://cloud.google.com/bigquery/docs/querying-partitioned-tables; see sql/script-variables.ts).
DECLARE series_from TIMESTAMP;

CREATE TABLE IF NOT EXISTS iterable_analytics.metric_daily_series (
  metric_on DATE,
  series STRING,
  metric STRING,
  value FLOAT64,
  denominator FLOAT64
);

-- A first build (the table still empty) reads all history; later ones from stg_rebuild_from.
SET series_from = (
  SELECT IF(COUNT(*) = 0, TIMESTAMP '1970-01-01 00:00:00', (SELECT rebuild_from FROM iterable_analytics.stg_rebuild_from))
  FROM iterable_analytics.metric_daily_series
);

MERGE INTO iterable_analytics.metric_daily_series AS target
USING (
  WITH campaign_days AS (
    SELECT *
    FROM iterable_analytics.stg_metric_campaign_days
    WHERE metric_on >= DATE(series_from)
  ),

  by_series AS (
    SELECT
      metric_on, CONCAT('message_type:', message_type_name) AS series,
      SUM(count_sends) AS count_sends, SUM(count_bounces) AS count_bounces,
      SUM(count_delivered) AS count_delivered, SUM(count_unique_human_opens) AS count_unique_human_opens,
      SUM(count_unique_clicks) AS count_unique_clicks, SUM(count_unique_unsubscribes) AS count_unique_unsubscribes,
      SUM(count_complaints) AS count_complaints, SUM(revenue) AS revenue
    FROM campaign_days
    WHERE message_type_name IS NOT NULL
    GROUP BY metric_on, message_type_name
    UNION ALL
    SELECT
      metric_on, CONCAT('channel:', channel_name) AS series,
      SUM(count_sends), SUM(count_bounces), SUM(count_delivered), SUM(count_unique_human_opens),
      SUM(count_unique_clicks), SUM(count_unique_unsubscribes), SUM(count_complaints), SUM(revenue)
    FROM campaign_days
    WHERE channel_name IS NOT NULL
    GROUP BY metric_on, channel_name
    UNION ALL
    SELECT
      metric_on, CONCAT('campaign:', CAST(campaign_id AS STRING)) AS series,
      count_sends, count_bounces, count_delivered, count_unique_human_opens,
      count_unique_clicks, count_unique_unsubscribes, count_complaints, revenue
    FROM campaign_days
  ),

  -- The watched metrics, one row each: what is divided by what.
  metrics AS (
    SELECT 'count_sends' AS metric
    UNION ALL SELECT 'delivery_rate'
    UNION ALL SELECT 'bounce_rate'
    UNION ALL SELECT 'complaint_rate'
    UNION ALL SELECT 'human_open_rate'
    UNION ALL SELECT 'click_rate'
    UNION ALL SELECT 'unsubscribe_rate'
    UNION ALL SELECT 'revenue_per_delivered'
  ),

  final AS (
    SELECT
      by_series.metric_on,
      by_series.series,
      metrics.metric,
      CAST(CASE metrics.metric
        WHEN 'count_sends' THEN by_series.count_sends
        WHEN 'delivery_rate' THEN SAFE_DIVIDE(by_series.count_delivered, by_series.count_sends)
        WHEN 'bounce_rate' THEN SAFE_DIVIDE(by_series.count_bounces, by_series.count_sends)
        WHEN 'complaint_rate' THEN SAFE_DIVIDE(by_series.count_complaints, by_series.count_delivered)
        WHEN 'human_open_rate' THEN SAFE_DIVIDE(by_series.count_unique_human_opens, by_series.count_delivered)
        WHEN 'click_rate' THEN SAFE_DIVIDE(by_series.count_unique_clicks, by_series.count_delivered)
        WHEN 'unsubscribe_rate' THEN SAFE_DIVIDE(by_series.count_unique_unsubscribes, by_series.count_delivered)
        WHEN 'revenue_per_delivered' THEN SAFE_DIVIDE(by_series.revenue, by_series.count_delivered)
      END AS FLOAT64) AS value,
      CAST(IF(metrics.metric IN ('count_sends', 'delivery_rate', 'bounce_rate'),
        by_series.count_sends, by_series.count_delivered) AS FLOAT64) AS denominator
    FROM by_series
    CROSS JOIN metrics
  )

  SELECT * FROM final WHERE value IS NOT NULL
) AS source
ON target.metric_on = source.metric_on AND target.series = source.series AND target.metric = source.metric
WHEN MATCHED THEN UPDATE SET
  value = source.value,
  denominator = source.denominator
WHEN NOT MATCHED THEN INSERT (metric_on, series, metric, value, denominator)
  VALUES (source.metric_on, source.series, source.metric, source.value, source.denominator)
WHEN NOT MATCHED BY SOURCE
  AND target.metric_on >= DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY) THEN DELETE;
