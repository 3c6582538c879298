-- Failing rows: lifetime rates, funnel drop-offs and send-date cohort rates outside [0, 1].
-- campaign_fact_table's click_to_open_rate is only checked for sign: a recipient can click
-- without a recorded open (images blocked); the cohort's counts only recipients who did both.
-- email_performance_fact's daily rates are not checked: an email delivered one day may be opened
-- on the next, which is what the cohort fact's rates by send date are for.
WITH campaign_rates AS (
  SELECT campaign_id, 'open_rate' AS rate, open_rate AS value FROM iterable_analytics.campaign_fact_table
  UNION ALL SELECT campaign_id, 'click_rate', click_rate FROM iterable_analytics.campaign_fact_table
  UNION ALL SELECT campaign_id, 'unsubscribe_rate', unsubscribe_rate FROM iterable_analytics.campaign_fact_table
  UNION ALL SELECT campaign_id, 'bounce_rate', bounce_rate FROM iterable_analytics.campaign_fact_table
  UNION ALL SELECT campaign_id, 'complaint_rate', complaint_rate FROM iterable_analytics.campaign_fact_table
  UNION ALL
  SELECT campaign_id, 'delivery_drop_off_rate', delivery_drop_off_rate FROM iterable_analytics.email_funnel_fact
  UNION ALL
  SELECT campaign_id, 'open_drop_off_rate', open_drop_off_rate FROM iterable_analytics.email_funnel_fact
  UNION ALL
  SELECT campaign_id, 'click_drop_off_rate', click_drop_off_rate FROM iterable_analytics.email_funnel_fact
  UNION ALL
  SELECT campaign_id, 'conversion_drop_off_rate', conversion_drop_off_rate
  FROM iterable_analytics.email_funnel_fact
  UNION ALL SELECT campaign_id, 'conversion_rate', conversion_rate FROM iterable_analytics.email_funnel_fact
),

cohort_rates AS (
  SELECT campaign_id, 'cohort open_rate' AS rate, open_rate AS value
  FROM iterable_analytics.email_send_cohort_fact
  UNION ALL
  SELECT campaign_id, 'cohort human_open_rate', human_open_rate FROM iterable_analytics.email_send_cohort_fact
  UNION ALL SELECT campaign_id, 'cohort click_rate', click_rate FROM iterable_analytics.email_send_cohort_fact
  UNION ALL
  SELECT campaign_id, 'cohort click_to_open_rate', click_to_open_rate
  FROM iterable_analytics.email_send_cohort_fact
  UNION ALL
  SELECT campaign_id, 'cohort unsubscribe_rate', unsubscribe_rate FROM iterable_analytics.email_send_cohort_fact
  UNION ALL SELECT campaign_id, 'cohort bounce_rate', bounce_rate FROM iterable_analytics.email_send_cohort_fact
  UNION ALL
  SELECT campaign_id, 'cohort complaint_rate', complaint_rate FROM iterable_analytics.email_send_cohort_fact
)

SELECT campaign_id, rate, value
FROM campaign_rates
WHERE value < 0 OR value > 1
UNION ALL
SELECT campaign_id, rate, value
FROM cohort_rates
WHERE value < 0 OR value > 1
UNION ALL
SELECT campaign_id, 'click_to_open_rate', click_to_open_rate
FROM iterable_analytics.campaign_fact_table
WHERE click_to_open_rate < 0
