-- campaign_fact_table: one row per campaign, known from the campaigns dimension or from events.
-- Dimensions (name, type, state, medium, template, message type, channel, labels, started/ended)
-- come from stg_campaigns; lifetime totals count every event of the campaign ever loaded.
--
-- Definitions: count_sends; count_bounces; count_delivered = sends - bounces; count_opens (all
-- opens, machine opens included, as Iterable counts them) and count_unique_opens (distinct
-- recipients); count_machine_opens (opens with proxySource); count_clicks, count_unique_clicks;
-- count_complaints; count_unsubscribes, count_unique_unsubscribes; count_purchases and revenue
-- (purchases Iterable attributed to the campaign). open_rate = unique opens / delivered;
-- click_rate = unique clicks / delivered; click_to_open_rate = unique clicks / unique opens;
-- unsubscribe_rate = unique unsubscribes / delivered; bounce_rate = bounces / sends;
-- complaint_rate = complaints / delivered. A rate with a zero denominator is NULL.
--
-- Incremental: a campaign is rebuilt when campaign_recipient_daily has rows of it dated from
-- `events_from` on (the rebuild start of `stg_rebuild_from`: the lookback, default 7 days, or
-- earlier for rows loaded within it; all history on a first build) or has no row yet. Its totals
-- are recomputed per recipient from their row of campaign_recipient_lifetime (the settled dates,
-- sql/05_campaign_recipient_lifetime.sql) plus their rows of campaign_recipient_daily dated from
-- the settled date on (`daily_from`), not added to the fact: distinct counts cannot be summed
-- across runs, and adding a lookback's worth of events again on every run would count them twice.
-- So a run reads no raw table at all (the lookback's raw partitions were read once, into
-- campaign_recipient_daily, by sql/05), and of the intermediate tables one row per recipient of
-- the campaigns rebuilt plus the rebuilt dates.
DECLARE events_from TIMESTAMP;
DECLARE rebuilt_campaigns ARRAY<INT64>;
DECLARE daily_from DATE;

CREATE TABLE IF NOT EXISTS iterable_analytics.campaign_fact_table (
  campaign_id INT64,
  campaign_name STRING,
  campaign_type STRING,
  campaign_state STRING,
  message_medium STRING,
  template_id INT64,
  message_type_id INT64,
  message_type_name STRING,
  channel_id INT64,
  channel_name STRING,
  channel_type STRING,
  labels STRING,
  created_at TIMESTAMP,
  started_at TIMESTAMP,
  ended_at TIMESTAMP,
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
  FROM iterable_analytics.campaign_fact_table
);

-- The campaigns rebuilt, as a script variable: their rows of campaign_recipient_daily are read
-- with `IN UNNEST(rebuilt_campaigns)`, which lets BigQuery skip the blocks of other campaigns of
-- that table (clustered on campaign_id, infra/intermediate-tables.ts); a subquery would not.
SET rebuilt_campaigns = (
  SELECT ARRAY_AGG(DISTINCT campaign_id)
  FROM (
    SELECT campaign_id
    FROM iterable_analytics.campaign_recipient_daily
    WHERE event_on >= DATE(events_from)
    UNION ALL
    SELECT campaigns.campaign_id
    FROM iterable_analytics.stg_campaigns AS campaigns
    LEFT JOIN iterable_analytics.campaign_fact_table AS facts ON facts.campaign_id = campaigns.campaign_id
    WHERE facts.campaign_id IS NULL
  ) AS affected
  WHERE campaign_id IS NOT NULL
);

-- One transaction from here on, so the settled date and the lifetime rows are read from one
-- snapshot: a settling run of the lifetime file committing in between would otherwise count its
-- days twice (https://cloud.google.com/bigquery/docs/transactions, snapshot isolation).
BEGIN TRANSACTION;

-- campaign_recipient_daily's dates that campaign_recipient_lifetime does not hold yet.
SET daily_from = (
  SELECT MAX(settled_before)
  FROM iterable_analytics.lifetime_settled_dates
  WHERE lifetime_table = 'campaign_recipient_lifetime'
);

MERGE INTO iterable_analytics.campaign_fact_table AS target
USING (
  WITH recent_campaigns AS (
    SELECT campaign_id
    FROM iterable_analytics.campaign_recipient_daily
    WHERE event_on >= DATE(events_from)
  ),

  unbuilt_campaigns AS (
    SELECT campaigns.campaign_id
    FROM iterable_analytics.stg_campaigns AS campaigns
    LEFT JOIN iterable_analytics.campaign_fact_table AS facts ON facts.campaign_id = campaigns.campaign_id
    WHERE facts.campaign_id IS NULL
  ),

  affected_campaigns AS (
    SELECT campaign_id FROM recent_campaigns
    UNION DISTINCT
    SELECT campaign_id FROM unbuilt_campaigns
  ),

  rows_of_recipients AS (
    SELECT
      campaign_id, user_key, count_sends, count_bounces, count_opens, count_machine_opens,
      count_clicks, count_complaints, count_unsubscribes, count_purchases, revenue
    FROM iterable_analytics.campaign_recipient_lifetime
    WHERE campaign_id IN UNNEST(rebuilt_campaigns)
    UNION ALL
    SELECT
      campaign_id, user_key, count_sends, count_bounces, count_opens, count_machine_opens,
      count_clicks, count_complaints, count_unsubscribes, count_purchases, revenue
    FROM iterable_analytics.campaign_recipient_daily
    WHERE event_on >= daily_from
      AND campaign_id IN UNNEST(rebuilt_campaigns)
  ),

  recipients AS (
    SELECT
      campaign_id,
      user_key,
      SUM(count_sends) AS count_sends,
      SUM(count_bounces) AS count_bounces,
      SUM(count_opens) AS count_opens,
      SUM(count_machine_opens) AS count_machine_opens,
      SUM(count_clicks) AS count_clicks,
      SUM(count_complaints) AS count_complaints,
      SUM(count_unsubscribes) AS count_unsubscribes,
      SUM(count_purchases) AS count_purchases,
      SUM(revenue) AS revenue
    FROM rows_of_recipients
    GROUP BY campaign_id, user_key
  ),

  totals AS (
    SELECT
      campaign_id,
      SUM(count_sends) AS count_sends,
      SUM(count_bounces) AS count_bounces,
      SUM(count_opens) AS count_opens,
      COUNTIF(count_opens > 0 AND user_key IS NOT NULL) AS count_unique_opens,
      SUM(count_machine_opens) AS count_machine_opens,
      SUM(count_clicks) AS count_clicks,
      COUNTIF(count_clicks > 0 AND user_key IS NOT NULL) AS count_unique_clicks,
      SUM(count_complaints) AS count_complaints,
      SUM(count_unsubscribes) AS count_unsubscribes,
      COUNTIF(count_unsubscribes > 0 AND user_key IS NOT NULL) AS count_unique_unsubscribes,
      SUM(count_purchases) AS count_purchases,
      SUM(revenue) AS revenue
    FROM recipients
    GROUP BY campaign_id
  ),

  counts AS (
    SELECT
      affected_campaigns.campaign_id,
      IFNULL(totals.count_sends, 0) AS count_sends,
      IFNULL(totals.count_bounces, 0) AS count_bounces,
      IFNULL(totals.count_sends, 0) - IFNULL(totals.count_bounces, 0) AS count_delivered,
      IFNULL(totals.count_opens, 0) AS count_opens,
      IFNULL(totals.count_unique_opens, 0) AS count_unique_opens,
      IFNULL(totals.count_machine_opens, 0) AS count_machine_opens,
      IFNULL(totals.count_clicks, 0) AS count_clicks,
      IFNULL(totals.count_unique_clicks, 0) AS count_unique_clicks,
      IFNULL(totals.count_complaints, 0) AS count_complaints,
      IFNULL(totals.count_unsubscribes, 0) AS count_unsubscribes,
      IFNULL(totals.count_unique_unsubscribes, 0) AS count_unique_unsubscribes,
      IFNULL(totals.count_purchases, 0) AS count_purchases,
      IFNULL(totals.revenue, 0) AS revenue
    FROM affected_campaigns
    LEFT JOIN totals ON totals.campaign_id = affected_campaigns.campaign_id
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
ON target.campaign_id = source.campaign_id
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
  campaign_id, count_sends, count_bounces, count_delivered, count_opens, count_unique_opens,
  count_machine_opens, count_clicks, count_unique_clicks, count_complaints, count_unsubscribes,
  count_unique_unsubscribes, count_purchases, revenue, open_rate, click_rate, click_to_open_rate,
  unsubscribe_rate, bounce_rate, complaint_rate
) VALUES (
  source.campaign_id, source.count_sends, source.count_bounces, source.count_delivered,
  source.count_opens, source.count_unique_opens, source.count_machine_opens, source.count_clicks,
  source.count_unique_clicks, source.count_complaints, source.count_unsubscribes,
  source.count_unique_unsubscribes, source.count_purchases, source.revenue, source.open_rate,
  source.click_rate, source.click_to_open_rate, source.unsubscribe_rate, source.bounce_rate,
  source.complaint_rate
);

-- Dimensions of every campaign, refreshed on each run: the dimension tables are small and a
-- campaign's state or name changes without any new event.
MERGE INTO iterable_analytics.campaign_fact_table AS target
USING iterable_analytics.stg_campaigns AS source
ON target.campaign_id = source.campaign_id
WHEN MATCHED THEN UPDATE SET
  campaign_name = source.campaign_name,
  campaign_type = source.campaign_type,
  campaign_state = source.campaign_state,
  message_medium = source.message_medium,
  template_id = source.template_id,
  message_type_id = source.message_type_id,
  message_type_name = source.message_type_name,
  channel_id = source.channel_id,
  channel_name = source.channel_name,
  channel_type = source.channel_type,
  labels = source.labels,
  created_at = source.created_at,
  started_at = source.started_at,
  ended_at = source.ended_at;

COMMIT TRANSACTION;
