// @ts-check
/**
 * Anomalies and the best send hours on the page: the list of metric_anomalies in the dates chosen,
 * a chart of one anomalous series × metric with its anomalies marked, the anomaly days marked on
 * the daily chart, and the send_hour_recommendation table. Text through textContent only (series
 * carry message type and channel names from Iterable).
 * @typedef {import('echarts').EChartsOption} Option
 * @typedef {import('../model.js').DashboardData} DashboardData
 * @typedef {import('../insights-model.js').AnomalyRow} AnomalyRow
 * @typedef {import('../insights-model.js').SendHourRow} SendHourRow
 * @typedef {import('./aggregate.js').Filter} Filter
 */
import { daysOf } from './aggregate.js';
import { count, percent } from './format.js';

const ANOMALY_COLOUR = '#c0392b';

/** A metric's value as people read it: rates in percent, money per email with 3 decimals, counts whole. @param {string} metric @param {number | null} value */
export function metricValue(metric, value) {
  if (value === null) return '–';
  if (metric.endsWith('_rate')) return percent(value);
  if (metric === 'revenue_per_delivered') return value.toFixed(3);
  return count(value);
}

/**
 * The anomalies in the dates chosen; with a campaign chosen, that campaign's own series only.
 * @param {DashboardData} data @param {Filter} filter @returns {AnomalyRow[]}
 */
export function anomaliesIn(data, filter) {
  return data.insights.anomalies.filter(
    (a) =>
      a.anomaly_on >= filter.from &&
      a.anomaly_on <= filter.to &&
      (filter.campaign === null || a.series === `campaign:${filter.campaign}`),
  );
}

/** @param {AnomalyRow} a */
export const pairOf = (a) => `${a.series} · ${a.metric}`;

/** @type {import('./tables.js').Column<AnomalyRow>[]} */
export const ANOMALY_COLUMNS = [
  { key: 'anomaly_on', label: 'Date', text: (a) => a.anomaly_on },
  { key: 'series', label: 'Series', text: (a) => a.series },
  { key: 'metric', label: 'Metric', text: (a) => a.metric },
  { key: 'value', label: 'Value', text: (a) => metricValue(a.metric, a.value) },
  {
    key: 'expected',
    label: 'Expected',
    text: (a) => `${metricValue(a.metric, a.expected)}${a.kind === 'guardrail' ? ' (ceiling)' : ''}`,
  },
  { key: 'direction', label: 'Direction', text: (a) => a.direction },
  { key: 'severity', label: 'Severity', text: (a) => a.severity },
  { key: 'kind', label: 'Kind', text: (a) => a.kind },
];

/** @param {number | null} hour */
const hourText = (hour) => (hour === null ? '–' : `${String(hour).padStart(2, '0')}:00`);

/** @type {import('./tables.js').Column<SendHourRow>[]} */
export const SEND_HOUR_COLUMNS = [
  { key: 'message_type_name', label: 'Message type', text: (r) => r.message_type_name },
  { key: 'engagement_segment', label: 'Segment', text: (r) => r.engagement_segment },
  { key: 'best_send_hour', label: 'Best hour (UTC)', text: (r) => hourText(r.best_send_hour) },
  {
    key: 'human_open_rate',
    label: 'Human open rate (95% interval)',
    text: (r) =>
      `${percent(r.human_open_rate)} (${percent(r.human_open_rate_lower)}–${percent(r.human_open_rate_upper)})`,
  },
  { key: 'click_rate', label: 'Click rate', text: (r) => percent(r.click_rate) },
  { key: 'sample_size', label: 'Sample (delivered)', text: (r) => count(r.sample_size) },
  { key: 'hours_compared', label: 'Hours compared', text: (r) => count(r.hours_compared) },
  {
    key: 'runner_up_send_hour',
    label: 'Runner-up',
    text: (r) =>
      r.runner_up_send_hour === null
        ? '–'
        : `${hourText(r.runner_up_send_hour)} (${percent(r.runner_up_human_open_rate)})`,
  },
  { key: 'confidence', label: 'Confidence', text: (r) => r.confidence },
];

/**
 * The daily chart's option with a dashed line on each day of the dates chosen that has an anomaly.
 * @param {Option} option @param {DashboardData} data @param {Filter} filter @returns {Option}
 */
export function withAnomalyDays(option, data, filter) {
  const days = [...new Set(anomaliesIn(data, filter).map((a) => a.anomaly_on))].sort();
  const series = Array.isArray(option.series) ? option.series : [];
  const [first, ...rest] = series;
  if (!first || days.length === 0) return option;
  /** @type {import('echarts').MarkLineComponentOption} */
  const markLine = {
    symbol: 'none',
    label: { formatter: 'anomaly' },
    lineStyle: { color: ANOMALY_COLOUR, type: 'dashed' },
    data: days.map((day) => ({ name: 'anomaly', xAxis: day })),
  };
  return { ...option, series: [{ ...first, markLine }, ...rest] };
}

/**
 * One series × metric over the dates chosen (metric_daily_series), its anomalies marked.
 * @param {DashboardData} data @param {Filter} filter @param {string | null} pair @returns {Option}
 */
export function anomalyChart(data, filter, pair) {
  const days = daysOf(filter);
  const marked = anomaliesIn(data, filter).filter((a) => pairOf(a) === pair);
  const [series = '', metric = ''] = (pair ?? '').split(' · ');
  const values = new Map(
    data.insights.anomalySeries
      .filter((d) => d.series === series && d.metric === metric)
      .map((d) => [d.metric_on, d.value]),
  );
  return {
    grid: { top: 50, left: 70, right: 30, bottom: 30 },
    xAxis: { type: 'category', data: days },
    yAxis: {
      type: 'value',
      axisLabel: { formatter: (/** @type {number} */ v) => metricValue(metric, v) },
    },
    series: [
      {
        name: pair ?? 'no anomaly in the dates chosen',
        type: 'line',
        data: days.map((d) => values.get(d) ?? null),
        markPoint: {
          symbol: 'pin',
          itemStyle: { color: ANOMALY_COLOUR },
          label: { formatter: (/** @type {{ name?: string }} */ p) => p.name ?? '' },
          data: marked.map((a) => ({
            name: a.kind === 'guardrail' ? 'G' : a.direction === 'up' ? '▲' : '▼',
            coord: [a.anomaly_on, a.value],
            value: a.value,
          })),
        },
      },
    ],
  };
}
