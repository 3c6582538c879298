-- unsubscribe_fact: one row per event date (UTC) x message type x unsub_source that has
-- unsubscribes. The message type of an unsubscribe is that of its campaign (see stg_campaigns);
-- unsubscribes without a campaign (imports, API calls, hosted pages) have a NULL message type.
-- count_unsubscribes: unsubscribe events; count_unique_unsubscribes: distinct users.
-- count_delivered: delivered emails (sends - bounces) of that message type on that date, 0 for
-- a NULL message type; churn_rate = unique unsubscribes / delivered, NULL when delivered is 0.
--
-- Incremental: the dates from `stg_rebuild_from` on (the lookback, default 7 days before the
-- run's date, or earlier for rows loaded within it) are recomputed whole and merged; rows of
-- those dates that no longer have unsubscribes are deleted. Message type names are refreshed on
-- every row from the small dimension.
-- The raw tables are read from `events_from` on, a script variable set before any read, so
-- BigQuery prunes the partitions before it (a scalar subquery in the filter would scan them all).
DECLARE events_from TIMESTAMP;

CREATE TABLE IF NOT EXISTS iterable_analytics.unsubscribe_fact (
  event_on DATE,
  message_type_id INT64,
  message_type_name STRING,
  unsub_source STRING,
  count_unsubscribes INT64,
  count_unique_unsubscribes INT64,
  count_delivered INT64,
  churn_rate FLOAT64
);

-- A first build (the table still empty) reads all history; later ones from stg_rebuild_from.
SET events_from = (
  SELECT IF(COUNT(*) = 0, TIMESTAMP '1970-01-01 00:00:00', (SELECT rebuild_from FROM iterable_analytics.stg_rebuild_from))
  FROM iterable_analytics.unsubscribe_fact
);

MERGE INTO iterable_analytics.unsubscribe_fact AS target
USING (
  WITH events AS (
    SELECT events.*, campaigns.message_type_id
    FROM iterable_analytics.stg_email_events AS events
    LEFT JOIN iterable_analytics.stg_campaigns AS campaigns ON campaigns.campaign_id = events.campaign_id
    WHERE events.created_at >= events_from
      AND events.event_type IN ('send', 'bounce', 'unsubscribe')
  ),

  unsubscribes AS (
    SELECT
      event_on,
      message_type_id,
      unsub_source,
      COUNT(*) AS count_unsubscribes,
      COUNT(DISTINCT user_key) AS count_unique_unsubscribes
    FROM events
    WHERE event_type = 'unsubscribe'
    GROUP BY event_on, message_type_id, unsub_source
  ),

  delivered AS (
    SELECT
      event_on,
      message_type_id,
      COUNTIF(event_type = 'send') - COUNTIF(event_type = 'bounce') AS count_delivered
    FROM events
    WHERE message_type_id IS NOT NULL
    GROUP BY event_on, message_type_id
  ),

  final AS (
    SELECT
      unsubscribes.*,
      IFNULL(delivered.count_delivered, 0) AS count_delivered,
      SAFE_DIVIDE(unsubscribes.count_unique_unsubscribes, delivered.count_delivered) AS churn_rate
    FROM unsubscribes
    LEFT JOIN delivered
      ON delivered.event_on = unsubscribes.event_on
      AND delivered.message_type_id = unsubscribes.message_type_id
  )

  SELECT * FROM final
) AS source
ON target.event_on = source.event_on
  AND target.message_type_id IS NOT DISTINCT FROM source.message_type_id
  AND target.unsub_source IS NOT DISTINCT FROM source.unsub_source
WHEN MATCHED THEN UPDATE SET
  count_unsubscribes = source.count_unsubscribes,
  count_unique_unsubscribes = source.count_unique_unsubscribes,
  count_delivered = source.count_delivered,
  churn_rate = source.churn_rate
WHEN NOT MATCHED THEN INSERT (
  event_on, message_type_id, unsub_source, count_unsubscribes, count_unique_unsubscribes,
  count_delivered, churn_rate
) VALUES (
  source.event_on, source.message_type_id, source.unsub_source, source.count_unsubscribes,
  source.count_unique_unsubscribes, source.count_delivered, source.churn_rate
)
WHEN NOT MATCHED BY SOURCE
  AND target.event_on >= DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY) THEN DELETE;

MERGE INTO iterable_analytics.unsubscribe_fact AS target
USING iterable_analytics.stg_message_types AS source
ON target.message_type_id = source.message_type_id
WHEN MATCHED THEN UPDATE SET message_type_name = source.message_type_name;
