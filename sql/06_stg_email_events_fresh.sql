-- stg_email_events_fresh: one row per email event or purchase, as loaded by the exports, then as
-- received by webhook after each stream's loaded edge (live_email_events). The same event is
-- never in both halves, so facts that read this view count it once; when the exports load a range,
-- its webhook rows drop out in the same transaction. Read it wherever freshness matters.
-- is_live says which half a row comes from: loaded rows are final, live rows a preview (webhook
-- delivery is not guaranteed, so a live count may fall short until the exports arrive).
CREATE OR REPLACE VIEW iterable_analytics.stg_email_events_fresh AS
WITH loaded AS (
  SELECT
    event_type, created_at, event_on, campaign_id, user_key, email, user_id, message_id,
    is_machine_open, unsub_source, revenue, _loaded_at, FALSE AS is_live
  FROM iterable_analytics.stg_email_events
),

live AS (
  SELECT
    event_type, created_at, event_on, campaign_id, user_key, email, user_id, message_id,
    is_machine_open, unsub_source, revenue, _loaded_at, TRUE AS is_live
  FROM iterable_analytics.live_email_events
),

final AS (
  SELECT * FROM loaded
  UNION ALL
  SELECT * FROM live
)

SELECT * FROM final
