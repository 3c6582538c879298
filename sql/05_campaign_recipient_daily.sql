-- campaign_recipient_daily: one row per campaign x recipient (user_key) x event date (UTC) with
-- events of the campaign: the intermediate table that campaign_fact_table and email_funnel_fact
-- take their lifetime totals from, so that a run reads the lookback's raw partitions and the
-- intermediate rows of the campaigns it rebuilds, never the raw history. Counting per recipient
-- keeps lifetime distinct counts exact: a recipient is unique over a campaign's rows however many
-- days they span. count_purchases counts purchases only (what Iterable's campaign metrics count);
-- count_conversions adds the custom events configured as conversions. Rows of events without a
-- recipient (no email, no user id) have a NULL user_key. user_id: the largest seen that day, so
-- that a user Iterable forgets is found by either identifier (its lists hash the email on
-- email-based projects and the user id on user-id based ones) when user_key holds the email.
--
-- Incremental, date partition by date partition: the dates from `events_from` on (the rebuild
-- start, `stg_rebuild_from`; all history on a first build) are deleted and recomputed from the
-- raw events of those dates, so a re-read window replaces its events here too. `events_from` is a
-- script variable set before any raw read, so BigQuery prunes the raw partitions before it.
DECLARE events_from TIMESTAMP;

CREATE TABLE IF NOT EXISTS iterable_analytics.campaign_recipient_daily (
  campaign_id INT64,
  user_key STRING,
  user_id STRING,
  event_on DATE,
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

-- A first build (the table still empty) reads all history; later ones from stg_rebuild_from.
SET events_from = (
  SELECT IF(COUNT(*) = 0, TIMESTAMP '1970-01-01 00:00:00', (SELECT rebuild_from FROM iterable_analytics.stg_rebuild_from))
  FROM iterable_analytics.campaign_recipient_daily
);

DELETE FROM iterable_analytics.campaign_recipient_daily WHERE event_on >= DATE(events_from);

INSERT INTO iterable_analytics.campaign_recipient_daily (
  campaign_id, user_key, user_id, event_on, count_sends, count_bounces, count_opens,
  count_machine_opens, count_clicks, count_complaints, count_unsubscribes, count_purchases, revenue,
  count_conversions
)
WITH events AS (
  SELECT *
  FROM iterable_analytics.stg_email_events
  WHERE created_at >= events_from
    AND campaign_id IS NOT NULL
),

final AS (
  SELECT
    campaign_id,
    user_key,
    MAX(user_id) AS user_id,
    event_on,
    COUNTIF(event_type = 'send') AS count_sends,
    COUNTIF(event_type = 'bounce') AS count_bounces,
    COUNTIF(event_type = 'open') AS count_opens,
    COUNTIF(event_type = 'open' AND is_machine_open) AS count_machine_opens,
    COUNTIF(event_type = 'click') AS count_clicks,
    COUNTIF(event_type = 'complaint') AS count_complaints,
    COUNTIF(event_type = 'unsubscribe') AS count_unsubscribes,
    COUNTIF(event_type = 'purchase') AS count_purchases,
    IFNULL(SUM(revenue), 0) AS revenue,
    -- Purchases and the custom events configured as conversions (CONVERSION_EVENT_NAMES): the funnel's converted stage.
    COUNTIF(event_type IN ('purchase', 'conversion')) AS count_conversions
  FROM events
  GROUP BY campaign_id, user_key, event_on
)

SELECT * FROM final;
