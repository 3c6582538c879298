/**
 * Reads the anomalies, the daily values of the series they are on, and the send-hour
 * recommendation, unchanged: the page filters and draws them, it computes no figure of its own.
 */
import type { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import type { AnomalyRow, Insights, SendHourRow, SeriesDayRow } from './insights-model.js';

export async function readInsights(warehouse: DuckDbWarehouse): Promise<Insights> {
  const facts = warehouse.datasets.analytics;
  return {
    anomalies: await warehouse.query<AnomalyRow>(
      `SELECT CAST(anomaly_on AS VARCHAR) AS anomaly_on, series, metric, value, expected, lower_bound,
              upper_bound, score, direction, severity, kind, epoch_ms(first_detected_at) AS first_detected_at
       FROM ${facts}.metric_anomalies ORDER BY anomaly_on DESC, severity, series, metric, kind`,
    ),
    anomalySeries: await warehouse.query<SeriesDayRow>(
      `SELECT CAST(days.metric_on AS VARCHAR) AS metric_on, days.series, days.metric, days.value
       FROM ${facts}.metric_daily_series AS days
       JOIN (SELECT DISTINCT series, metric FROM ${facts}.metric_anomalies) AS watched
         ON watched.series = days.series AND watched.metric = days.metric
       ORDER BY days.series, days.metric, days.metric_on`,
    ),
    sendHours: await warehouse.query<SendHourRow>(
      `SELECT message_type_name, engagement_segment, best_send_hour, sample_size, human_open_rate,
              human_open_rate_lower, human_open_rate_upper, click_rate, hours_compared,
              runner_up_send_hour, runner_up_human_open_rate, confidence
       FROM ${facts}.send_hour_recommendation ORDER BY message_type_name, engagement_segment`,
    ),
  };
}
