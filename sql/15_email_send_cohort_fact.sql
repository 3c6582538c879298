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
-- Incremental, through email_message_daily (one row per message x event date, plus one per
-- message x purchase date for purchases credited to it), each row carrying its message's send
-- date (send_on): the event dates from `stg_rebuild_from` on are replaced from the raw events of
-- those dates only; then every cohort with a message touched by them (a late open updates the row
-- of its send's date) is recomputed from that table's rows dated from the oldest such send date
-- on (`cohorts_from`), since a message's events come after its send. A message sent within the
-- rebuilt dates takes its send date from them; only one sent earlier is looked up among the
-- table's older send rows, and a purchase is credited among the rebuilt dates' sends, or else the
-- recipient's latest earlier send of the campaign: so a run reads the rebuilt dates, the send
-- rows of the few messages and recipients it has to look up, and the cohorts it recomputes, not
-- every message ever sent.
-- Its user_id (the largest of the message's events) lets a forgotten user be found by either
-- identifier when user_key holds the email.
-- The raw tables are read from `events_from` on, a script variable computed before any read, so
-- BigQuery prunes the partitions before it (a scalar subquery in the filter would scan them all);
-- email_message_daily is read from `cohorts_from` on, a script variable too.
--
-- Fresh: the events are read through stg_email_events_fresh, so today's cohorts also count the
-- webhooks received after each stream's loaded edge. email_message_daily's dates from
-- events_from on are replaced on every run, so once the exports load a range its webhook rows
-- give way to the loaded ones: an event is counted once, from one or the other.
DECLARE events_from TIMESTAMP;
DECLARE cohorts_from DATE;

CREATE TABLE IF NOT EXISTS iterable_analytics.email_message_daily (
  message_id STRING,
  event_on DATE,
  campaign_id INT64,
  user_key STRING,
  user_id STRING,
  sent_at TIMESTAMP,
  send_on DATE,
  count_sends INT64,
  count_bounces INT64,
  count_opens INT64,
  count_human_opens INT64,
  count_clicks INT64,
  count_unsubscribes INT64,
  count_complaints INT64,
  count_purchases INT64,
  revenue FLOAT64
);

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
  FROM iterable_analytics.email_message_daily
);

DELETE FROM iterable_analytics.email_message_daily WHERE event_on >= DATE(events_from);

INSERT INTO iterable_analytics.email_message_daily (
  message_id, event_on, campaign_id, user_key, user_id, sent_at, send_on, count_sends, count_bounces,
  count_opens, count_human_opens, count_clicks, count_unsubscribes, count_complaints, count_purchases,
  revenue
)
WITH events AS (
  SELECT *
  FROM iterable_analytics.stg_email_events_fresh
  WHERE created_at >= events_from
    AND message_id IS NOT NULL
    AND event_type IN ('send', 'bounce', 'open', 'click', 'unsubscribe', 'complaint')
),

-- The send dates of the messages sent within the rebuilt dates.
recent_sends AS (
  SELECT message_id, DATE(MIN(created_at)) AS send_on
  FROM events
  WHERE event_type = 'send'
  GROUP BY message_id
),

message_days AS (
  SELECT
    message_id,
    event_on,
    ANY_VALUE(campaign_id) AS campaign_id,
    ANY_VALUE(user_key) AS user_key,
    MAX(user_id) AS user_id,
    MIN(IF(event_type = 'send', created_at, NULL)) AS sent_at,
    COUNTIF(event_type = 'send') AS count_sends,
    COUNTIF(event_type = 'bounce') AS count_bounces,
    COUNTIF(event_type = 'open') AS count_opens,
    COUNTIF(event_type = 'open' AND NOT is_machine_open) AS count_human_opens,
    COUNTIF(event_type = 'click') AS count_clicks,
    COUNTIF(event_type = 'unsubscribe') AS count_unsubscribes,
    COUNTIF(event_type = 'complaint') AS count_complaints
  FROM events
  GROUP BY message_id, event_on
),

final AS (
  SELECT
    message_days.message_id, message_days.event_on, message_days.campaign_id,
    message_days.user_key, message_days.user_id, message_days.sent_at,
    recent_sends.send_on, message_days.count_sends, message_days.count_bounces,
    message_days.count_opens, message_days.count_human_opens, message_days.count_clicks,
    message_days.count_unsubscribes, message_days.count_complaints,
    0 AS count_purchases,
    CAST(0 AS FLOAT64) AS revenue
  FROM message_days
  LEFT JOIN recent_sends ON recent_sends.message_id = message_days.message_id
)

SELECT * FROM final;

-- Messages sent before the rebuilt dates, with events in them: their send date from their send
-- rows, all dated before `events_from`.
UPDATE iterable_analytics.email_message_daily AS target
SET send_on = earlier.send_on
FROM (
  SELECT message_id, MIN(send_on) AS send_on
  FROM iterable_analytics.email_message_daily
  WHERE count_sends > 0
    AND event_on < DATE(events_from)
    AND message_id IN (
      SELECT message_id
      FROM iterable_analytics.email_message_daily
      WHERE event_on >= DATE(events_from)
        AND send_on IS NULL
    )
  GROUP BY message_id
) AS earlier
WHERE target.message_id = earlier.message_id
  AND target.event_on >= DATE(events_from);

INSERT INTO iterable_analytics.email_message_daily (
  message_id, event_on, campaign_id, user_key, user_id, sent_at, send_on, count_sends, count_bounces,
  count_opens, count_human_opens, count_clicks, count_unsubscribes, count_complaints, count_purchases,
  revenue
)
WITH purchases AS (
  -- Numbered in a total order: an unordered ROW_NUMBER() gave a run-to-run varying credit on
  -- DuckDB once conversions joined the purchases; with this order only identical rows tie.
  SELECT
    campaign_id, user_key, user_id, created_at, event_on, revenue,
    ROW_NUMBER() OVER (ORDER BY campaign_id, user_key, created_at, event_type, revenue) AS purchase_number
  FROM iterable_analytics.stg_email_events_fresh
  WHERE created_at >= events_from
    AND event_type IN ('purchase', 'conversion')
    AND campaign_id IS NOT NULL
    AND user_key IS NOT NULL
),

recipients AS (
  SELECT DISTINCT campaign_id, user_key FROM purchases
),

-- Each purchasing recipient's latest send of the campaign before the rebuilt dates: every
-- purchase in them is later, so it is the one credited when no send within them precedes it.
earlier_sends AS (
  SELECT sends.message_id, sends.campaign_id, sends.user_key, sends.sent_at, sends.send_on
  FROM iterable_analytics.email_message_daily AS sends
  INNER JOIN recipients
    ON recipients.campaign_id = sends.campaign_id AND recipients.user_key = sends.user_key
  WHERE sends.count_sends > 0
    AND sends.event_on < DATE(events_from)
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY sends.campaign_id, sends.user_key ORDER BY sends.sent_at DESC, sends.message_id DESC
  ) = 1
),

sends AS (
  SELECT message_id, campaign_id, user_key, sent_at, send_on
  FROM iterable_analytics.email_message_daily
  WHERE count_sends > 0
    AND event_on >= DATE(events_from)
  UNION ALL
  SELECT * FROM earlier_sends
),

credited AS (
  SELECT purchases.*, sends.message_id, sends.send_on
  FROM purchases
  INNER JOIN sends
    ON sends.campaign_id = purchases.campaign_id
    AND sends.user_key = purchases.user_key
  WHERE sends.sent_at <= purchases.created_at
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY purchases.purchase_number ORDER BY sends.sent_at DESC, sends.message_id DESC
  ) = 1
),

final AS (
  SELECT
    message_id,
    event_on,
    campaign_id,
    user_key,
    MAX(user_id) AS user_id,
    CAST(NULL AS TIMESTAMP) AS sent_at,
    send_on,
    0 AS count_sends,
    0 AS count_bounces,
    0 AS count_opens,
    0 AS count_human_opens,
    0 AS count_clicks,
    0 AS count_unsubscribes,
    0 AS count_complaints,
    COUNT(*) AS count_purchases,
    SUM(revenue) AS revenue
  FROM credited
  GROUP BY message_id, event_on, campaign_id, user_key, send_on
)

SELECT * FROM final;

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
