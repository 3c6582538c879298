-- stg_metric_campaign_days: one row per send date (UTC) x campaign with sends, with the counts the
-- anomaly detector watches, taken from the send cohorts (email_send_cohort_fact): a day's rates
-- are those of the messages sent that day, so they stay within [0, 1] and do not drift with when
-- people open. It reads a fact table, never the raw history.
-- count_unique_human_opens: distinct recipients with an open that no privacy proxy made (machine
-- opens by Apple Mail Privacy Protection say nothing about interest).
CREATE OR REPLACE VIEW iterable_analytics.stg_metric_campaign_days AS
WITH campaign_days AS (
  SELECT
    send_on AS metric_on,
    campaign_id,
    count_sends,
    count_bounces,
    count_delivered,
    count_unique_human_opens,
    count_unique_clicks,
    count_unique_unsubscribes,
    count_complaints,
    revenue
  FROM iterable_analytics.email_send_cohort_fact
  WHERE campaign_id IS NOT NULL
),

final AS (
  SELECT
    campaign_days.*,
    campaigns.message_type_name,
    campaigns.channel_name
  FROM campaign_days
  LEFT JOIN iterable_analytics.stg_campaigns AS campaigns
    ON campaigns.campaign_id = campaign_days.campaign_id
  WHERE campaign_days.count_sends > 0
)

SELECT * FROM final
