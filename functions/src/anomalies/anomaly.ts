/**
 * One row of iterable_analytics.metric_anomalies, and the sentence people read about it: what
 * moved, by how much against normal, for which campaign or category, since when, and where to
 * look. The notifier posts it to Slack and logs it; `npm start` prints it.
 */

/** The metrics sql/30_metric_daily_series.sql builds a daily series of (fact column names). */
export const ANOMALY_METRICS = [
  'count_sends',
  'delivery_rate',
  'bounce_rate',
  'complaint_rate',
  'human_open_rate',
  'click_rate',
  'unsubscribe_rate',
  'revenue_per_delivered',
] as const;

/** statistical: against the series' own normal; guardrail: above a fixed ceiling (sql/32). */
export const ANOMALY_KINDS = ['statistical', 'guardrail'] as const;

export interface Anomaly {
  /** The day (UTC) the metric was anomalous, `YYYY-MM-DD`. */
  readonly anomalyOn: string;
  /** `message_type:Promotions`, `channel:Marketing Email` or `campaign:123`. */
  readonly series: string;
  /** The fact column's name, e.g. `bounce_rate`. */
  readonly metric: string;
  readonly value: number;
  /** The weekday median (statistical) or the ceiling (guardrail). */
  readonly expected: number;
  readonly lowerBound: number | null;
  readonly upperBound: number | null;
  readonly score: number;
  readonly direction: 'up' | 'down';
  readonly severity: 'warning' | 'critical';
  readonly kind: (typeof ANOMALY_KINDS)[number];
  /** ISO instant the detector first found it. */
  readonly firstDetectedAt: string;
}

/** A row of iterable_analytics.metric_anomalies as both warehouses return it (`anomaly_on` as text). */
export interface AnomalyRow {
  readonly anomaly_on: string;
  readonly series: string;
  readonly metric: string;
  readonly value: number;
  readonly expected: number;
  readonly lower_bound: number | null;
  readonly upper_bound: number | null;
  readonly score: number;
  readonly direction: Anomaly['direction'];
  readonly severity: Anomaly['severity'];
  readonly kind: Anomaly['kind'];
}

export const anomalyFromRow = (r: AnomalyRow, firstDetectedAt: string): Anomaly => ({
  anomalyOn: r.anomaly_on,
  series: r.series,
  metric: r.metric,
  value: r.value,
  expected: r.expected,
  lowerBound: r.lower_bound,
  upperBound: r.upper_bound,
  score: r.score,
  direction: r.direction,
  severity: r.severity,
  kind: r.kind,
  firstDetectedAt,
});

/** What makes an anomaly the same one on a later run: sent once per key, ever. */
export function anomalyKey(a: Pick<Anomaly, 'anomalyOn' | 'series' | 'metric' | 'kind'>): string {
  return `${a.anomalyOn}|${a.series}|${a.metric}|${a.kind}`;
}

const RATE = /_rate$/;

function formatValue(metric: string, value: number): string {
  if (RATE.test(metric)) return `${(value * 100).toFixed(value < 0.01 ? 2 : 1)}%`;
  if (metric === 'revenue_per_delivered') return value.toFixed(3);
  return Math.round(value).toLocaleString('en-US');
}

function describeSeries(series: string): string {
  const [kind, ...rest] = series.split(':');
  const name = rest.join(':');
  if (kind === 'campaign') return `campaign ${name}`;
  if (kind === 'message_type') return `message type ${name}`;
  if (kind === 'channel') return `channel ${name}`;
  return series;
}

/**
 * The first day of the unbroken run of days on which the same series, metric and kind were
 * anomalous, ending on this one's day: "since when".
 */
export function anomalySince(anomaly: Anomaly, all: readonly Anomaly[]): string {
  const days = new Set(
    all
      .filter((a) => a.series === anomaly.series && a.metric === anomaly.metric && a.kind === anomaly.kind)
      .map((a) => a.anomalyOn),
  );
  let since = anomaly.anomalyOn;
  for (;;) {
    const before = new Date(Date.parse(`${since}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    if (!days.has(before)) return since;
    since = before;
  }
}

/** One line, e.g. "bounce_rate up on campaign 123: 7.9% against a normal 1.2% (…)". */
export function anomalyMessage(anomaly: Anomaly, since: string, reportUrl: string | null): string {
  const value = formatValue(anomaly.metric, anomaly.value);
  const expected = formatValue(anomaly.metric, anomaly.expected);
  const against =
    anomaly.kind === 'guardrail'
      ? `above its ceiling of ${expected} (${anomaly.score.toFixed(1)}× the ceiling)`
      : `against a normal ${expected} for that weekday (${Math.abs(anomaly.score).toFixed(1)} robust SDs ${anomaly.direction === 'up' ? 'above' : 'below'})`;
  const days =
    since === anomaly.anomalyOn ? `on ${anomaly.anomalyOn}` : `since ${since} (latest ${anomaly.anomalyOn})`;
  const link = reportUrl ? ` Report: ${reportUrl}` : '';
  return `[${anomaly.severity}] ${anomaly.metric} ${anomaly.direction} on ${describeSeries(anomaly.series)}: ${value} ${against}, ${days}.${link}`;
}
