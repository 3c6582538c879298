/** Reads iterable_analytics.metric_anomalies for the notifier, one query per run. */
import type { BigQuery } from '@google-cloud/bigquery';
import { type Anomaly, type AnomalyRow, anomalyFromRow } from '../anomalies/anomaly.js';
import type { AnomalySource } from '../anomalies/notify.js';

interface Row extends AnomalyRow {
  readonly first_detected_at: string;
}

export class BigQueryAnomalySource implements AnomalySource {
  constructor(
    private readonly bigquery: BigQuery,
    private readonly options: { readonly analyticsDataset: string; readonly location: string },
  ) {}

  async anomaliesFrom(fromDay: string): Promise<Anomaly[]> {
    // anomaly_on is a DATE: a constant bound keeps the read to the recent days.
    const [rows] = await this.bigquery.query({
      query: `SELECT CAST(anomaly_on AS STRING) AS anomaly_on, series, metric, value, expected,
          lower_bound, upper_bound, score, direction, severity, kind,
          FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E3SZ', first_detected_at, 'UTC') AS first_detected_at
        FROM ${this.options.analyticsDataset}.metric_anomalies
        WHERE anomaly_on >= CAST(@fromDay AS DATE)`,
      params: { fromDay },
      location: this.options.location,
    });
    return (rows as Row[]).map((r) => anomalyFromRow(r, r.first_detected_at));
  }
}
