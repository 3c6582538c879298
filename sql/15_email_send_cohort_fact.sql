-- email_send_cohort_fact: one row per send date (UTC, send_on) x campaign, for the emails the
-- campaign sent that day, with the campaign's message type and channel. Everything on a row is
-- about the messages sent that day, whenever it happened: an open three days later counts on the
-- send's row, joined on message_id. So a row's rates settle as people react, and never exceed 1.
--
-- Definitions, for the messages (message_id) the campaign sent on send_on:
--   count_sends      send events; count_bounces: messages that bounced;
--   count_delivered  count_sends - count_bounces;
--   count_unique_opens, count_unique_human_opens (opens without proxySource),
--   count_unique_clicks, count_unique_unsubscribes, count_complaints: recipients (user_key) with
--                    at least one delivered (not bounced) message of the day that had the event;
--   count_purchases, revenue: purchases Iterable attributed to the campaign, and the custom events
--                    configured as conversions (CONVERSION_EVENT_NAMES) attributed to it, each
--                    credited to the recipient's latest send of that campaign at or before it (no
--                    row when the recipient had no such send); conversions carry no revenue.
-- Rates: open_rate, human_open_rate, click_rate, unsubscribe_rate, complaint_rate = recipients /
-- count_delivered; bounce_rate = count_bounces / count_sends; click_to_open_rate = recipients who
-- opened and clicked / count_unique_opens. Each numerator counts a subset of what its
-- denominator counts (recipients of delivered messages are at most the delivered messages), so
-- every rate lies in [0, 1]; a zero denominator gives NULL. Sends without a campaign or a
-- message_id have no cohort.
--
-- Incremental: every cohort with a message touched by the event dates from `events_from` on (the
-- rebuild start of `stg_rebuild_from`; all history on a first build) is recomputed from
-- email_message_daily (sql/15_email_message_daily.sql), whose rows carry their message's send
-- date: a late open updates the row of its send's date. The rows read are those dated from the
-- oldest such send date on (`cohorts_from`), since a message's events come after its send: the
-- rebuilt dates and the days before them that the touched messages were sent on, never every
-- message ever sent. Both bounds are script variables, set before the read, so BigQuery prunes
-- email_message_daily's partitions before them.
DECLARE events_from TIMESTAMP;
DECLARE cohorts_from DATE;

CREATE TABLE IF NOT EXISTS iterable_analytics.email_send_cohort_fact (
  send_on DATE,
  campaign_id INT64,
  message_type_id INT64,
  message_type_name STRING,
  channel_id INT64,
  channel_name STRING,
  channel_type STRING,
  count_sends INT64,
  count_bounces INT64,
  count_delivered INT64,
  count_unique_opens INT64,
  count_unique_human_opens INT64,
  count_unique_clicks INT64,
  count_unique_unsubscribes INT64,
  count_complaints INT64,
  count_purchases INT64,
  revenue FLOAT64,
  open_rate FLOAT64,
  human_open_rate FLOAT64,
  click_rate FLOAT64,
  click_to_open_rate FLOAT64,
  unsubscribe_rate FLOAT64,
  bounce_rate FLOAT64,
  complaint_rate FLOAT64
);

-- A first build (the table still empty) reads all history; later ones from stg_rebuild_from.
SET events_from = (
  SELECT IF(COUNT(*) = 0, TIMESTAMP '1970-01-01 00:00:00', (SELECT rebuild_from FROM iterable_analytics.stg_rebuild_from))
  FROM iterable_analytics.email_send_cohort_fact
);

-- The oldest send date with a message touched in the rebuilt dates: the cohorts recomputed are
-- among those from there on, and so are all their messages' rows.
SET cohorts_from = (
  SELECT IFNULL(MIN(send_on), DATE(events_from))
  FROM iterable_analytics.email_message_daily
  WHERE event_on >= DATE(events_from)
);

MERGE INTO iterable_analytics.email_send_cohort_fact AS target
USING (
  WITH recent_rows AS (
    SELECT *
    FROM iterable_analytics.email_message_daily
    WHERE event_on >= cohorts_from
  ),

  affected_cohorts AS (
    SELECT DISTINCT send_on, campaign_id
    FROM recent_rows
    WHERE event_on >= DATE(events_from)
      AND send_on IS NOT NULL
      AND campaign_id IS NOT NULL
  ),

  cohort_rows AS (
    SELECT recent_rows.*
    FROM recent_rows
    INNER JOIN affected_cohorts
      ON affected_cohorts.send_on = recent_rows.send_on
      AND affected_cohorts.campaign_id = recent_rows.campaign_id
  ),

  messages AS (
    SELECT
      send_on,
      campaign_id,
      ANY_VALUE(user_key) AS user_key,
      SUM(count_sends) AS count_sends,
      SUM(count_bounces) > 0 AS is_bounced,
      SUM(count_opens) > 0 AS is_opened,
      SUM(count_human_opens) > 0 AS is_human_opened,
      SUM(count_clicks) > 0 AS is_clicked,
      SUM(count_unsubscribes) > 0 AS is_unsubscribed,
      SUM(count_complaints) > 0 AS is_complained,
      SUM(count_purchases) AS count_purchases,
      SUM(revenue) AS revenue
    FROM cohort_rows
    GROUP BY send_on, campaign_id, message_id
  ),

  recipients AS (
    SELECT
      send_on,
      campaign_id,
      user_key,
      SUM(count_sends) AS count_sends,
      COUNTIF(is_bounced) AS count_bounced_messages,
      COUNTIF(NOT is_bounced AND is_opened) > 0 AS is_opened,
      COUNTIF(NOT is_bounced AND is_human_opened) > 0 AS is_human_opened,
      COUNTIF(NOT is_bounced AND is_clicked) > 0 AS is_clicked,
      COUNTIF(NOT is_bounced AND is_unsubscribed) > 0 AS is_unsubscribed,
      COUNTIF(NOT is_bounced AND is_complained) > 0 AS is_complained,
      SUM(count_purchases) AS count_purchases,
      SUM(revenue) AS revenue
    FROM messages
    GROUP BY send_on, campaign_id, user_key
  ),

  counts AS (
    SELECT
      send_on,
      campaign_id,
      SUM(count_sends) AS count_sends,
      SUM(count_bounced_messages) AS count_bounces,
      SUM(count_sends) - SUM(count_bounced_messages) AS count_delivered,
      COUNTIF(is_opened AND user_key IS NOT NULL) AS count_unique_opens,
      COUNTIF(is_human_opened AND user_key IS NOT NULL) AS count_unique_human_opens,
      COUNTIF(is_clicked AND user_key IS NOT NULL) AS count_unique_clicks,
      COUNTIF(is_opened AND is_clicked AND user_key IS NOT NULL) AS count_opened_and_clicked,
      COUNTIF(is_unsubscribed AND user_key IS NOT NULL) AS count_unique_unsubscribes,
      COUNTIF(is_complained AND user_key IS NOT NULL) AS count_complaints,
      SUM(count_purchases) AS count_purchases,
      SUM(revenue) AS revenue
    FROM recipients
    GROUP BY send_on, campaign_id
  ),

  final AS (
    SELECT
      counts.*,
      SAFE_DIVIDE(count_unique_opens, count_delivered) AS open_rate,
      SAFE_DIVIDE(count_unique_human_opens, count_delivered) AS human_open_rate,
      SAFE_DIVIDE(count_unique_clicks, count_delivered) AS click_rate,
      SAFE_DIVIDE(count_opened_and_clicked, count_unique_opens) AS click_to_open_rate,
      SAFE_DIVIDE(count_unique_unsubscribes, count_delivered) AS unsubscribe_rate,
      SAFE_DIVIDE(count_bounces, count_sends) AS bounce_rate,
      SAFE_DIVIDE(count_complaints, count_delivered) AS complaint_rate
    FROM counts
  )

  SELECT * FROM final
) AS source
ON target.send_on = source.send_on AND target.campaign_id = source.campaign_id
WHEN MATCHED THEN UPDATE SET
  count_sends = source.count_sends,
  count_bounces = source.count_bounces,
  count_delivered = source.count_delivered,
  count_unique_opens = source.count_unique_opens,
  count_unique_human_opens = source.count_unique_human_opens,
  count_unique_clicks = source.count_unique_clicks,
  count_unique_unsubscribes = source.count_unique_unsubscribes,
  count_complaints = source.count_complaints,
  count_purchases = source.count_purchases,
  revenue = source.revenue,
  open_rate = source.open_rate,
  human_open_rate = source.human_open_rate,
  click_rate = source.click_rate,
  click_to_open_rate = source.click_to_open_rate,
  unsubscribe_rate = source.unsubscribe_rate,
  bounce_rate = source.bounce_rate,
  complaint_rate = source.complaint_rate
WHEN NOT MATCHED THEN INSERT (
  send_on, campaign_id, count_sends, count_bounces, count_delivered, count_unique_opens,
  count_unique_human_opens, count_unique_clicks, count_unique_unsubscribes, count_complaints,
  count_purchases, revenue, open_rate, human_open_rate, click_rate, click_to_open_rate,
  unsubscribe_rate, bounce_rate, complaint_rate
) VALUES (
  source.send_on, source.campaign_id, source.count_sends, source.count_bounces,
  source.count_delivered, source.count_unique_opens, source.count_unique_human_opens,
  source.count_unique_clicks, source.count_unique_unsubscribes, source.count_complaints,
  source.count_purchases, source.revenue, source.open_rate, source.human_open_rate,
  source.click_rate, source.click_to_open_rate, source.unsubscribe_rate, source.bounce_rate,
  source.complaint_rate
)
-- Every cohort dated from events_from on has a send in the replaced dates, so it is in the
-- source; one that is not lost its sends in a re-read window.
WHEN NOT MATCHED BY SOURCE AND target.send_on >= DATE(events_from) THEN DELETE;

-- Message type and channel of every row, refreshed on each run from the small dimension.
MERGE INTO iterable_analytics.email_send_cohort_fact AS target
USING iterable_analytics.stg_campaigns AS source
ON target.campaign_id = source.campaign_id
WHEN MATCHED THEN UPDATE SET
  message_type_id = source.message_type_id,
  message_type_name = source.message_type_name,
  channel_id = source.channel_id,
  channel_name = source.channel_name,
  channel_type = source.channel_type;
