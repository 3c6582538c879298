-- user_lifetime: one row per user (user_key), the totals of their user_daily rows dated before
-- the settled date (`lifetime_settled_dates`): what user_engagement_fact adds the rebuilt dates'
-- rows of user_daily to, so that a run reads one row per affected user plus the rebuilt dates,
-- never all of a user's days. Columns as in user_daily, summed (counts, revenue), least
-- (first_send_at) or greatest (the latest times, email, user_id) over those dates.
--
-- Settling: the dates before the rebuild start (`stg_rebuild_from`) are final in user_daily (sql/06
-- rebuilds only the dates from there on), so each run adds the user_daily rows of the dates
-- between the settled date and the rebuild start, then moves the settled date to the rebuild
-- start: a day is added once, the run after it leaves the lookback. When the rebuild start moves
-- back before the settled date (a backfill, a longer lookback), or the table is new or empty (a
-- first build, or an earlier version's table dropped for its columns, sql/declared-tables.ts),
-- the table is emptied and rebuilt from every user_daily date before the rebuild start: a read of
-- the history that happens only then.
-- `settle_from` and `settle_to` are script variables, set before any read, so BigQuery prunes
-- user_daily's partitions to the dates added (https://cloud.google.com/bigquery/docs/querying-partitioned-tables).
DECLARE settle_to DATE;
DECLARE settle_from DATE;

CREATE TABLE IF NOT EXISTS iterable_analytics.lifetime_settled_dates (
  lifetime_table STRING,
  settled_before DATE
);

CREATE TABLE IF NOT EXISTS iterable_analytics.user_lifetime (
  user_key STRING,
  email STRING,
  user_id STRING,
  count_sends INT64,
  count_opens INT64,
  count_clicks INT64,
  count_unsubscribes INT64,
  count_purchases INT64,
  revenue FLOAT64,
  first_send_at TIMESTAMP,
  last_send_at TIMESTAMP,
  last_open_at TIMESTAMP,
  last_click_at TIMESTAMP,
  last_engaged_at TIMESTAMP,
  last_unsubscribe_at TIMESTAMP,
  last_subscribe_at TIMESTAMP
);

-- One transaction from here on: each statement of a BigQuery script commits on its own, so a job
-- that died between the MERGE and the settled date's update would add the same days again on
-- the next run (https://cloud.google.com/bigquery/docs/transactions). DuckDB runs each file in
-- one transaction already (sql/script-variables.ts drops these two lines there).
BEGIN TRANSACTION;

SET settle_to = (SELECT DATE(rebuild_from) FROM iterable_analytics.stg_rebuild_from);

-- The date the table's totals run to, or 1970-01-01 when it must be rebuilt from the start.
SET settle_from = (
  SELECT IF(
    settled.settled_before IS NULL
      OR settled.settled_before > settle_to
      OR (SELECT COUNT(*) FROM iterable_analytics.user_lifetime) = 0,
    DATE '1970-01-01',
    settled.settled_before
  )
  FROM (
    SELECT MAX(settled_before) AS settled_before
    FROM iterable_analytics.lifetime_settled_dates
    WHERE lifetime_table = 'user_lifetime'
  ) AS settled
);

DELETE FROM iterable_analytics.user_lifetime WHERE settle_from <= DATE '1970-01-01';

MERGE INTO iterable_analytics.user_lifetime AS target
USING (
  WITH settling AS (
    SELECT
      user_key, email, user_id, count_sends, count_opens, count_clicks, count_unsubscribes,
      count_purchases, revenue, first_send_at, last_send_at, last_open_at, last_click_at,
      last_engaged_at, last_unsubscribe_at, last_subscribe_at
    FROM iterable_analytics.user_daily
    WHERE event_on >= settle_from
      AND event_on < settle_to
  ),

  settled AS (
    SELECT
      user_key, email, user_id, count_sends, count_opens, count_clicks, count_unsubscribes,
      count_purchases, revenue, first_send_at, last_send_at, last_open_at, last_click_at,
      last_engaged_at, last_unsubscribe_at, last_subscribe_at
    FROM iterable_analytics.user_lifetime
    WHERE user_key IN (SELECT user_key FROM settling)
  ),

  final AS (
    SELECT
      user_key,
      MAX(email) AS email,
      MAX(user_id) AS user_id,
      SUM(count_sends) AS count_sends,
      SUM(count_opens) AS count_opens,
      SUM(count_clicks) AS count_clicks,
      SUM(count_unsubscribes) AS count_unsubscribes,
      SUM(count_purchases) AS count_purchases,
      SUM(revenue) AS revenue,
      MIN(first_send_at) AS first_send_at,
      MAX(last_send_at) AS last_send_at,
      MAX(last_open_at) AS last_open_at,
      MAX(last_click_at) AS last_click_at,
      MAX(last_engaged_at) AS last_engaged_at,
      MAX(last_unsubscribe_at) AS last_unsubscribe_at,
      MAX(last_subscribe_at) AS last_subscribe_at
    FROM (
      SELECT * FROM settled
      UNION ALL
      SELECT * FROM settling
    ) AS rows_of_user
    GROUP BY user_key
  )

  SELECT * FROM final
) AS source
ON target.user_key = source.user_key
WHEN MATCHED THEN UPDATE SET
  email = source.email,
  user_id = source.user_id,
  count_sends = source.count_sends,
  count_opens = source.count_opens,
  count_clicks = source.count_clicks,
  count_unsubscribes = source.count_unsubscribes,
  count_purchases = source.count_purchases,
  revenue = source.revenue,
  first_send_at = source.first_send_at,
  last_send_at = source.last_send_at,
  last_open_at = source.last_open_at,
  last_click_at = source.last_click_at,
  last_engaged_at = source.last_engaged_at,
  last_unsubscribe_at = source.last_unsubscribe_at,
  last_subscribe_at = source.last_subscribe_at
WHEN NOT MATCHED THEN INSERT (
  user_key, email, user_id, count_sends, count_opens, count_clicks, count_unsubscribes,
  count_purchases, revenue, first_send_at, last_send_at, last_open_at, last_click_at,
  last_engaged_at, last_unsubscribe_at, last_subscribe_at
) VALUES (
  source.user_key, source.email, source.user_id, source.count_sends, source.count_opens,
  source.count_clicks, source.count_unsubscribes, source.count_purchases, source.revenue,
  source.first_send_at, source.last_send_at, source.last_open_at, source.last_click_at,
  source.last_engaged_at, source.last_unsubscribe_at, source.last_subscribe_at
);

DELETE FROM iterable_analytics.lifetime_settled_dates WHERE lifetime_table = 'user_lifetime';

INSERT INTO iterable_analytics.lifetime_settled_dates (lifetime_table, settled_before)
VALUES ('user_lifetime', settle_to);

COMMIT TRANSACTION;
