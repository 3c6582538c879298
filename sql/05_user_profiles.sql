-- user_profiles: one row per user (user_key: the lower-cased email, or the user id for profiles
-- without an email, as in stg_email_events), the latest profile loaded: the user export is
-- windowed on profileUpdatedAt, so users_raw keeps every version a window brought and the newest
-- update wins (upsert semantics; ties go to the latest load).
-- signup_cohort: the month the user signed up, 'YYYY-MM' (a string, so both engines agree).
-- subscription_state: 'unsubscribed' from at least one channel; else 'partially_unsubscribed' from
-- at least one message type; else 'subscribed' (to at least one list); else 'no_subscriptions'.
-- The whole profile, custom fields included, is `payload`.
--
-- Incremental, an upsert: a run reads the profile versions updated from `profiles_from` on (the
-- lookback's start, or earlier for versions loaded within the lookback, found among the last 28
-- days as stg_rebuild_from finds late events; all versions on a first build), keeps the latest per
-- user, and merges it over the user's row when it is at least as new. The versions of users_raw
-- are never read again, so a run reads the lookback's partitions of users_raw (partitioned by day
-- of profile_updated_at), not every version ever loaded. `profiles_from` is a script variable set
-- before the read, so BigQuery prunes the partitions before it.
DECLARE profiles_from TIMESTAMP;

CREATE TABLE IF NOT EXISTS iterable_analytics.user_profiles (
  user_key STRING,
  email STRING,
  user_id STRING,
  signed_up_at TIMESTAMP,
  signed_up_on DATE,
  signup_cohort STRING,
  profile_updated_at TIMESTAMP,
  subscription_state STRING,
  email_list_ids JSON,
  unsubscribed_channel_ids JSON,
  unsubscribed_message_type_ids JSON,
  payload JSON,
  _loaded_at TIMESTAMP
);

-- A first build (the table still empty) reads every version; later ones from the lookback's
-- start, or from the oldest update among the versions loaded within the lookback.
SET profiles_from = (
  SELECT IF(
    COUNT(*) = 0,
    TIMESTAMP '1970-01-01 00:00:00',
    (
      SELECT LEAST(
        CAST(DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY) AS TIMESTAMP),
        IFNULL(
          CAST(DATE(MIN(profile_updated_at)) AS TIMESTAMP),
          CAST(DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY) AS TIMESTAMP)
        )
      )
      FROM iterable_raw.users_raw
      WHERE _loaded_at >= CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY
        AND profile_updated_at >= CURRENT_TIMESTAMP - INTERVAL 28 DAY
    )
  )
  FROM iterable_analytics.user_profiles
);

MERGE INTO iterable_analytics.user_profiles AS target
USING (
  WITH latest AS (
    SELECT
      COALESCE(LOWER(email), user_id) AS user_key,
      LOWER(email) AS email,
      user_id,
      signed_up_at,
      profile_updated_at,
      email_list_ids,
      unsubscribed_channel_ids,
      unsubscribed_message_type_ids,
      payload,
      _loaded_at
    FROM iterable_raw.users_raw
    WHERE profile_updated_at >= profiles_from
      AND COALESCE(email, user_id) IS NOT NULL
    QUALIFY ROW_NUMBER() OVER (
      PARTITION BY COALESCE(LOWER(email), user_id) ORDER BY profile_updated_at DESC, _loaded_at DESC
    ) = 1
  ),

  final AS (
    SELECT
      user_key,
      email,
      user_id,
      signed_up_at,
      DATE(signed_up_at) AS signed_up_on,
      SUBSTR(CAST(DATE(signed_up_at) AS STRING), 1, 7) AS signup_cohort,
      profile_updated_at,
      CASE
        WHEN JSON_VALUE(unsubscribed_channel_ids, '$[0]') IS NOT NULL THEN 'unsubscribed'
        WHEN JSON_VALUE(unsubscribed_message_type_ids, '$[0]') IS NOT NULL THEN 'partially_unsubscribed'
        WHEN JSON_VALUE(email_list_ids, '$[0]') IS NOT NULL THEN 'subscribed'
        ELSE 'no_subscriptions'
      END AS subscription_state,
      email_list_ids,
      unsubscribed_channel_ids,
      unsubscribed_message_type_ids,
      payload,
      _loaded_at
    FROM latest
  )

  SELECT * FROM final
) AS source
ON target.user_key = source.user_key
-- An older version (a window re-read behind a newer update) never replaces a newer one.
WHEN MATCHED AND (
  source.profile_updated_at > target.profile_updated_at
  OR (source.profile_updated_at = target.profile_updated_at AND source._loaded_at >= target._loaded_at)
) THEN UPDATE SET
  email = source.email,
  user_id = source.user_id,
  signed_up_at = source.signed_up_at,
  signed_up_on = source.signed_up_on,
  signup_cohort = source.signup_cohort,
  profile_updated_at = source.profile_updated_at,
  subscription_state = source.subscription_state,
  email_list_ids = source.email_list_ids,
  unsubscribed_channel_ids = source.unsubscribed_channel_ids,
  unsubscribed_message_type_ids = source.unsubscribed_message_type_ids,
  payload = source.payload,
  _loaded_at = source._loaded_at
WHEN NOT MATCHED THEN INSERT (
  user_key, email, user_id, signed_up_at, signed_up_on, signup_cohort, profile_updated_at,
  subscription_state, email_list_ids, unsubscribed_channel_ids, unsubscribed_message_type_ids,
  payload, _loaded_at
) VALUES (
  source.user_key, source.email, source.user_id, source.signed_up_at, source.signed_up_on,
  source.signup_cohort, source.profile_updated_at, source.subscription_state, source.email_list_ids,
  source.unsubscribed_channel_ids, source.unsubscribed_message_type_ids, source.payload,
  source._loaded_at
);
