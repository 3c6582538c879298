/**
 * The anomaly detector measured on the simulator's labelled metric history: the SQL of sql/
 * (series, baselines, anomalies, forecast) runs on DuckDB as the scheduled queries run it in
 * BigQuery, once after each day's data is loaded, with the clock pinned to that run; then every
 * alert is matched with the labelled incidents.
 *
 * Timing follows the default stack: the fan-out loads at 00:00, 05:00, … (`0 *\/5 * * *`), a day
 * is complete once the first fan-out after its end (plus LAG_MINUTES) has loaded it, and the
 * scheduled queries run at 00:45, 05:45, … (`every 5 hours from 00:45`). The delay is from that
 * load to the alert's first_detected_at. Runs with no newly loaded day are skipped: they could not
 * find anything new (a day is judged once it is complete, and nothing else changes between them).
 */
import { basename } from 'node:path';
import { DAY, HOUR, MINUTE } from '../functions/src/time.js';
import { DuckDbWarehouse } from '../local/duckdb-warehouse.js';
import { runModels } from '../local/sql/models.js';
import {
  type CampaignDay,
  generateMetricHistory,
  INCIDENT_KINDS,
  type Incident,
  type IncidentKind,
  type MetricHistoryOptions,
} from '../simulator/metric-history.js';
import { modelFiles } from '../sql/render.js';

export const SCHEDULE_HOURS = 5;
const FANOUT_HOURS = [0, 5, 10, 15, 20];
const FACT_RUNS = FANOUT_HOURS.map((h) => h * HOUR + 45 * MINUTE);
const LAG = 15 * MINUTE;
/** The incidents the recall target is about: at least this many robust standard deviations. */
export const TARGET_SIZE_SDS = 4;
/** The baseline's 8 weeks: days judged after them are the detector's steady state. */
const BASELINE_DAYS = 56;

/** The detector's files (30-33), and stg_rebuild_from, whose lookback they share. */
export const DETECTOR_FILES = modelFiles().filter((file) =>
  /^(04_stg_rebuild_from|3[0-3]_)/.test(basename(file)),
);

export interface KindScore {
  readonly kind: IncidentKind;
  readonly incidents: number;
  readonly detected: number;
  readonly incidentsAtTarget: number;
  readonly detectedAtTarget: number;
  /** Alerts on the kind's metrics, and how many of them an incident of this kind explains. */
  readonly alerts: number;
  readonly trueAlerts: number;
}

export interface Evaluation {
  readonly kinds: readonly KindScore[];
  readonly series: number;
  /** Days judged with the full 8 weeks of history behind them, and the false alerts on them. */
  readonly judgedDays: number;
  readonly falseAlerts: number;
  /** False alerts while the history was shorter (the detector judges from 4 weeks of it). */
  readonly warmUpFalseAlerts: number;
  readonly worstSeriesFalseAlerts: number;
  readonly delaysHours: readonly number[];
  readonly guardrailAlerts: number;
  readonly runs: number;
  readonly ms: number;
}

interface AlertRow {
  readonly anomaly_on: string;
  readonly series: string;
  readonly metric: string;
  readonly kind: string;
  readonly detected_ms: number;
}

export async function evaluateDetector(options: MetricHistoryOptions): Promise<Evaluation> {
  const history = generateMetricHistory(options);
  const warehouse = await DuckDbWarehouse.open(':memory:');
  const started = performance.now();
  try {
    const a = warehouse.datasets.analytics;
    await runModels(warehouse, { now: options.from });
    await standInCampaignDays(warehouse);
    const loadedAt = new Map<string, number>();
    for (const [index, day] of history.days.entries()) {
      await insertCampaignDays(
        warehouse,
        history.rows.filter((r) => r.metricOn === day),
      );
      const load = nextAt(
        options.from + (index + 1) * DAY + LAG,
        FANOUT_HOURS.map((h) => h * HOUR),
      );
      loadedAt.set(day, load);
      await runModels(warehouse, { now: nextAt(load, FACT_RUNS), files: DETECTOR_FILES });
    }
    const alerts = await warehouse.query<AlertRow>(
      `SELECT CAST(anomaly_on AS VARCHAR) AS anomaly_on, series, metric, kind,
        epoch_ms(first_detected_at) AS detected_ms FROM ${a}.metric_anomalies`,
    );
    const series = await warehouse.query<{ n: bigint }>(
      `SELECT COUNT(DISTINCT series) AS n FROM ${a}.metric_daily_series`,
    );
    return score(history.incidents, history.rows, alerts, {
      series: Number(series[0]?.n ?? 0),
      steadyFrom: history.days[BASELINE_DAYS] ?? '',
      judgedDays: history.days.length - BASELINE_DAYS,
      loadedAt,
      runs: history.days.length,
      ms: performance.now() - started,
    });
  } finally {
    await warehouse.close();
  }
}

/** The first instant at or after `at` among the daily times (ms after midnight) of a schedule. */
function nextAt(at: number, times: readonly number[]): number {
  const midnight = Math.floor(at / DAY) * DAY;
  const candidates = [...times.map((t) => midnight + t), ...times.map((t) => midnight + DAY + t)];
  return Math.min(...candidates.filter((t) => t >= at));
}

/**
 * Replaces the detector's source view (stg_metric_campaign_days) with a table the caller fills
 * with campaign days of its own: the labelled history here, hand-made days in the tests.
 * Run the models before (they create the view) and only DETECTOR_FILES after.
 */
export async function standInCampaignDays(warehouse: DuckDbWarehouse): Promise<void> {
  const a = warehouse.datasets.analytics;
  await warehouse.query(`CREATE TABLE ${a}.stand_in_campaign_days (
    metric_on DATE, campaign_id BIGINT, count_sends BIGINT, count_bounces BIGINT, count_delivered BIGINT,
    count_unique_human_opens BIGINT, count_unique_clicks BIGINT, count_unique_unsubscribes BIGINT,
    count_complaints BIGINT, revenue DOUBLE, message_type_name VARCHAR, channel_name VARCHAR)`);
  await warehouse.query(
    `CREATE OR REPLACE VIEW ${a}.stg_metric_campaign_days AS SELECT * FROM ${a}.stand_in_campaign_days`,
  );
}

export async function insertCampaignDays(
  warehouse: DuckDbWarehouse,
  rows: readonly CampaignDay[],
): Promise<void> {
  if (rows.length === 0) return;
  const text = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const values = rows.map(
    (r) =>
      `(DATE ${text(r.metricOn)}, ${r.campaignId}, ${r.countSends}, ${r.countBounces}, ${r.countDelivered}, ` +
      `${r.countUniqueHumanOpens}, ${r.countUniqueClicks}, ${r.countUniqueUnsubscribes}, ${r.countComplaints}, ` +
      `${r.revenue}, ${text(r.messageTypeName)}, ${text(r.channelName)})`,
  );
  await warehouse.query(
    `INSERT INTO ${warehouse.datasets.analytics}.stand_in_campaign_days VALUES ${values.join(',')}`,
  );
}

function score(
  incidents: readonly Incident[],
  rows: readonly CampaignDay[],
  alerts: readonly AlertRow[],
  context: {
    series: number;
    steadyFrom: string;
    judgedDays: number;
    loadedAt: ReadonlyMap<string, number>;
    runs: number;
    ms: number;
  },
): Evaluation {
  const campaignSeries = new Map<number, string[]>();
  for (const r of rows) {
    campaignSeries.set(r.campaignId, [
      `campaign:${r.campaignId}`,
      `message_type:${r.messageTypeName}`,
      `channel:${r.channelName}`,
    ]);
  }
  const kindOf = (kind: IncidentKind) => INCIDENT_KINDS.find((k) => k.kind === kind);
  /** The incident an alert is about: same day, a series holding its campaign, a metric it moves. */
  const explains = (incident: Incident, alert: AlertRow) =>
    incident.metricOn === alert.anomaly_on &&
    (campaignSeries.get(incident.campaignId) ?? []).includes(alert.series) &&
    (kindOf(incident.kind)?.affects as readonly string[] | undefined)?.includes(alert.metric) === true;
  const statistical = alerts.filter((alert) => alert.kind === 'statistical');
  const unexplainedAll = statistical.filter(
    (alert) => !incidents.some((incident) => explains(incident, alert)),
  );
  const unexplained = unexplainedAll.filter((alert) => alert.anomaly_on >= context.steadyFrom);
  const perSeries = new Map<string, number>();
  for (const alert of unexplained) perSeries.set(alert.series, (perSeries.get(alert.series) ?? 0) + 1);
  const delaysHours: number[] = [];
  const kinds = INCIDENT_KINDS.map(({ kind, metric, affects }): KindScore => {
    const own = incidents.filter((incident) => incident.kind === kind);
    const found = own.filter((incident) => {
      const alert = statistical.find(
        (a) =>
          a.anomaly_on === incident.metricOn &&
          a.series === `campaign:${incident.campaignId}` &&
          a.metric === metric,
      );
      if (alert)
        delaysHours.push((alert.detected_ms - (context.loadedAt.get(incident.metricOn) ?? 0)) / HOUR);
      return alert !== undefined;
    });
    const onMetrics = statistical.filter((alert) => (affects as readonly string[]).includes(alert.metric));
    const atTarget = own.filter((incident) => incident.sizeSds >= TARGET_SIZE_SDS);
    return {
      kind,
      incidents: own.length,
      detected: found.length,
      incidentsAtTarget: atTarget.length,
      detectedAtTarget: found.filter((incident) => incident.sizeSds >= TARGET_SIZE_SDS).length,
      alerts: onMetrics.length,
      trueAlerts: onMetrics.filter((alert) => own.some((incident) => explains(incident, alert))).length,
    };
  });
  return {
    kinds,
    series: context.series,
    judgedDays: context.judgedDays,
    falseAlerts: unexplained.length,
    warmUpFalseAlerts: unexplainedAll.length - unexplained.length,
    worstSeriesFalseAlerts: Math.max(0, ...perSeries.values()),
    delaysHours,
    guardrailAlerts: alerts.length - statistical.length,
    runs: context.runs,
    ms: context.ms,
  };
}
