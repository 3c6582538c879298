// @ts-check
/**
 * The charts, as ECharts options built from the filtered fact rows. ECharts comes from the
 * inlined `echarts.min.js`, which sets `window.echarts` before this script runs.
 * @typedef {import('echarts').EChartsOption} Option
 * @typedef {import('../model.js').DashboardData} DashboardData
 * @typedef {import('./aggregate.js').Filter} Filter
 */
import {
  cohortRatePerDay,
  cohortRows,
  dailyRows,
  daysOf,
  funnel,
  perDay,
  total,
  unsubscribeSeries,
} from './aggregate.js';
import { count } from './format.js';

const echarts = /** @type {{ echarts: typeof import('echarts') }} */ (/** @type {unknown} */ (globalThis))
  .echarts;

const PERCENT_AXIS = {
  type: /** @type {const} */ ('value'),
  name: 'rate',
  min: 0,
  axisLabel: { formatter: (/** @type {number} */ v) => `${Math.round(v * 100)}%` },
  splitLine: { show: false },
};

/** Draws (or redraws) one chart; no animation, so what the page shows is final at once. @param {string} id @param {Option} option */
export function draw(id, option) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`no element #${id} for a chart`);
  const chart = echarts.getInstanceByDom(element) ?? echarts.init(element);
  chart.setOption(
    { animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 }, ...option },
    { notMerge: true },
  );
}

export function resizeAll() {
  for (const element of document.querySelectorAll('.chart')) {
    if (element instanceof HTMLElement) echarts.getInstanceByDom(element)?.resize();
  }
}

/**
 * Daily counts, and open and click rates to date: unique opens (clicks) of the days so far over
 * the deliveries of the days so far. A day's opens over that day's deliveries is no rate (opens of
 * earlier sends land on later days: it reached several hundred percent); rates by send date need
 * the send-date cohort table. The partial current day is shaded and left out of the rates.
 * @param {DashboardData} data @param {Filter} filter @returns {Option}
 */
export function dailyChart(data, filter) {
  const rows = dailyRows(data, filter);
  const days = daysOf(filter);
  const today = new Date(data.generatedAt).toISOString().slice(0, 10);
  /** @param {import('./aggregate.js').Measure} m */
  const sum = (m) => perDay(rows, days, (r) => total(r, m));
  const cohorts = cohortRows(data, filter);
  /**
   * Rates by send date (email_send_cohort_fact), not the day's activity over its deliveries, so no
   * day can pass 100%; the current, partial day is left out of the rate lines.
   * @param {'count_unique_opens' | 'count_unique_clicks'} m
   */
  const rate = (m) =>
    cohortRatePerDay(cohorts, days, m).map((value, i) => ((days[i] ?? '') >= today ? null : value));
  /** @type {import('echarts').MarkAreaComponentOption | undefined} */
  const partial = days.includes(today)
    ? {
        silent: true,
        itemStyle: { color: 'rgba(0, 0, 0, 0.06)' },
        data: [[{ name: 'partial day', xAxis: today }, { xAxis: today }]],
      }
    : undefined;
  return {
    legend: { top: 0 },
    grid: { top: 70, left: 60, right: 60, bottom: 30 },
    xAxis: { type: 'category', data: days },
    yAxis: [{ type: 'value', name: 'emails' }, PERCENT_AXIS],
    series: [
      { name: 'Sends', type: 'bar', data: sum('count_sends'), ...(partial ? { markArea: partial } : {}) },
      { name: 'Delivered', type: 'bar', data: sum('count_delivered') },
      { name: 'Unique opens', type: 'line', data: sum('count_unique_opens') },
      { name: 'Unique clicks', type: 'line', data: sum('count_unique_clicks') },
      {
        name: 'Open rate (by send date)',
        type: 'line',
        yAxisIndex: 1,
        lineStyle: { type: 'dashed' },
        data: rate('count_unique_opens'),
      },
      {
        name: 'Click rate (by send date)',
        type: 'line',
        yAxisIndex: 1,
        lineStyle: { type: 'dashed' },
        data: rate('count_unique_clicks'),
      },
    ],
  };
}

/** @param {DashboardData} data @param {Filter} filter @returns {Option} */
export function funnelChart(data, filter) {
  return {
    tooltip: { trigger: 'item' },
    legend: { show: false },
    series: [
      {
        name: 'Recipients',
        type: 'funnel',
        sort: 'none',
        minSize: '8%',
        label: {
          show: true,
          position: 'inside',
          formatter: (/** @type {{ name: string, value: unknown }} */ p) =>
            `${p.name}: ${count(Number(p.value))}`,
        },
        data: funnel(data, filter.campaign),
      },
    ],
  };
}

/** @param {DashboardData} data @param {Filter} filter @param {'unsub_source' | 'message_type_name'} by @returns {Option} */
export function unsubscribeChart(data, filter, by) {
  const { days, series } = unsubscribeSeries(data, filter, by);
  return {
    grid: { top: 80, left: 50, right: 20, bottom: 30 },
    xAxis: { type: 'category', data: days },
    yAxis: { type: 'value', name: 'unsubscribes' },
    series: series.map(([name, values]) => ({ name, type: 'bar', stack: 'unsubscribes', data: values })),
  };
}

/** @param {DashboardData} data @returns {Option} */
export function segmentChart(data) {
  return {
    tooltip: { trigger: 'item' },
    series: [
      {
        name: 'Users',
        type: 'pie',
        radius: ['35%', '65%'],
        top: 30,
        label: { formatter: '{b}: {c} ({d}%)' },
        data: data.segments.map((s) => ({ name: s.engagement_segment, value: s.count_users })),
      },
    ],
  };
}

/** @param {DashboardData} data @param {Filter} filter @returns {Option} */
export function opensChart(data, filter) {
  const rows = dailyRows(data, filter);
  const days = daysOf(filter);
  return {
    grid: { top: 60, left: 50, right: 20, bottom: 30 },
    xAxis: { type: 'category', data: days },
    yAxis: { type: 'value', name: 'opens' },
    series: [
      {
        name: 'Human opens',
        type: 'line',
        stack: 'opens',
        areaStyle: {},
        data: perDay(rows, days, (r) => total(r, 'count_opens') - total(r, 'count_machine_opens')),
      },
      {
        name: 'Machine opens',
        type: 'line',
        stack: 'opens',
        areaStyle: {},
        data: perDay(rows, days, (r) => total(r, 'count_machine_opens')),
      },
    ],
  };
}
