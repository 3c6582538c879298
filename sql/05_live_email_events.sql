-- live_email_events: one row per email event that arrived by webhook (iterable_live.events) and
-- that the exports have not covered yet: created at or after its stream's loaded edge, the end of
-- the furthest window loaded (iterable_raw.loaded_edges, moved in the window's own transaction).
-- Every event before the edge is counted from the raw tables instead, so an event is never counted
-- from both; a stream with no edge yet has loaded nothing, and all its live rows count.
-- Iterable may deliver a webhook twice and Pub/Sub may write a message twice: copies share
-- event_key, and only the first one received is kept.
-- The columns are those of stg_email_events, so the two union (stg_email_events_fresh).
CREATE OR REPLACE VIEW iterable_analytics.live_email_events AS
WITH edges AS (
  SELECT stream, loaded_edge FROM iterable_raw.loaded_edges
),

-- Copies of one event share its created_at, so they fall on the same side of the edge.
not_loaded AS (
  SELECT events.*
  FROM iterable_live.events AS events
  LEFT JOIN edges ON edges.stream = events.stream
  WHERE edges.loaded_edge IS NULL OR events.created_at >= edges.loaded_edge
  QUALIFY ROW_NUMBER() OVER (PARTITION BY events.event_key ORDER BY events.received_at, events.message_id) = 1
),

typed AS (
  SELECT
    CASE stream
      WHEN 'email_send' THEN 'send'
      WHEN 'email_bounce' THEN 'bounce'
      WHEN 'email_open' THEN 'open'
      WHEN 'email_click' THEN 'click'
      WHEN 'email_complaint' THEN 'complaint'
      WHEN 'email_unsubscribe' THEN 'unsubscribe'
      WHEN 'email_subscribe' THEN 'subscribe'
      WHEN 'purchase' THEN 'purchase'
    END AS event_type,
    stream,
    created_at,
    campaign_id,
    email,
    user_id,
    iterable_message_id,
    payload,
    received_at
  FROM not_loaded
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
    iterable_message_id AS message_id,
    stream = 'email_open' AND JSON_VALUE(payload, '$.proxySource') IS NOT NULL AS is_machine_open,
    IF(stream = 'email_unsubscribe', JSON_VALUE(payload, '$.unsubSource'), NULL) AS unsub_source,
    IF(stream = 'purchase', CAST(JSON_VALUE(payload, '$.total') AS FLOAT64), NULL) AS revenue,
    received_at AS _loaded_at
  FROM typed
  -- Send skips, hosted unsubscribe clicks and event names we do not know stay in
  -- iterable_live.events, as they stay out of stg_email_events.
  WHERE event_type IS NOT NULL
)

SELECT * FROM final
