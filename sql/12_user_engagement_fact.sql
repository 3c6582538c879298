-- user_engagement_fact: one row per user, keyed by user_key: the email, or the user id for events
-- without an email (user-id based projects). Lifetime counts of the user's sends, opens (machine
-- opens included), clicks, unsubscribes and purchases, revenue (all of the user's purchases,
-- attributed to a campaign or not), first/last send, last open, last click.
-- last_engaged_at: the latest click or human open (opens with a proxySource are mail privacy
-- proxies fetching the email, not the person reading it).
--
-- engagement_segment, relative to the run's time (CURRENT_TIMESTAMP), first rule that holds:
--   'unsubscribed'  the user's latest unsubscribe is later than their latest subscribe (or they
--                   never subscribed);
--   'active'        engaged (human open or click) in the last 30 days;
--   'at_risk'       engaged in the last 90 days, but not the last 30;
--   'dormant'       not engaged in the last 90 days, or never.
--
-- From the user's latest profile (user_profiles; NULL without one): signed_up_on, signup_cohort
-- ('YYYY-MM') and subscription_state ('subscribed', 'partially_unsubscribed', 'unsubscribed',
-- 'no_subscriptions'). Users whose profile was updated since `events_from` are recomputed too.
--
-- Incremental: users with rows of user_daily dated from `events_from` on (the rebuild start of
-- `stg_rebuild_from`; all history on a first build) are recomputed and merged, each from their
-- row of user_lifetime (their totals over the settled dates, sql/06_user_lifetime.sql) plus their
-- rows of user_daily dated from the settled date on (one per user and date, built by sql/06 from
-- the lookback's raw partitions): a run reads one row per affected user and the rebuilt dates,
-- never all of a user's days. The rebuilt dates are recomputed rather than added to the fact,
-- because adding a lookback's events on every run would count them again. No raw table is read.
-- The segment depends on time passing, not only on events, so it is recomputed for every user
-- from this table's own columns.
DECLARE events_from TIMESTAMP;
DECLARE daily_from DATE;

CREATE TABLE IF NOT EXISTS iterable_analytics.user_engagement_fact (
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
  last_subscribe_at TIMESTAMP,
  engagement_segment STRING,
  signed_up_on DATE,
  signup_cohort STRING,
  subscription_state STRING
);

-- A first build (the table still empty) reads all history; later ones from stg_rebuild_from.
SET events_from = (
  SELECT IF(COUNT(*) = 0, TIMESTAMP '1970-01-01 00:00:00', (SELECT rebuild_from FROM iterable_analytics.stg_rebuild_from))
  FROM iterable_analytics.user_engagement_fact
);

-- One transaction from here on, so the settled date and the lifetime rows are read from one
-- snapshot: a settling run of the lifetime file committing in between would otherwise count its
-- days twice (https://cloud.google.com/bigquery/docs/transactions, snapshot isolation).
BEGIN TRANSACTION;

-- user_daily's dates that user_lifetime does not hold yet: a script variable, so BigQuery prunes
-- user_daily's partitions before it.
SET daily_from = (
  SELECT MAX(settled_before)
  FROM iterable_analytics.lifetime_settled_dates
  WHERE lifetime_table = 'user_lifetime'
);

MERGE INTO iterable_analytics.user_engagement_fact AS target
USING (
  WITH affected_users AS (
    SELECT DISTINCT user_key
    FROM iterable_analytics.user_daily
    WHERE event_on >= DATE(events_from)
    UNION ALL
    SELECT user_key
    FROM iterable_analytics.user_profiles
    WHERE profile_updated_at >= events_from
  ),

  rows_of_users AS (
    SELECT
      user_key, email, user_id, count_sends, count_opens, count_clicks, count_unsubscribes,
      count_purchases, revenue, first_send_at, last_send_at, last_open_at, last_click_at,
      last_engaged_at, last_unsubscribe_at, last_subscribe_at
    FROM iterable_analytics.user_lifetime
    WHERE user_key IN (SELECT user_key FROM affected_users)
    UNION ALL
    SELECT
      user_key, email, user_id, count_sends, count_opens, count_clicks, count_unsubscribes,
      count_purchases, revenue, first_send_at, last_send_at, last_open_at, last_click_at,
      last_engaged_at, last_unsubscribe_at, last_subscribe_at
    FROM iterable_analytics.user_daily
    WHERE event_on >= daily_from
      AND user_key IN (SELECT user_key FROM affected_users)
  ),

  events AS (
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
    FROM rows_of_users
    GROUP BY user_key
  ),

  final AS (
    SELECT
      events.*,
      profiles.signed_up_on,
      profiles.signup_cohort,
      profiles.subscription_state
    FROM events
    LEFT JOIN iterable_analytics.user_profiles AS profiles ON profiles.user_key = events.user_key
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
  last_subscribe_at = source.last_subscribe_at,
  signed_up_on = source.signed_up_on,
  signup_cohort = source.signup_cohort,
  subscription_state = source.subscription_state
WHEN NOT MATCHED THEN INSERT (
  user_key, email, user_id, count_sends, count_opens, count_clicks, count_unsubscribes,
  count_purchases, revenue, first_send_at, last_send_at, last_open_at, last_click_at,
  last_engaged_at, last_unsubscribe_at, last_subscribe_at, signed_up_on, signup_cohort,
  subscription_state
) VALUES (
  source.user_key, source.email, source.user_id, source.count_sends, source.count_opens,
  source.count_clicks, source.count_unsubscribes, source.count_purchases, source.revenue,
  source.first_send_at, source.last_send_at, source.last_open_at, source.last_click_at,
  source.last_engaged_at, source.last_unsubscribe_at, source.last_subscribe_at,
  source.signed_up_on, source.signup_cohort, source.subscription_state
);

UPDATE iterable_analytics.user_engagement_fact
SET engagement_segment = CASE
  WHEN last_unsubscribe_at IS NOT NULL
    AND (last_subscribe_at IS NULL OR last_subscribe_at < last_unsubscribe_at) THEN 'unsubscribed'
  WHEN last_engaged_at >= CURRENT_TIMESTAMP - INTERVAL 30 DAY THEN 'active'
  WHEN last_engaged_at >= CURRENT_TIMESTAMP - INTERVAL 90 DAY THEN 'at_risk'
  ELSE 'dormant'
END
WHERE TRUE;

COMMIT TRANSACTION;
