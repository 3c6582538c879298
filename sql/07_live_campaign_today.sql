-- live_campaign_today: one row per campaign per hour (UTC) of today, from loaded and live events
-- alike (stg_email_events_fresh), for Looker Studio's live page and the local dashboard's live
-- panel. A view, so it is as fresh as the webhooks: set the Looker Studio data source's freshness
-- to its shortest (docs/looker-studio.md).
CREATE OR REPLACE VIEW iterable_analytics.live_campaign_today AS
WITH today AS (
  SELECT *
  FROM iterable_analytics.stg_email_events_fresh
  WHERE event_on = DATE(CURRENT_TIMESTAMP) AND campaign_id IS NOT NULL
),

final AS (
  SELECT
    campaign_id,
    event_on,
    EXTRACT(HOUR FROM created_at) AS event_hour,
    COUNTIF(event_type = 'send') AS count_sends,
    COUNTIF(event_type = 'open') AS count_opens,
    COUNTIF(event_type = 'open' AND is_machine_open) AS count_machine_opens,
    COUNTIF(event_type = 'click') AS count_clicks,
    COUNTIF(event_type = 'bounce') AS count_bounces,
    COUNTIF(event_type = 'complaint') AS count_complaints,
    COUNTIF(event_type = 'unsubscribe') AS count_unsubscribes,
    COUNTIF(event_type = 'purchase') AS count_purchases,
    COUNTIF(is_live) AS count_live_events,
    MAX(created_at) AS last_event_at
  FROM today
  GROUP BY campaign_id, event_on, EXTRACT(HOUR FROM created_at)
)

SELECT * FROM final
