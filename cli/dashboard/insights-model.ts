/**
 * What the dashboard shows of the anomaly detector and the send-hour recommendation, as rows of
 * their tables under their own column names (sql/32_metric_anomalies.sql, 30_metric_daily_series.sql,
 * 34_send_hour_recommendation.sql). Dates are `YYYY-MM-DD` (UTC), times epoch ms.
 */
import type { AnomalyRow as StoredAnomalyRow } from '../../functions/src/anomalies/anomaly.js';

/** `metric_anomalies`: one row per day × series × metric × kind that was anomalous, and when it was first found. */
export interface AnomalyRow extends StoredAnomalyRow {
  readonly first_detected_at: number;
}

/** `metric_daily_series`, for the series × metrics that have an anomaly: what the chart draws. */
export interface SeriesDayRow {
  readonly metric_on: string;
  readonly series: string;
  readonly metric: string;
  readonly value: number;
}

/** `send_hour_recommendation`: one row per message type × engagement segment. */
export interface SendHourRow {
  readonly message_type_name: string;
  readonly engagement_segment: string;
  readonly best_send_hour: number;
  readonly sample_size: number;
  readonly human_open_rate: number;
  readonly human_open_rate_lower: number;
  readonly human_open_rate_upper: number;
  readonly click_rate: number;
  readonly hours_compared: number;
  readonly runner_up_send_hour: number | null;
  readonly runner_up_human_open_rate: number | null;
  readonly confidence: 'clear' | 'likely' | 'uncertain';
}

export interface Insights {
  readonly anomalies: readonly AnomalyRow[];
  readonly anomalySeries: readonly SeriesDayRow[];
  readonly sendHours: readonly SendHourRow[];
}
