/**
 * What the dashboard page embeds as JSON: rows of the fact tables, under their own column names
 * (docs/facts.md), so every figure on the page traces back to one table and column; plus each
 * stream's status for the pipeline-health panel. Dates are `YYYY-MM-DD` (UTC), times epoch ms.
 */
import type { StreamStatus } from '../status-model.js';
import type { Insights } from './insights-model.js';

/** `email_performance_fact`: one row per event date × campaign. */
export interface DailyRow {
  readonly event_on: string;
  readonly campaign_id: number;
  readonly count_sends: number;
  readonly count_delivered: number;
  readonly count_opens: number;
  readonly count_unique_opens: number;
  readonly count_machine_opens: number;
  readonly count_clicks: number;
  readonly count_unique_clicks: number;
  readonly count_unique_unsubscribes: number;
  readonly count_purchases: number;
  readonly revenue: number;
}

/**
 * `email_send_cohort_fact`: one row per send date × campaign; counts about the messages sent
 * that day, whenever the recipients reacted, so a day's rates stay within [0, 1].
 */
export interface CohortRow {
  readonly send_on: string;
  readonly campaign_id: number;
  readonly count_delivered: number;
  readonly count_unique_opens: number;
  readonly count_unique_clicks: number;
}

/** `campaign_fact_table`: one row per campaign, lifetime totals. */
export interface CampaignRow {
  readonly campaign_id: number;
  readonly campaign_name: string | null;
  readonly campaign_type: string | null;
  readonly message_type_name: string | null;
  readonly count_sends: number;
  readonly count_delivered: number;
  readonly count_unique_opens: number;
  readonly count_unique_clicks: number;
  readonly count_unique_unsubscribes: number;
  readonly revenue: number;
  readonly open_rate: number | null;
  readonly click_rate: number | null;
  readonly click_to_open_rate: number | null;
  readonly unsubscribe_rate: number | null;
}

/** `email_funnel_fact`: one row per campaign, recipients at each nested stage. */
export interface FunnelRow {
  readonly campaign_id: number;
  readonly count_recipients_sent: number;
  readonly count_recipients_delivered: number;
  readonly count_recipients_opened: number;
  readonly count_recipients_clicked: number;
  readonly count_recipients_converted: number;
}

/** `unsubscribe_fact`: one row per event date × message type × source. */
export interface UnsubscribeRow {
  readonly event_on: string;
  /** `(no message type: not from a campaign)` for unsubscribes without a campaign (e.g. a preference centre). */
  readonly message_type_name: string;
  readonly unsub_source: string;
  readonly count_unsubscribes: number;
}

/** `user_engagement_fact`, counted per segment. */
export interface SegmentRow {
  readonly engagement_segment: string;
  readonly count_users: number;
}

/** `user_engagement_fact`: the users with the most clicks, then opens. */
export interface EngagedUserRow {
  readonly user_key: string;
  readonly count_opens: number;
  readonly count_clicks: number;
  readonly count_purchases: number;
  readonly revenue: number;
  readonly engagement_segment: string;
  readonly last_engaged_at: number | null;
}

export interface DashboardData {
  readonly generatedAt: number;
  readonly warehouse: string;
  readonly daily: readonly DailyRow[];
  readonly cohorts: readonly CohortRow[];
  readonly campaigns: readonly CampaignRow[];
  readonly funnel: readonly FunnelRow[];
  readonly unsubscribes: readonly UnsubscribeRow[];
  readonly segments: readonly SegmentRow[];
  readonly engagedUsers: readonly EngagedUserRow[];
  readonly health: { readonly streams: readonly StreamStatus[]; readonly note: string | null };
  /** Anomalies on email metrics and the best send hours (insights-model.ts). */
  readonly insights: Insights;
}
