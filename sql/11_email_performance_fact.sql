-- email_performance_fact: one row per event date (UTC) x campaign, for days on which the campaign
-- had at least one event. Events without a campaign are not here (see unsubscribe_fact).
-- Carries the campaign's message type and channel (as in campaign_fact_table) for roll-ups by
-- email category. Metrics and rates are defined as in campaign_fact_table, counted over the
-- events of that date; unique counts are distinct recipients on that date, so they do not add
-- up across dates.
--
-- Incremental: the dates from `stg_rebuild_from` on (the lookback, default 7 days before the run's
-- date, or earlier for rows loaded within it) are recomputed whole from the raw events and
-- merged: changed rows are updated, new ones inserted, and rows of those dates that no longer
-- have events are deleted (within the lookback's dates only). Older dates are left as they are.
-- The raw tables are read from `events_from` on, a script variable set before any read, so
-- BigQuery prunes the partitions before it (a scalar subquery in the filter would scan them all).
--
-- Fresh: the events are read through stg_email_events_fresh, so today's row also counts the
-- webhooks received after each stream's loaded edge (a preview: webhook delivery is not
-- guaranteed). Each run recomputes the lookback's dates whole, so once the exports load a range
-- its webhook rows give way to the loaded ones: an event is counted once, from one or the other.
-- The live half is iterable_live.events, whose day partitions expire within days.
DECLARE events_from TIMESTAMP;

CREATE TABLE IF NOT EXISTS iterable_analytics.email_performance_fact (
  event_on DATE,
  campaign_id INT64,
  campaign_name STRING,
  message_type_id INT64,
  message_type_name STRING,
  channel_id INT64,
  channel_name STRING,
  channel_type STRING,
  count_sends INT64,
  count_bounces INT64,
  count_delivered INT64,
  count_opens INT64,
  count_unique_opens INT64,
  count_machine_opens INT64,
  count_clicks INT64,
  count_unique_clicks INT64,
  count_complaints INT64,
  count_unsubscribes INT64,
  count_unique_unsubscribes INT64,
  count_purchases INT64,
  revenue FLOAT64,
  open_rate FLOAT64,
  click_rate FLOAT64,
  click_to_open_rate FLOAT64,
  unsubscribe_rate FLOAT64,
  bounce_rate FLOAT64,
  complaint_rate FLOAT64
);

-- A first build (the table still empty) reads all history; later ones from stg_rebuild_from.
SET events_from = (
  SELECT IF(COUNT(*) = 0, TIMESTAMP '1970-01-01 00:00:00', (SELECT rebuild_from FROM iterable_analytics.stg_rebuild_from))
  FROM iterable_analytics.email_performance_fact
);

MERGE INTO iterable_analytics.email_performance_fact AS target
USING (
  WITH events AS (
    SELECT *
    FROM iterable_analytics.stg_email_events_fresh
    WHERE created_at >= events_from
      AND campaign_id IS NOT NULL
  ),

  counts AS (
    SELECT
      event_on,
      campaign_id,
      COUNTIF(event_type = 'send') AS count_sends,
      COUNTIF(event_type = 'bounce') AS count_bounces,
      COUNTIF(event_type = 'send') - COUNTIF(event_type = 'bounce') AS count_delivered,
      COUNTIF(event_type = 'open') AS count_opens,
      COUNT(DISTINCT IF(event_type = 'open', user_key, NULL)) AS count_unique_opens,
      COUNTIF(event_type = 'open' AND is_machine_open) AS count_machine_opens,
      COUNTIF(event_type = 'click') AS count_clicks,
      COUNT(DISTINCT IF(event_type = 'click', user_key, NULL)) AS count_unique_clicks,
      COUNTIF(event_type = 'complaint') AS count_complaints,
      COUNTIF(event_type = 'unsubscribe') AS count_unsubscribes,
      COUNT(DISTINCT IF(event_type = 'unsubscribe', user_key, NULL)) AS count_unique_unsubscribes,
      COUNTIF(event_type = 'purchase') AS count_purchases,
      IFNULL(SUM(revenue), 0) AS revenue
    FROM events
    GROUP BY event_on, campaign_id
  ),

  final AS (
    SELECT
      counts.*,
      SAFE_DIVIDE(count_unique_opens, count_delivered) AS open_rate,
      SAFE_DIVIDE(count_unique_clicks, count_delivered) AS click_rate,
      SAFE_DIVIDE(count_unique_clicks, count_unique_opens) AS click_to_open_rate,
      SAFE_DIVIDE(count_unique_unsubscribes, count_delivered) AS unsubscribe_rate,
      SAFE_DIVIDE(count_bounces, count_sends) AS bounce_rate,
      SAFE_DIVIDE(count_complaints, count_delivered) AS complaint_rate
    FROM counts
  )

  SELECT * FROM final
) AS source
ON target.event_on = source.event_on AND target.campaign_id = source.campaign_id
WHEN MATCHED THEN UPDATE SET
  count_sends = source.count_sends,
  count_bounces = source.count_bounces,
  count_delivered = source.count_delivered,
  count_opens = source.count_opens,
  count_unique_opens = source.count_unique_opens,
  count_machine_opens = source.count_machine_opens,
  count_clicks = source.count_clicks,
  count_unique_clicks = source.count_unique_clicks,
  count_complaints = source.count_complaints,
  count_unsubscribes = source.count_unsubscribes,
  count_unique_unsubscribes = source.count_unique_unsubscribes,
  count_purchases = source.count_purchases,
  revenue = source.revenue,
  open_rate = source.open_rate,
  click_rate = source.click_rate,
  click_to_open_rate = source.click_to_open_rate,
  unsubscribe_rate = source.unsubscribe_rate,
  bounce_rate = source.bounce_rate,
  complaint_rate = source.complaint_rate
WHEN NOT MATCHED THEN INSERT (
  event_on, campaign_id, count_sends, count_bounces, count_delivered, count_opens,
  count_unique_opens, count_machine_opens, count_clicks, count_unique_clicks, count_complaints,
  count_unsubscribes, count_unique_unsubscribes, count_purchases, revenue, open_rate, click_rate,
  click_to_open_rate, unsubscribe_rate, bounce_rate, complaint_rate
) VALUES (
  source.event_on, source.campaign_id, source.count_sends, source.count_bounces,
  source.count_delivered, source.count_opens, source.count_unique_opens, source.count_machine_opens,
  source.count_clicks, source.count_unique_clicks, source.count_complaints,
  source.count_unsubscribes, source.count_unique_unsubscribes, source.count_purchases,
  source.revenue, source.open_rate, source.click_rate, source.click_to_open_rate,
  source.unsubscribe_rate, source.bounce_rate, source.complaint_rate
)
WHEN NOT MATCHED BY SOURCE
  AND target.event_on >= DATE(CURRENT_TIMESTAMP - INTERVAL 7 /* lookback_days */ DAY) THEN DELETE;

-- Campaign dimensions of every row, refreshed on each run (a few columns of a table far smaller
-- than the events), so a renamed campaign or re-categorised template shows the same everywhere.
MERGE INTO iterable_analytics.email_performance_fact AS target
USING iterable_analytics.stg_campaigns AS source
ON target.campaign_id = source.campaign_id
WHEN MATCHED THEN UPDATE SET
  campaign_name = source.campaign_name,
  message_type_id = source.message_type_id,
  message_type_name = source.message_type_name,
  channel_id = source.channel_id,
  channel_name = source.channel_name,
  channel_type = source.channel_type;
