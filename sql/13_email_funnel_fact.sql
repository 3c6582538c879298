-- email_funnel_fact: one row per campaign that has events. The funnel counts recipients
-- (distinct user_key) of the campaign, each stage a subset of the one before, so every drop-off
-- rate lies in [0, 1]:
--   sent       received at least one of the campaign's emails;
--   delivered  sent, and received more of its emails than bounced;
--   opened     delivered, and opened one (machine opens included, as in open_rate);
--   clicked    opened, and clicked one;
--   converted  clicked, and made a purchase Iterable attributed to the campaign, or a custom event
--              configured as a conversion (CONVERSION_EVENT_NAMES) attributed to it.
-- A recipient whose click arrived without an open (images blocked) stops at delivered here,
-- which is why the stage counts can be below the unique counts of campaign_fact_table.
-- <stage>_drop_off_rate = 1 - stage / previous stage; conversion_rate = converted / sent;
-- NULL when the denominator is zero.
--
-- Incremental: campaigns with rows of campaign_recipient_daily dated from `events_from` on (the
-- rebuild start of `stg_rebuild_from`; all history on a first build) are recomputed per
-- recipient from their row of campaign_recipient_lifetime (the settled dates) plus their rows of
-- campaign_recipient_daily dated from the settled date on (`daily_from`), as in sql/10:
-- recipients are distinct over the campaign's lifetime, so they cannot be added up across runs.
-- No raw table is read.
DECLARE events_from TIMESTAMP;
DECLARE rebuilt_campaigns ARRAY<INT64>;
DECLARE daily_from DATE;

CREATE TABLE IF NOT EXISTS iterable_analytics.email_funnel_fact (
  campaign_id INT64,
  count_recipients_sent INT64,
  count_recipients_delivered INT64,
  count_recipients_opened INT64,
  count_recipients_clicked INT64,
  count_recipients_converted INT64,
  delivery_drop_off_rate FLOAT64,
  open_drop_off_rate FLOAT64,
  click_drop_off_rate FLOAT64,
  conversion_drop_off_rate FLOAT64,
  conversion_rate FLOAT64
);

-- A first build (the table still empty) reads all history; later ones from stg_rebuild_from.
SET events_from = (
  SELECT IF(COUNT(*) = 0, TIMESTAMP '1970-01-01 00:00:00', (SELECT rebuild_from FROM iterable_analytics.stg_rebuild_from))
  FROM iterable_analytics.email_funnel_fact
);

-- The campaigns rebuilt, as a script variable, so BigQuery reads only their blocks of
-- campaign_recipient_daily (clustered on campaign_id), as in sql/10.
SET rebuilt_campaigns = (
  SELECT ARRAY_AGG(DISTINCT campaign_id)
  FROM iterable_analytics.campaign_recipient_daily
  WHERE event_on >= DATE(events_from)
    AND campaign_id IS NOT NULL
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

MERGE INTO iterable_analytics.email_funnel_fact AS target
USING (
  WITH rows_of_recipients AS (
    SELECT campaign_id, user_key, count_sends, count_bounces, count_opens, count_clicks, count_conversions
    FROM iterable_analytics.campaign_recipient_lifetime
    WHERE campaign_id IN UNNEST(rebuilt_campaigns)
      AND user_key IS NOT NULL
    UNION ALL
    SELECT campaign_id, user_key, count_sends, count_bounces, count_opens, count_clicks, count_conversions
    FROM iterable_analytics.campaign_recipient_daily
    WHERE event_on >= daily_from
      AND campaign_id IN UNNEST(rebuilt_campaigns)
      AND user_key IS NOT NULL
  ),

  recipients AS (
    SELECT
      campaign_id,
      user_key,
      SUM(count_sends) AS count_sends,
      SUM(count_bounces) AS count_bounces,
      SUM(count_opens) AS count_opens,
      SUM(count_clicks) AS count_clicks,
      SUM(count_conversions) AS count_conversions
    FROM rows_of_recipients
    GROUP BY campaign_id, user_key
  ),

  stages AS (
    SELECT
      campaign_id,
      count_sends > 0 AS is_sent,
      count_sends > count_bounces AS is_delivered,
      count_sends > count_bounces AND count_opens > 0 AS is_opened,
      count_sends > count_bounces AND count_opens > 0 AND count_clicks > 0 AS is_clicked,
      count_sends > count_bounces AND count_opens > 0 AND count_clicks > 0 AND count_conversions > 0
        AS is_converted
    FROM recipients
  ),

  counts AS (
    SELECT
      campaign_id,
      COUNTIF(is_sent) AS count_recipients_sent,
      COUNTIF(is_delivered) AS count_recipients_delivered,
      COUNTIF(is_opened) AS count_recipients_opened,
      COUNTIF(is_clicked) AS count_recipients_clicked,
      COUNTIF(is_converted) AS count_recipients_converted
    FROM stages
    GROUP BY campaign_id
  ),

  final AS (
    SELECT
      counts.*,
      1 - SAFE_DIVIDE(count_recipients_delivered, count_recipients_sent) AS delivery_drop_off_rate,
      1 - SAFE_DIVIDE(count_recipients_opened, count_recipients_delivered) AS open_drop_off_rate,
      1 - SAFE_DIVIDE(count_recipients_clicked, count_recipients_opened) AS click_drop_off_rate,
      1 - SAFE_DIVIDE(count_recipients_converted, count_recipients_clicked) AS conversion_drop_off_rate,
      SAFE_DIVIDE(count_recipients_converted, count_recipients_sent) AS conversion_rate
    FROM counts
  )

  SELECT * FROM final
) AS source
ON target.campaign_id = source.campaign_id
WHEN MATCHED THEN UPDATE SET
  count_recipients_sent = source.count_recipients_sent,
  count_recipients_delivered = source.count_recipients_delivered,
  count_recipients_opened = source.count_recipients_opened,
  count_recipients_clicked = source.count_recipients_clicked,
  count_recipients_converted = source.count_recipients_converted,
  delivery_drop_off_rate = source.delivery_drop_off_rate,
  open_drop_off_rate = source.open_drop_off_rate,
  click_drop_off_rate = source.click_drop_off_rate,
  conversion_drop_off_rate = source.conversion_drop_off_rate,
  conversion_rate = source.conversion_rate
WHEN NOT MATCHED THEN INSERT (
  campaign_id, count_recipients_sent, count_recipients_delivered, count_recipients_opened,
  count_recipients_clicked, count_recipients_converted, delivery_drop_off_rate,
  open_drop_off_rate, click_drop_off_rate, conversion_drop_off_rate, conversion_rate
) VALUES (
  source.campaign_id, source.count_recipients_sent, source.count_recipients_delivered,
  source.count_recipients_opened, source.count_recipients_clicked,
  source.count_recipients_converted, source.delivery_drop_off_rate, source.open_drop_off_rate,
  source.click_drop_off_rate, source.conversion_drop_off_rate, source.conversion_rate
);

COMMIT TRANSACTION;
