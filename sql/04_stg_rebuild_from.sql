-- rebuild_start, and its view stg_rebuild_from: one row, the earliest event time the incremental
-- fact builds recompute.
-- It is the start of the lookback (event dates from 7 days before the run's date;
-- `7 /* lookback_days */` is replaced by the runner), or earlier when rows loaded within the
-- lookback carry older event dates: a backfill, a first load still arriving when a build runs, a
-- window that failed for days. The facts then recompute back to the oldest of those dates, so no
-- loaded event is left out of them.
-- Finding those rows reads `_loaded_at` of the raw rows dated within the last 28 days only: a
-- constant bound, so BigQuery reads those partitions and no others. Rows dated earlier than that
-- and loaded late (a backfill of old history) are built by one run with a lookback that reaches
-- them (FACT_LOOKBACK_DAYS locally, the stack's factLookbackDays in GCP).
-- Computed once per run, into a table of one row, and read by every later file through the view:
-- as a view over the raw tables, each of the files would read those 28 days again.
CREATE OR REPLACE TABLE iterable_analytics.rebuild_start AS
WITH lookback AS (
  SELECT CAST(DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY) AS TIMESTAMP) AS starts_at
),

recent_loads AS (
  SELECT CAST(DATE(MIN(created_at)) AS TIMESTAMP) AS starts_at
  FROM iterable_analytics.stg_email_events
  WHERE _loaded_at >= CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY
    AND created_at >= CURRENT_TIMESTAMP - INTERVAL 28 DAY
),

final AS (
  SELECT LEAST(lookback.starts_at, IFNULL(recent_loads.starts_at, lookback.starts_at)) AS rebuild_from
  FROM lookback CROSS JOIN recent_loads
)

SELECT * FROM final;

CREATE OR REPLACE VIEW iterable_analytics.stg_rebuild_from AS
SELECT rebuild_from FROM iterable_analytics.rebuild_start;
