-- stg_users: one row per user (user_key: the lower-cased email, or the user id for profiles
-- without an email, as in stg_email_events), the latest profile loaded: the user export is
-- windowed on profileUpdatedAt, so users_raw keeps every version a window brought and the newest
-- update wins (upsert semantics; ties go to the latest load).
-- signup_cohort: the month the user signed up, 'YYYY-MM' (a string, so both engines agree).
-- subscription_state: 'unsubscribed' from at least one channel; else 'partially_unsubscribed' from
-- at least one message type; else 'subscribed' (to at least one list); else 'no_subscriptions'.
-- The whole profile, custom fields included, is `payload`.
CREATE OR REPLACE VIEW iterable_analytics.stg_users AS
WITH profiles AS (
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
  WHERE COALESCE(email, user_id) IS NOT NULL
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
  FROM profiles
)

SELECT * FROM final
