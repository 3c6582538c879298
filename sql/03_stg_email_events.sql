-- stg_email_events: one row per email event or purchase, as loaded in the raw tables. Raw tables
-- hold each window exactly once (loads replace windows), so nothing is deduplicated here: two
-- identical events are two events, as Iterable counts them.
-- user_key identifies the person: the email, lower-cased as Iterable compares emails, or the
-- user id for events without an email (user-id based projects).
-- message_id: the message an event is about (a send and the opens, clicks… it caused share it).
-- is_machine_open: an open reported by a mail privacy proxy (proxySource set).
-- revenue: a purchase's total; campaign_id on a purchase is Iterable's attribution.
-- conversion: a custom event whose name is configured as a conversion (CONVERSION_EVENT_NAMES;
-- the runner writes the list in place of `(NULL) /* conversion_event_names */`, which matches
-- nothing: by default only purchases convert).
-- _loaded_at: when the row's window was loaded, which decides what the incremental facts rebuild.
CREATE OR REPLACE VIEW iterable_analytics.stg_email_events AS
WITH sends AS (
  SELECT
    'send' AS event_type, created_at, campaign_id, email, user_id, message_id,
    FALSE AS is_machine_open, CAST(NULL AS STRING) AS unsub_source, CAST(NULL AS FLOAT64) AS revenue,
    _loaded_at
  FROM iterable_raw.email_send_raw
),

bounces AS (
  SELECT
    'bounce' AS event_type, created_at, campaign_id, email, user_id, message_id,
    FALSE AS is_machine_open, CAST(NULL AS STRING) AS unsub_source, CAST(NULL AS FLOAT64) AS revenue,
    _loaded_at
  FROM iterable_raw.email_bounce_raw
),

opens AS (
  SELECT
    'open' AS event_type, created_at, campaign_id, email, user_id, message_id,
    proxy_source IS NOT NULL AS is_machine_open, CAST(NULL AS STRING) AS unsub_source,
    CAST(NULL AS FLOAT64) AS revenue, _loaded_at
  FROM iterable_raw.email_open_raw
),

clicks AS (
  SELECT
    'click' AS event_type, created_at, campaign_id, email, user_id, message_id,
    FALSE AS is_machine_open, CAST(NULL AS STRING) AS unsub_source, CAST(NULL AS FLOAT64) AS revenue,
    _loaded_at
  FROM iterable_raw.email_click_raw
),

complaints AS (
  SELECT
    'complaint' AS event_type, created_at, campaign_id, email, user_id, message_id,
    FALSE AS is_machine_open, CAST(NULL AS STRING) AS unsub_source, CAST(NULL AS FLOAT64) AS revenue,
    _loaded_at
  FROM iterable_raw.email_complaint_raw
),

unsubscribes AS (
  SELECT
    'unsubscribe' AS event_type, created_at, campaign_id, email, user_id, message_id,
    FALSE AS is_machine_open, unsub_source, CAST(NULL AS FLOAT64) AS revenue, _loaded_at
  FROM iterable_raw.email_unsubscribe_raw
),

subscribes AS (
  SELECT
    'subscribe' AS event_type, created_at, campaign_id, email, user_id, message_id,
    FALSE AS is_machine_open, CAST(NULL AS STRING) AS unsub_source, CAST(NULL AS FLOAT64) AS revenue,
    _loaded_at
  FROM iterable_raw.email_subscribe_raw
),

purchases AS (
  SELECT
    'purchase' AS event_type, created_at, campaign_id, email, user_id, message_id,
    FALSE AS is_machine_open, CAST(NULL AS STRING) AS unsub_source, total AS revenue, _loaded_at
  FROM iterable_raw.purchase_raw
),

conversions AS (
  SELECT
    'conversion' AS event_type, created_at, campaign_id, email, user_id, message_id,
    FALSE AS is_machine_open, CAST(NULL AS STRING) AS unsub_source, CAST(NULL AS FLOAT64) AS revenue,
    _loaded_at
  FROM iterable_raw.custom_event_raw
  WHERE event_name IN (NULL) /* conversion_event_names */
),

events AS (
  SELECT * FROM sends
  UNION ALL SELECT * FROM bounces
  UNION ALL SELECT * FROM opens
  UNION ALL SELECT * FROM clicks
  UNION ALL SELECT * FROM complaints
  UNION ALL SELECT * FROM unsubscribes
  UNION ALL SELECT * FROM subscribes
  UNION ALL SELECT * FROM purchases
  UNION ALL SELECT * FROM conversions
),

final AS (
  SELECT
    event_type,
    created_at,
    DATE(created_at) AS event_on,
    campaign_id,
    COALESCE(LOWER(email), user_id) AS user_key,
    LOWER(email) AS email,
    user_id,
    message_id,
    is_machine_open,
    unsub_source,
    revenue,
    _loaded_at
  FROM events
)

SELECT * FROM final
