-- campaign_recipient_lifetime: one row per campaign x recipient (user_key), the totals of their
-- campaign_recipient_daily rows dated before the settled date (`lifetime_settled_dates`): what
-- campaign_fact_table and email_funnel_fact add the rebuilt dates' rows of
-- campaign_recipient_daily to, so that a run reads one row per recipient of the affected campaigns
-- plus the rebuilt dates, never all of a campaign's days. Columns as in campaign_recipient_daily,
-- summed (user_id: the greatest). A recipient stays one row however many days they span, so the
-- lifetime distinct counts stay exact: recipients with a positive total.
--
-- Settled as user_lifetime (sql/06_user_lifetime.sql): each run adds the daily rows of the dates
-- between the settled date and the rebuild start (`stg_rebuild_from`), final in
-- campaign_recipient_daily, and moves the settled date there; when the rebuild start moves back
-- before it, or the table is new or empty, the table is rebuilt from every date before the rebuild
-- start. `settle_from` and `settle_to` are script variables, so BigQuery prunes the daily
-- partitions to the dates added (https://cloud.google.com/bigquery/docs/querying-partitioned-tables);
-- the campaigns of those dates are an ARRAY variable, `settling_campaigns`, so it reads only their
-- blocks of this table, clustered on campaign_id (a subquery would read it whole,
-- https://cloud.google.com/bigquery/docs/querying-clustered-tables).
DECLARE settle_to DATE;
DECLARE settle_from DATE;
DECLARE settling_campaigns ARRAY<INT64>;

CREATE TABLE IF NOT EXISTS iterable_analytics.lifetime_settled_dates (
  lifetime_table STRING,
  settled_before DATE
);

CREATE TABLE IF NOT EXISTS iterable_analytics.campaign_recipient_lifetime (
  campaign_id INT64,
  user_key STRING,
  user_id STRING,
  count_sends INT64,
  count_bounces INT64,
  count_opens INT64,
  count_machine_opens INT64,
  count_clicks INT64,
  count_complaints INT64,
  count_unsubscribes INT64,
  count_purchases INT64,
  revenue FLOAT64,
  count_conversions INT64
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
      OR (SELECT COUNT(*) FROM iterable_analytics.campaign_recipient_lifetime) = 0,
    DATE '1970-01-01',
    settled.settled_before
  )
  FROM (
    SELECT MAX(settled_before) AS settled_before
    FROM iterable_analytics.lifetime_settled_dates
    WHERE lifetime_table = 'campaign_recipient_lifetime'
  ) AS settled
);

DELETE FROM iterable_analytics.campaign_recipient_lifetime WHERE settle_from <= DATE '1970-01-01';

SET settling_campaigns = (
  SELECT ARRAY_AGG(DISTINCT campaign_id)
  FROM iterable_analytics.campaign_recipient_daily
  WHERE event_on >= settle_from
    AND event_on < settle_to
    AND campaign_id IS NOT NULL
);

-- Keyed on campaign and recipient; a NULL user_key (events without a recipient) is one key too,
-- so both sides compare IFNULL(user_key, '').
MERGE INTO iterable_analytics.campaign_recipient_lifetime AS target
USING (
  WITH settling AS (
    SELECT
      campaign_id, user_key, user_id, count_sends, count_bounces, count_opens, count_machine_opens,
      count_clicks, count_complaints, count_unsubscribes, count_purchases, revenue, count_conversions
    FROM iterable_analytics.campaign_recipient_daily
    WHERE event_on >= settle_from
      AND event_on < settle_to
  ),

  settled AS (
    SELECT
      campaign_id, user_key, user_id, count_sends, count_bounces, count_opens, count_machine_opens,
      count_clicks, count_complaints, count_unsubscribes, count_purchases, revenue, count_conversions
    FROM iterable_analytics.campaign_recipient_lifetime AS lifetime
    WHERE campaign_id IN UNNEST(settling_campaigns)
      -- Only the recipients with settling rows: the others' rows would be rewritten unchanged.
      AND EXISTS (
        SELECT 1
        FROM settling
        WHERE settling.campaign_id = lifetime.campaign_id
          AND IFNULL(settling.user_key, '') = IFNULL(lifetime.user_key, '')
      )
  ),

  final AS (
    SELECT
      campaign_id,
      user_key,
      MAX(user_id) AS user_id,
      SUM(count_sends) AS count_sends,
      SUM(count_bounces) AS count_bounces,
      SUM(count_opens) AS count_opens,
      SUM(count_machine_opens) AS count_machine_opens,
      SUM(count_clicks) AS count_clicks,
      SUM(count_complaints) AS count_complaints,
      SUM(count_unsubscribes) AS count_unsubscribes,
      SUM(count_purchases) AS count_purchases,
      SUM(revenue) AS revenue,
      SUM(count_conversions) AS count_conversions
    FROM (
      SELECT * FROM settled
      UNION ALL
      SELECT * FROM settling
    ) AS rows_of_recipient
    GROUP BY campaign_id, user_key
  )

  SELECT * FROM final
) AS source
ON target.campaign_id = source.campaign_id
  AND IFNULL(target.user_key, '') = IFNULL(source.user_key, '')
WHEN MATCHED THEN UPDATE SET
  user_id = source.user_id,
  count_sends = source.count_sends,
  count_bounces = source.count_bounces,
  count_opens = source.count_opens,
  count_machine_opens = source.count_machine_opens,
  count_clicks = source.count_clicks,
  count_complaints = source.count_complaints,
  count_unsubscribes = source.count_unsubscribes,
  count_purchases = source.count_purchases,
  revenue = source.revenue,
  count_conversions = source.count_conversions
WHEN NOT MATCHED THEN INSERT (
  campaign_id, user_key, user_id, count_sends, count_bounces, count_opens, count_machine_opens,
  count_clicks, count_complaints, count_unsubscribes, count_purchases, revenue, count_conversions
) VALUES (
  source.campaign_id, source.user_key, source.user_id, source.count_sends, source.count_bounces,
  source.count_opens, source.count_machine_opens, source.count_clicks, source.count_complaints,
  source.count_unsubscribes, source.count_purchases, source.revenue, source.count_conversions
);

DELETE FROM iterable_analytics.lifetime_settled_dates WHERE lifetime_table = 'campaign_recipient_lifetime';

INSERT INTO iterable_analytics.lifetime_settled_dates (lifetime_table, settled_before)
VALUES ('campaign_recipient_lifetime', settle_to);

COMMIT TRANSACTION;
