/**
 * Reads iterable_analytics.metric_anomalies from the local warehouse as the notifier reads it from
 * BigQuery: the rows a build found first (to print after `npm start`), or every recent one (to
 * tell "since when" and to list them on the dashboard).
 */
import { type Anomaly, type AnomalyRow, anomalyFromRow } from '../../functions/src/anomalies/anomaly.js';
import type { AnomalySource } from '../../functions/src/anomalies/notify.js';
import type { DuckDbWarehouse } from '../duckdb-warehouse.js';

interface DetectedRow extends AnomalyRow {
  readonly detected_ms: number | bigint;
}

/** Anomalies first detected at or after `detectedFrom` (epoch ms), or all when it is absent. */
export async function readAnomalies(warehouse: DuckDbWarehouse, detectedFrom?: number): Promise<Anomaly[]> {
  const table = `${warehouse.datasets.analytics}.metric_anomalies`;
  const [exists] = await warehouse.query<{ n: bigint }>(
    `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = $schema AND table_name = 'metric_anomalies'`,
    { schema: warehouse.datasets.analytics },
  );
  if (!exists || Number(exists.n) === 0) return [];
  const rows = await warehouse.query<DetectedRow>(
    `SELECT CAST(anomaly_on AS VARCHAR) AS anomaly_on, series, metric, value, expected, lower_bound,
       upper_bound, score, direction, severity, kind, epoch_ms(first_detected_at) AS detected_ms
     FROM ${table}
     WHERE $from IS NULL OR epoch_ms(first_detected_at) >= $from
     ORDER BY anomaly_on DESC, severity, series, metric`,
    { from: detectedFrom ?? null },
  );
  return rows.map((r) => anomalyFromRow(r, new Date(Number(r.detected_ms)).toISOString()));
}

/** The notifier's source over the local warehouse: what BigQuery answers it on GCP. */
export function localAnomalySource(warehouse: DuckDbWarehouse): AnomalySource {
  return {
    anomaliesFrom: async (fromDay) => (await readAnomalies(warehouse)).filter((a) => a.anomalyOn >= fromDay),
  };
}
