-- Failing rows: date x message type x unsub_source keys that appear more than once (a NULL
-- message type or source is a key value of its own), or rows without a date.
SELECT event_on, message_type_id, unsub_source, COUNT(*) AS count_rows
FROM iterable_analytics.unsubscribe_fact
GROUP BY event_on, message_type_id, unsub_source
HAVING event_on IS NULL OR COUNT(*) > 1
