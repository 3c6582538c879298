-- stg_metric_campaign_days: one row per date (UTC) x campaign with sends, with the counts the
-- anomaly detector watches, named as in email_send_cohort_fact (issue 15). Until that fact lands
-- this reads the events by event date; switching the detector to send cohorts is replacing the
-- `campaign_days` CTE below with a select from iterable_analytics.email_send_cohort_fact (its
-- send date as metric_on), and nothing downstream changes.
-- count_unique_human_opens: distinct people with an open that no privacy proxy made (machine
-- opens by Apple Mail Privacy Protection say nothing about interest).
CREATE OR REPLACE VIEW iterable_analytics.stg_metric_campaign_days AS
WITH campaign_days AS (
  SELECT
    event_on AS metric_on,
    campaign_id,
    COUNTIF(event_type = 'send') AS count_sends,
    COUNTIF(event_type = 'bounce') AS count_bounces,
    COUNTIF(event_type = 'send') - COUNTIF(event_type = 'bounce') AS count_delivered,
    COUNT(DISTINCT IF(event_type = 'open' AND NOT is_machine_open, user_key, NULL)) AS count_unique_human_opens,
    COUNT(DISTINCT IF(event_type = 'click', user_key, NULL)) AS count_unique_clicks,
    COUNT(DISTINCT IF(event_type = 'unsubscribe', user_key, NULL)) AS count_unique_unsubscribes,
    COUNTIF(event_type = 'complaint') AS count_complaints,
    IFNULL(SUM(revenue), 0) AS revenue
  FROM iterable_analytics.stg_email_events
  WHERE campaign_id IS NOT NULL
  GROUP BY event_on, campaign_id
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
