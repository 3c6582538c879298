-- campaign_reconciliation: one row per campaign x metric, for every campaign in Iterable's own
-- totals (iterable_raw.campaign_metrics_raw, read from GET /api/campaigns/metrics over the range
-- the pipeline has loaded). ours: campaign_fact_table's lifetime total (0 when the campaign has
-- no row); theirs: Iterable's; difference = ours - theirs rounded to cents (revenue is a sum of
-- floating-point totals, so it may differ in the last bits); is_match: difference = 0.
-- Iterable counts over the requested range only, so a campaign older than the loaded history
-- shows a difference until its history is loaded.
--
-- Rebuilt whole on every run: it reads two tables of one row per campaign.

CREATE OR REPLACE TABLE iterable_analytics.campaign_reconciliation AS
WITH paired AS (
  SELECT
    theirs.campaign_id,
    ours.count_sends AS our_sends, theirs.total_email_sends AS their_sends,
    ours.count_delivered AS our_delivered, theirs.total_emails_delivered AS their_delivered,
    ours.count_bounces AS our_bounces, theirs.total_emails_bounced AS their_bounces,
    ours.count_opens AS our_opens, theirs.total_email_opens AS their_opens,
    ours.count_unique_opens AS our_unique_opens, theirs.unique_email_opens AS their_unique_opens,
    ours.count_clicks AS our_clicks, theirs.total_email_clicks AS their_clicks,
    ours.count_unique_clicks AS our_unique_clicks, theirs.unique_email_clicks AS their_unique_clicks,
    ours.count_complaints AS our_complaints, theirs.total_complaints AS their_complaints,
    ours.count_unsubscribes AS our_unsubscribes, theirs.total_unsubscribes AS their_unsubscribes,
    ours.count_unique_unsubscribes AS our_unique_unsubscribes,
    theirs.unique_unsubscribes AS their_unique_unsubscribes,
    ours.count_purchases AS our_purchases, theirs.total_purchases AS their_purchases,
    ours.revenue AS our_revenue, theirs.revenue AS their_revenue
  FROM iterable_raw.campaign_metrics_raw AS theirs
  LEFT JOIN iterable_analytics.campaign_fact_table AS ours ON ours.campaign_id = theirs.campaign_id
),

metrics AS (
  SELECT campaign_id, 'count_sends' AS metric, our_sends AS ours, their_sends AS theirs FROM paired
  UNION ALL SELECT campaign_id, 'count_delivered', our_delivered, their_delivered FROM paired
  UNION ALL SELECT campaign_id, 'count_bounces', our_bounces, their_bounces FROM paired
  UNION ALL SELECT campaign_id, 'count_opens', our_opens, their_opens FROM paired
  UNION ALL SELECT campaign_id, 'count_unique_opens', our_unique_opens, their_unique_opens FROM paired
  UNION ALL SELECT campaign_id, 'count_clicks', our_clicks, their_clicks FROM paired
  UNION ALL SELECT campaign_id, 'count_unique_clicks', our_unique_clicks, their_unique_clicks FROM paired
  UNION ALL SELECT campaign_id, 'count_complaints', our_complaints, their_complaints FROM paired
  UNION ALL SELECT campaign_id, 'count_unsubscribes', our_unsubscribes, their_unsubscribes FROM paired
  UNION ALL
  SELECT campaign_id, 'count_unique_unsubscribes', our_unique_unsubscribes, their_unique_unsubscribes
  FROM paired
  UNION ALL SELECT campaign_id, 'count_purchases', our_purchases, their_purchases FROM paired
  UNION ALL
  SELECT campaign_id, 'revenue', our_revenue, their_revenue FROM paired
),

final AS (
  SELECT
    campaign_id,
    metric,
    CAST(IFNULL(ours, 0) AS FLOAT64) AS ours,
    CAST(theirs AS FLOAT64) AS theirs,
    ROUND(CAST(IFNULL(ours, 0) AS FLOAT64) - CAST(theirs AS FLOAT64), 2) AS difference,
    IFNULL(ROUND(CAST(IFNULL(ours, 0) AS FLOAT64) - CAST(theirs AS FLOAT64), 2) = 0, FALSE) AS is_match
  FROM metrics
)

SELECT * FROM final
