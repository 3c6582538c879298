-- Failing rows: user keys that are NULL or appear more than once, or users without a segment.
SELECT user_key, COUNT(*) AS count_rows
FROM iterable_analytics.user_engagement_fact
GROUP BY user_key
HAVING user_key IS NULL OR COUNT(*) > 1 OR COUNTIF(engagement_segment IS NULL) > 0
