-- Failing rows: campaign ids that are NULL or appear more than once in email_funnel_fact.
SELECT campaign_id, COUNT(*) AS count_rows
FROM iterable_analytics.email_funnel_fact
GROUP BY campaign_id
HAVING campaign_id IS NULL OR COUNT(*) > 1
