-- send_hour_performance: one row per message type x engagement segment x send hour (0-23, UTC),
-- for the emails sent in the 90 complete days before yesterday, with how their recipients reacted
-- (send cohorts: a message's open or click counts on the hour it was sent, whenever it happened).
-- engagement_segment is each recipient's segment in user_engagement_fact today, plus 'all' (every
-- recipient). Counts are messages, as email_message_daily holds them (sql/15):
--   count_delivered      messages sent and not bounced;
--   count_human_opened   delivered messages with an open that no privacy proxy made;
--   count_clicked        delivered messages with a click.
-- human_open_rate and click_rate divide by count_delivered. Each has a 95% Wilson score interval
-- (*_lower, *_upper; E. B. Wilson, "Probable inference, the law of succession, and statistical
-- inference", JASA 1927): unlike the normal approximation p +- 1.96 sqrt(p(1-p)/n), it stays inside
-- [0, 1] and stays honest for small samples and rates near 0, so an hour seen 40 times with 30
-- opens does not outrank one seen 40,000 times with 70% opens.
-- Yesterday's sends are left out: their recipients have not had a day to react yet.
CREATE OR REPLACE VIEW iterable_analytics.send_hour_performance AS
WITH message_days AS (
  SELECT message_id, campaign_id, user_key, sent_at, count_sends, count_bounces, count_human_opens, count_clicks
  FROM iterable_analytics.email_message_daily
  WHERE event_on >= DATE(CURRENT_TIMESTAMP - INTERVAL 91 DAY)
),

messages AS (
  SELECT
    message_id,
    ANY_VALUE(campaign_id) AS campaign_id,
    ANY_VALUE(user_key) AS user_key,
    MIN(sent_at) AS sent_at,
    SUM(count_bounces) > 0 AS is_bounced,
    SUM(count_human_opens) > 0 AS is_human_opened,
    SUM(count_clicks) > 0 AS is_clicked
  FROM message_days
  GROUP BY message_id
  HAVING SUM(count_sends) > 0
),

delivered AS (
  SELECT
    campaigns.message_type_name,
    users.engagement_segment,
    EXTRACT(HOUR FROM messages.sent_at) AS send_hour,
    messages.is_human_opened,
    messages.is_clicked
  FROM messages
  INNER JOIN iterable_analytics.stg_campaigns AS campaigns ON campaigns.campaign_id = messages.campaign_id
  INNER JOIN iterable_analytics.user_engagement_fact AS users ON users.user_key = messages.user_key
  WHERE NOT messages.is_bounced
    AND campaigns.message_type_name IS NOT NULL
    AND messages.sent_at >= CAST(DATE(CURRENT_TIMESTAMP - INTERVAL 91 DAY) AS TIMESTAMP)
    AND messages.sent_at < CAST(DATE(CURRENT_TIMESTAMP - INTERVAL 1 DAY) AS TIMESTAMP)
),

segments AS (
  SELECT message_type_name, engagement_segment, send_hour, is_human_opened, is_clicked FROM delivered
  UNION ALL
  SELECT message_type_name, 'all' AS engagement_segment, send_hour, is_human_opened, is_clicked FROM delivered
),

counts AS (
  SELECT
    message_type_name,
    engagement_segment,
    send_hour,
    CAST(COUNT(*) AS INT64) AS count_delivered,
    CAST(COUNTIF(is_human_opened) AS INT64) AS count_human_opened,
    CAST(COUNTIF(is_clicked) AS INT64) AS count_clicked
  FROM segments
  GROUP BY message_type_name, engagement_segment, send_hour
),

-- Wilson's interval for k successes in n trials at z = 1.96 (z^2 = 3.8416):
--   (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), p = k/n,
-- kept within [0, 1] and rounded to 9 decimals: at k = 0 or k = n the two terms cancel but for the
-- last bits of the floating point, which would otherwise rank equal hours by rounding noise.
rates AS (
  SELECT
    *,
    count_human_opened / count_delivered AS p_open,
    count_clicked / count_delivered AS p_click,
    CAST(count_delivered AS FLOAT64) AS n
  FROM counts
),

final AS (
  SELECT
    message_type_name,
    engagement_segment,
    CAST(send_hour AS INT64) AS send_hour,
    count_delivered,
    count_human_opened,
    count_clicked,
    p_open AS human_open_rate,
    ROUND(GREATEST(0.0, (p_open + 3.8416 / (2 * n) - 1.96 * SQRT(p_open * (1 - p_open) / n + 3.8416 / (4 * n * n)))
      / (1 + 3.8416 / n)), 9) AS human_open_rate_lower,
    ROUND(LEAST(1.0, (p_open + 3.8416 / (2 * n) + 1.96 * SQRT(p_open * (1 - p_open) / n + 3.8416 / (4 * n * n)))
      / (1 + 3.8416 / n)), 9) AS human_open_rate_upper,
    p_click AS click_rate,
    ROUND(GREATEST(0.0, (p_click + 3.8416 / (2 * n) - 1.96 * SQRT(p_click * (1 - p_click) / n + 3.8416 / (4 * n * n)))
      / (1 + 3.8416 / n)), 9) AS click_rate_lower,
    ROUND(LEAST(1.0, (p_click + 3.8416 / (2 * n) + 1.96 * SQRT(p_click * (1 - p_click) / n + 3.8416 / (4 * n * n)))
      / (1 + 3.8416 / n)), 9) AS click_rate_upper
  FROM rates
)

SELECT * FROM final;

-- send_hour_recommendation: one row per message type x engagement segment ('all' included) with
-- at least one send hour of 100 delivered messages or more: the best send hour (UTC), the one
-- whose human open rate has the highest Wilson lower bound (the rate we can be 97.5% sure it beats;
-- ties go to the earlier hour). Ranking on the lower bound rather than the rate itself is what
-- keeps a lucky small hour from winning. Opens rank rather than clicks: about ten times more
-- frequent, so their intervals are tight enough to separate hours; the click rate is shown beside.
-- sample_size is the best hour's count_delivered; hours_compared the hours with 100 or more.
-- confidence compares the best hour with the runner-up (the second-highest lower bound):
--   'clear'      the intervals do not overlap (best lower bound above the runner-up's upper bound);
--   'likely'     the best lower bound is above the runner-up's rate;
--   'uncertain'  otherwise, or there was no other hour to compare with: more sends at other hours
--                would tell.
CREATE OR REPLACE VIEW iterable_analytics.send_hour_recommendation AS
WITH ranked AS (
  SELECT
    *,
    ROW_NUMBER() OVER (
      PARTITION BY message_type_name, engagement_segment ORDER BY human_open_rate_lower DESC, send_hour
    ) AS position,
    COUNT(*) OVER (PARTITION BY message_type_name, engagement_segment) AS hours_compared
  FROM iterable_analytics.send_hour_performance
  WHERE count_delivered >= 100
),

best AS (
  SELECT * FROM ranked WHERE position = 1
),

runner_up AS (
  SELECT * FROM ranked WHERE position = 2
),

final AS (
  SELECT
    best.message_type_name,
    best.engagement_segment,
    best.send_hour AS best_send_hour,
    best.count_delivered AS sample_size,
    best.human_open_rate,
    best.human_open_rate_lower,
    best.human_open_rate_upper,
    best.click_rate,
    best.click_rate_lower,
    best.click_rate_upper,
    CAST(best.hours_compared AS INT64) AS hours_compared,
    runner_up.send_hour AS runner_up_send_hour,
    runner_up.human_open_rate AS runner_up_human_open_rate,
    CASE
      WHEN runner_up.send_hour IS NULL THEN 'uncertain'
      WHEN best.human_open_rate_lower > runner_up.human_open_rate_upper THEN 'clear'
      WHEN best.human_open_rate_lower > runner_up.human_open_rate THEN 'likely'
      ELSE 'uncertain'
    END AS confidence
  FROM best
  LEFT JOIN runner_up
    ON runner_up.message_type_name = best.message_type_name
    AND runner_up.engagement_segment = best.engagement_segment
)

SELECT * FROM final
