-- Failing rows: campaigns whose counts contradict their definitions: delivered = sends - bounces,
-- uniques never above totals, machine opens part of opens, nothing negative.
SELECT campaign_id
FROM iterable_analytics.campaign_fact_table
WHERE count_delivered != count_sends - count_bounces
  OR count_unique_opens > count_opens
  OR count_machine_opens > count_opens
  OR count_unique_clicks > count_clicks
  OR count_unique_unsubscribes > count_unsubscribes
  OR LEAST(count_sends, count_bounces, count_opens, count_clicks, count_complaints,
    count_unsubscribes, count_purchases) < 0
  OR revenue < 0
