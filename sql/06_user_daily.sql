-- user_daily: one row per user (user_key) x event date (UTC) with events: the intermediate table
-- user_engagement_fact takes its lifetime counts and latest times from, so that a run reads the
-- lookback's raw partitions and the intermediate rows of the users it rebuilds, never the raw
-- history. Columns as in user_engagement_fact, over the events of that date (email, user_id: the
-- largest seen that day; revenue: every purchase, attributed to a campaign or not).
--
-- Incremental, date partition by date partition, as campaign_recipient_daily: the dates from
-- `events_from` on are deleted and recomputed from the raw events of those dates only.
DECLARE events_from TIMESTAMP;

CREATE TABLE IF NOT EXISTS iterable_analytics.user_daily (
  user_key STRING,
  event_on DATE,
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

-- A first build (the table still empty) reads all history; later ones from stg_rebuild_from.
SET events_from = (
  SELECT IF(COUNT(*) = 0, TIMESTAMP '1970-01-01 00:00:00', (SELECT rebuild_from FROM iterable_analytics.stg_rebuild_from))
  FROM iterable_analytics.user_daily
);

DELETE FROM iterable_analytics.user_daily WHERE event_on >= DATE(events_from);

INSERT INTO iterable_analytics.user_daily (
  user_key, event_on, email, user_id, count_sends, count_opens, count_clicks, count_unsubscribes,
  count_purchases, revenue, first_send_at, last_send_at, last_open_at, last_click_at,
  last_engaged_at, last_unsubscribe_at, last_subscribe_at
)
WITH events AS (
  SELECT *
  FROM iterable_analytics.stg_email_events
  WHERE created_at >= events_from
    AND user_key IS NOT NULL
),

final AS (
  SELECT
    user_key,
    event_on,
    MAX(email) AS email,
    MAX(user_id) AS user_id,
    COUNTIF(event_type = 'send') AS count_sends,
    COUNTIF(event_type = 'open') AS count_opens,
    COUNTIF(event_type = 'click') AS count_clicks,
    COUNTIF(event_type = 'unsubscribe') AS count_unsubscribes,
    COUNTIF(event_type = 'purchase') AS count_purchases,
    IFNULL(SUM(revenue), 0) AS revenue,
    MIN(IF(event_type = 'send', created_at, NULL)) AS first_send_at,
    MAX(IF(event_type = 'send', created_at, NULL)) AS last_send_at,
    MAX(IF(event_type = 'open', created_at, NULL)) AS last_open_at,
    MAX(IF(event_type = 'click', created_at, NULL)) AS last_click_at,
    MAX(IF(event_type = 'click' OR (event_type = 'open' AND NOT is_machine_open), created_at, NULL))
      AS last_engaged_at,
    MAX(IF(event_type = 'unsubscribe', created_at, NULL)) AS last_unsubscribe_at,
    MAX(IF(event_type = 'subscribe', created_at, NULL)) AS last_subscribe_at
  FROM events
  GROUP BY user_key, event_on
)

SELECT * FROM final;
