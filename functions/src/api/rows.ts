/**
 * The shapes of the answers, as zod schemas: handlers parse every row they send through them (so
 * an answer cannot drift from its documentation), and /v1/openapi.json is generated from them.
 * Column names are the fact tables' own (docs/facts.md).
 */
import { z } from 'zod';
import { COUNT_METRICS, RATE_METRICS, REVENUE } from './metrics.js';

const id = z.int().min(0);
const text = z.string().nullable();
const nullableId = id.nullable();
const instant = z.iso.datetime().nullable().meta({ description: 'UTC, ISO 8601' });
const date = z.iso.date().meta({ description: 'UTC date' });
const rate = z.number().nullable().meta({ description: 'NULL when the denominator is 0' });

const metrics = {
  ...Object.fromEntries(COUNT_METRICS.map((m) => [m, z.int()])),
  [REVENUE]: z.number(),
  ...Object.fromEntries(RATE_METRICS.map((m) => [m, rate])),
} as Record<(typeof COUNT_METRICS)[number], z.ZodInt> &
  Record<typeof REVENUE, z.ZodNumber> &
  Record<(typeof RATE_METRICS)[number], typeof rate>;

/** One row of `campaign_fact_table`: a campaign's dimensions and lifetime metrics. */
export const CampaignRow = z
  .object({
    campaign_id: id,
    campaign_name: text,
    campaign_type: text,
    campaign_state: text,
    message_medium: text,
    template_id: nullableId,
    message_type_id: nullableId,
    message_type_name: text,
    channel_id: nullableId,
    channel_name: text,
    channel_type: text,
    labels: text,
    created_at: instant,
    started_at: instant,
    ended_at: instant,
    ...metrics,
  })
  .meta({ id: 'Campaign' });

/**
 * One day of `email_performance_fact`, per campaign or rolled up: the dimensions not grouped by are
 * NULL, so every grouping has the same columns (one CSV layout for a spreadsheet).
 */
export const DailyRow = z
  .object({
    event_on: date,
    campaign_id: nullableId,
    campaign_name: text,
    message_type_id: nullableId,
    message_type_name: text,
    channel_id: nullableId,
    channel_name: text,
    ...metrics,
  })
  .meta({ id: 'Daily' });

/** One row of `email_funnel_fact`, with the campaign's name from `campaign_fact_table`. */
export const FunnelRow = z
  .object({
    campaign_id: id,
    campaign_name: text,
    count_recipients_sent: z.int(),
    count_recipients_delivered: z.int(),
    count_recipients_opened: z.int(),
    count_recipients_clicked: z.int(),
    count_recipients_converted: z.int(),
    delivery_drop_off_rate: rate,
    open_drop_off_rate: rate,
    click_drop_off_rate: rate,
    conversion_drop_off_rate: rate,
    conversion_rate: rate,
  })
  .meta({ id: 'Funnel' });

/** One row of `unsubscribe_fact`: a date × message type × unsubscribe source. */
export const UnsubscribeRow = z
  .object({
    event_on: date,
    message_type_id: nullableId,
    message_type_name: text,
    unsub_source: text,
    count_unsubscribes: z.int(),
    count_unique_unsubscribes: z.int(),
    count_delivered: z.int(),
    churn_rate: rate,
  })
  .meta({ id: 'Unsubscribe' });

/** One stream's load state, from the watermark store. */
export const StreamHealthRow = z
  .object({
    stream: z.string(),
    watermark: instant.meta({ description: 'everything before it is loaded; NULL before the first load' }),
    freshness_seconds: z.int().nullable().meta({ description: 'seconds from the watermark to now' }),
    pending_windows: z.int(),
    failed_windows: z.int(),
  })
  .meta({ id: 'StreamHealth' });

const count = z.int();

/**
 * One send date of a campaign in `email_send_cohort_fact`: everything about the messages the
 * campaign sent that day (UTC), whenever it happened, so its rates settle as people react
 * (sql/15_email_send_cohort_fact.sql has the definitions).
 */
export const CohortRow = z
  .object({
    send_on: date,
    campaign_id: id,
    message_type_id: nullableId,
    message_type_name: text,
    channel_id: nullableId,
    channel_name: text,
    count_sends: count,
    count_bounces: count,
    count_delivered: count,
    count_unique_opens: count,
    count_unique_human_opens: count,
    count_unique_clicks: count,
    count_unique_unsubscribes: count,
    count_complaints: count,
    count_purchases: count,
    revenue: z.number(),
    open_rate: rate,
    human_open_rate: rate,
    click_rate: rate,
    click_to_open_rate: rate,
    unsubscribe_rate: rate,
    bounce_rate: rate,
    complaint_rate: rate,
  })
  .meta({ id: 'Cohort' });

/** A page of rows, and the cursor of the next page (NULL on the last one). */
export const page = <T extends z.ZodType>(row: T) =>
  z.object({
    data: z.array(row),
    next_cursor: z.string().nullable(),
  });

export const CampaignDetail = z
  .object({
    campaign: CampaignRow,
    daily: z.array(DailyRow).meta({ description: 'email_performance_fact: one row per event date' }),
    cohorts: z
      .array(CohortRow)
      .meta({ description: 'email_send_cohort_fact: one row per send date, in send_on order' }),
  })
  .meta({ id: 'CampaignDetail' });

export const Health = z
  .object({ checked_at: z.iso.datetime(), streams: z.array(StreamHealthRow) })
  .meta({ id: 'Health' });

/** RFC 9457 problem details (https://www.rfc-editor.org/rfc/rfc9457), with the bad parameters. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ parameter: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export type ProblemBody = z.infer<typeof Problem>;
