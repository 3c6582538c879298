/**
 * Reads what the dashboard shows from the fact tables, unchanged: the page adds up and divides
 * rows, it never recomputes a fact from raw events, so its figures are the tables' figures.
 */
import type { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import type {
  CampaignRow,
  CohortRow,
  DailyRow,
  EngagedUserRow,
  FunnelRow,
  SegmentRow,
  UnsubscribeRow,
} from './model.js';

/** Enough to see who the most engaged are; the table has every user for anyone who wants more. */
const ENGAGED_USERS = 15;

export interface FactRows {
  readonly daily: DailyRow[];
  readonly cohorts: CohortRow[];
  readonly campaigns: CampaignRow[];
  readonly funnel: FunnelRow[];
  readonly unsubscribes: UnsubscribeRow[];
  readonly segments: SegmentRow[];
  readonly engagedUsers: EngagedUserRow[];
}

export async function readFacts(warehouse: DuckDbWarehouse): Promise<FactRows> {
  const facts = warehouse.datasets.analytics;
  return {
    daily: await warehouse.query<DailyRow>(
      `SELECT CAST(event_on AS VARCHAR) AS event_on, campaign_id, count_sends, count_delivered, count_opens,
              count_unique_opens, count_machine_opens, count_clicks, count_unique_clicks,
              count_unique_unsubscribes, count_purchases, revenue
       FROM ${facts}.email_performance_fact ORDER BY event_on, campaign_id`,
    ),
    cohorts: await warehouse.query<CohortRow>(
      `SELECT CAST(send_on AS VARCHAR) AS send_on, campaign_id, count_delivered, count_unique_opens,
              count_unique_clicks
       FROM ${facts}.email_send_cohort_fact ORDER BY send_on, campaign_id`,
    ),
    campaigns: await warehouse.query<CampaignRow>(
      `SELECT campaign_id, campaign_name, campaign_type, message_type_name, count_sends, count_delivered,
              count_unique_opens, count_unique_clicks, count_unique_unsubscribes, revenue,
              open_rate, click_rate, click_to_open_rate, unsubscribe_rate
       FROM ${facts}.campaign_fact_table WHERE count_sends > 0 ORDER BY count_sends DESC, campaign_id`,
    ),
    funnel: await warehouse.query<FunnelRow>(
      `SELECT campaign_id, count_recipients_sent, count_recipients_delivered, count_recipients_opened,
              count_recipients_clicked, count_recipients_converted
       FROM ${facts}.email_funnel_fact ORDER BY campaign_id`,
    ),
    unsubscribes: await warehouse.query<UnsubscribeRow>(
      `SELECT CAST(event_on AS VARCHAR) AS event_on,
              IFNULL(message_type_name, '(no message type: not from a campaign)') AS message_type_name,
              IFNULL(unsub_source, '(unknown)') AS unsub_source, count_unsubscribes
       FROM ${facts}.unsubscribe_fact ORDER BY event_on`,
    ),
    segments: await warehouse.query<SegmentRow>(
      `SELECT engagement_segment, COUNT(*) AS count_users
       FROM ${facts}.user_engagement_fact GROUP BY engagement_segment ORDER BY engagement_segment`,
    ),
    engagedUsers: await warehouse.query<EngagedUserRow>(
      `SELECT user_key, count_opens, count_clicks, count_purchases, revenue, engagement_segment,
              epoch_ms(last_engaged_at) AS last_engaged_at
       FROM ${facts}.user_engagement_fact
       ORDER BY count_clicks DESC, count_opens DESC, user_key LIMIT ${ENGAGED_USERS}`,
    ),
  };
}
