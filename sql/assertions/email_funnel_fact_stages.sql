-- Failing rows: funnels where a stage holds more recipients than the stage before it.
SELECT *
FROM iterable_analytics.email_funnel_fact
WHERE count_recipients_delivered > count_recipients_sent
  OR count_recipients_opened > count_recipients_delivered
  OR count_recipients_clicked > count_recipients_opened
  OR count_recipients_converted > count_recipients_clicked
