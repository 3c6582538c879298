-- Failing rows: send date x campaign keys that are incomplete or appear more than once.
SELECT send_on, campaign_id, COUNT(*) AS count_rows
FROM iterable_analytics.email_send_cohort_fact
GROUP BY send_on, campaign_id
HAVING send_on IS NULL OR campaign_id IS NULL OR COUNT(*) > 1
