-- stg_metric_baselines: one row per day to judge x series x metric, with what is normal for it.
-- The days are every complete day of the lookback (judged by 32_metric_anomalies.sql) and the
-- 7 days from today on (forecast by 33_metric_forecast.sql). Normal is robust and weekly: the
-- median of the same weekday over the 8 weeks before the day, and the median absolute deviation
-- (MAD) of those 8 weeks around their weekday medians (Iglewicz & Hoaglin, "How to Detect and
-- Handle Outliers", 1993), so one past incident or holiday surge does not move it, and Mondays
-- are compared with Mondays.
--
-- scale is one robust standard deviation, MAD / 0.6745 (= 1.4826 MAD, the normal distribution's
-- SD for its MAD), so (value - expected) / scale is the modified z-score 0.6745 (x - median) / MAD,
-- widened by sqrt(1 + pi / 2n): the median of n weeks is itself uncertain (its variance is
-- pi sigma^2 / 2n for normal data), so a new day differs from it by more than one SD of noise
-- (1.09 SD for 8 weeks); without it, ordinary days cross 3.5 about three times as often.
-- It never goes below what chance alone explains, so a series whose last 8 weeks happened to be
-- flat does not alert on noise: for a rate, the binomial standard error at the day's denominator,
-- sqrt(p (1 - p) / n) (a forecast day, whose denominator is not known yet, takes n = min_denominator);
-- for counts and money, a share of the median (min_relative_scale).
-- Past days count only with at least min_denominator in their denominator (small samples are
-- noise), and a day has a baseline only with at least 4 such weeks.
--
-- Computed once per run, into the table metric_baselines, which the view stg_metric_baselines
-- reads: as a view, both of its readers (sql/32 and sql/33) computed the medians again.
--
-- stg_metric_settings: one row per watched metric, the settings above, which BigQuery ML's
-- detector (sql/bigquery-ml/metric_arima_plus.sql, stack key anomalyDetector = arima_plus) reads too.
CREATE OR REPLACE VIEW iterable_analytics.stg_metric_settings AS
WITH final AS (
  -- watched: the direction that is an incident (a holiday surge in sends is not one).
  SELECT 'count_sends' AS metric, 'down' AS watched, 1000 AS min_denominator, 0.05 AS min_relative_scale, FALSE AS is_rate
  -- delivery_rate is 1 - bounce_rate here: forecast, but alerted through bounce_rate only.
  UNION ALL SELECT 'delivery_rate', 'none', 500, 0.0, TRUE
  UNION ALL SELECT 'bounce_rate', 'up', 500, 0.0, TRUE
  UNION ALL SELECT 'complaint_rate', 'up', 500, 0.0, TRUE
  UNION ALL SELECT 'human_open_rate', 'down', 500, 0.0, TRUE
  UNION ALL SELECT 'click_rate', 'down', 500, 0.0, TRUE
  UNION ALL SELECT 'unsubscribe_rate', 'up', 500, 0.0, TRUE
  UNION ALL SELECT 'revenue_per_delivered', 'down', 500, 0.05, FALSE
)

SELECT * FROM final;

CREATE OR REPLACE TABLE iterable_analytics.metric_baselines AS
WITH settings AS (
  SELECT * FROM iterable_analytics.stg_metric_settings
),

history AS (
  SELECT series_days.*, settings.watched, settings.min_denominator, settings.min_relative_scale, settings.is_rate
  FROM iterable_analytics.metric_daily_series AS series_days
  JOIN settings ON settings.metric = series_days.metric
  WHERE series_days.metric_on >= DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY - INTERVAL 56 DAY)
    AND series_days.metric_on < DATE(CURRENT_TIMESTAMP)
),

judged AS (
  SELECT metric_on AS target_on, series, metric, value, denominator, FALSE AS is_forecast
  FROM history
  WHERE metric_on >= DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY)
),

horizon AS (
  SELECT DATE(CURRENT_TIMESTAMP) AS target_on
  UNION ALL SELECT DATE(CURRENT_TIMESTAMP + INTERVAL 1 DAY)
  UNION ALL SELECT DATE(CURRENT_TIMESTAMP + INTERVAL 2 DAY)
  UNION ALL SELECT DATE(CURRENT_TIMESTAMP + INTERVAL 3 DAY)
  UNION ALL SELECT DATE(CURRENT_TIMESTAMP + INTERVAL 4 DAY)
  UNION ALL SELECT DATE(CURRENT_TIMESTAMP + INTERVAL 5 DAY)
  UNION ALL SELECT DATE(CURRENT_TIMESTAMP + INTERVAL 6 DAY)
),

-- Series still alive: seen in the lookback.
forecast AS (
  SELECT horizon.target_on, live.series, live.metric, CAST(NULL AS FLOAT64) AS value,
    CAST(NULL AS FLOAT64) AS denominator, TRUE AS is_forecast
  FROM (SELECT DISTINCT series, metric FROM judged) AS live
  CROSS JOIN horizon
),

targets AS (
  SELECT * FROM judged
  UNION ALL SELECT * FROM forecast
),

past AS (
  SELECT
    targets.target_on, targets.series, targets.metric, history.value AS past_value,
    EXTRACT(DAYOFWEEK FROM history.metric_on) = EXTRACT(DAYOFWEEK FROM targets.target_on) AS is_same_weekday,
    EXTRACT(DAYOFWEEK FROM history.metric_on) AS weekday
  FROM targets
  JOIN history
    ON history.series = targets.series
    AND history.metric = targets.metric
    AND history.metric_on < targets.target_on
    AND history.metric_on >= DATE(CAST(targets.target_on AS TIMESTAMP) - INTERVAL 56 DAY)
  WHERE history.denominator >= history.min_denominator
),

-- A median without a MEDIAN aggregate (BigQuery has none outside analytic PERCENTILE_CONT):
-- the mean of the middle one or two values by rank. One per weekday of the 8 weeks: the target's
-- own weekday gives the expected value, all seven centre the residuals the scale is taken from.
weekday_ranked AS (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY target_on, series, metric, weekday ORDER BY past_value) AS position,
    COUNT(*) OVER (PARTITION BY target_on, series, metric, weekday) AS weeks
  FROM past
),

weekday_medians AS (
  SELECT
    target_on, series, metric, weekday, is_same_weekday, MAX(weeks) AS weeks,
    AVG(IF(position * 2 IN (weeks, weeks + 1, weeks + 2), past_value, NULL)) AS median
  FROM weekday_ranked
  GROUP BY target_on, series, metric, weekday, is_same_weekday
),

medians AS (
  SELECT target_on, series, metric, weeks, median
  FROM weekday_medians
  WHERE is_same_weekday
),

-- The MAD is pooled over every day of the 8 weeks, each taken from its own weekday's median and
-- relative to it (a Sunday half as busy as a Monday varies half as much): 8 points make a median
-- good enough but a MAD too jumpy (a calm stretch would make ordinary noise look like an
-- incident), and up to 56 deseasonalised residuals make it steady. The relative MAD times the
-- expected value is the MAD on the judged day's own level.
deviations_ranked AS (
  SELECT
    past.target_on, past.series, past.metric,
    SAFE_DIVIDE(ABS(past.past_value - weekday_medians.median), ABS(weekday_medians.median)) AS deviation,
    ROW_NUMBER() OVER (
      PARTITION BY past.target_on, past.series, past.metric
      ORDER BY SAFE_DIVIDE(ABS(past.past_value - weekday_medians.median), ABS(weekday_medians.median))
    ) AS position,
    COUNT(*) OVER (PARTITION BY past.target_on, past.series, past.metric) AS days
  FROM past
  JOIN weekday_medians
    ON weekday_medians.target_on = past.target_on
    AND weekday_medians.series = past.series
    AND weekday_medians.metric = past.metric
    AND weekday_medians.weekday = past.weekday
  WHERE weekday_medians.median != 0
),

mads AS (
  SELECT
    target_on, series, metric,
    AVG(IF(position * 2 IN (days, days + 1, days + 2), deviation, NULL)) AS mad
  FROM deviations_ranked
  GROUP BY target_on, series, metric
),

final AS (
  SELECT
    targets.target_on,
    targets.series,
    targets.metric,
    targets.value,
    targets.denominator,
    targets.is_forecast,
    settings.watched,
    settings.min_denominator,
    medians.weeks,
    medians.median AS expected,
    GREATEST(
      IFNULL(1.4826 * mads.mad * ABS(medians.median) * SQRT(1 + 3.14159265 / (2 * medians.weeks)), 0),
      settings.min_relative_scale * ABS(medians.median),
      IF(
        settings.is_rate,
        SQRT(
          GREATEST(medians.median, 1 / IFNULL(targets.denominator, settings.min_denominator))
          * GREATEST(1 - medians.median, 1 / IFNULL(targets.denominator, settings.min_denominator))
          / IFNULL(targets.denominator, settings.min_denominator)
        ),
        0
      )
    ) AS scale
  FROM targets
  JOIN settings ON settings.metric = targets.metric
  JOIN medians
    ON medians.target_on = targets.target_on AND medians.series = targets.series AND medians.metric = targets.metric
  JOIN mads
    ON mads.target_on = targets.target_on AND mads.series = targets.series AND mads.metric = targets.metric
  WHERE medians.weeks >= 4
)

SELECT * FROM final;

CREATE OR REPLACE VIEW iterable_analytics.stg_metric_baselines AS
SELECT * FROM iterable_analytics.metric_baselines
