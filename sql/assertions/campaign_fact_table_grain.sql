-- Failing rows: campaign ids that are NULL or appear more than once in campaign_fact_table.
SELECT campaign_id, COUNT(*) AS count_rows
FROM iterable_analytics.campaign_fact_table
GROUP BY campaign_id
HAVING campaign_id IS NULL OR COUNT(*) > 1
