-- Failing rows: event date x campaign keys that are incomplete or appear more than once.
SELECT event_on, campaign_id, COUNT(*) AS count_rows
FROM iterable_analytics.email_performance_fact
GROUP BY event_on, campaign_id
HAVING event_on IS NULL OR campaign_id IS NULL OR COUNT(*) > 1
