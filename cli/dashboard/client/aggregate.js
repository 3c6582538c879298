// @ts-check
/**
 * The page's arithmetic over the embedded fact rows, for the current filter: sums of counts and
 * ratios of sums, the way the fact tables define their rates (docs/facts.md).
 * @typedef {import('../model.js').DashboardData} DashboardData
 * @typedef {import('../model.js').DailyRow} DailyRow
 * @typedef {{ from: string, to: string, campaign: number | null }} Filter
 */
import { ratio } from './format.js';

/** @param {DashboardData} data @param {Filter} filter */
export const dailyRows = (data, filter) =>
  data.daily.filter(
    (r) =>
      r.event_on >= filter.from &&
      r.event_on <= filter.to &&
      (filter.campaign === null || r.campaign_id === filter.campaign),
  );

/**
 * The send-date cohorts in the filter: the daily rates come from them, so a day's open rate is
 * about the emails delivered that day, never above 100%.
 * @param {DashboardData} data @param {Filter} filter
 */
export const cohortRows = (data, filter) =>
  data.cohorts.filter(
    (r) =>
      r.send_on >= filter.from &&
      r.send_on <= filter.to &&
      (filter.campaign === null || r.campaign_id === filter.campaign),
  );

/**
 * One rate per day of `days`: the cohorts' recipients who did `measure` over their delivered emails.
 * @param {readonly import('../model.js').CohortRow[]} rows @param {readonly string[]} days
 * @param {'count_unique_opens' | 'count_unique_clicks'} measure
 */
export function cohortRatePerDay(rows, days, measure) {
  return days.map((d) => {
    const day = rows.filter((r) => r.send_on === d);
    const sum = (/** @type {'count_delivered' | typeof measure} */ m) => day.reduce((n, r) => n + r[m], 0);
    return ratio(sum(measure), sum('count_delivered'));
  });
}

/** Every date between the filter's bounds, so days without events still show as zero. @param {Filter} filter */
export function daysOf(filter) {
  const days = [];
  for (let t = Date.parse(filter.from); t <= Date.parse(filter.to); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** @typedef {Exclude<keyof DailyRow, 'event_on' | 'campaign_id'>} Measure */

/**
 * @param {readonly DailyRow[]} rows
 * @param {Measure} measure
 */
export const total = (rows, measure) => rows.reduce((n, r) => n + r[measure], 0);

/**
 * One value per day of `days`: the measure summed over the day's rows.
 * @param {readonly DailyRow[]} rows @param {readonly string[]} days @param {(rows: DailyRow[]) => number | null} value
 */
export function perDay(rows, days, value) {
  /** @type {Map<string, DailyRow[]>} */
  const byDay = new Map(days.map((d) => [d, []]));
  for (const r of rows) byDay.get(r.event_on)?.push(r);
  return days.map((d) => value(byDay.get(d) ?? []));
}

/** The headline figures of the filtered rows. @param {readonly DailyRow[]} rows */
export function kpis(rows) {
  const delivered = total(rows, 'count_delivered');
  return {
    count_sends: total(rows, 'count_sends'),
    count_delivered: delivered,
    count_unique_opens: total(rows, 'count_unique_opens'),
    count_unique_clicks: total(rows, 'count_unique_clicks'),
    open_rate: ratio(total(rows, 'count_unique_opens'), delivered),
    click_rate: ratio(total(rows, 'count_unique_clicks'), delivered),
    count_unique_unsubscribes: total(rows, 'count_unique_unsubscribes'),
    revenue: total(rows, 'revenue'),
  };
}

/** Recipients at each stage, of one campaign or summed over all of them. @param {DashboardData} data @param {number | null} campaign */
export function funnel(data, campaign) {
  const rows = data.funnel.filter((r) => campaign === null || r.campaign_id === campaign);
  /** @param {keyof import('../model.js').FunnelRow} key */
  const sum = (key) => rows.reduce((n, r) => n + r[key], 0);
  return [
    { name: 'Sent', value: sum('count_recipients_sent') },
    { name: 'Delivered', value: sum('count_recipients_delivered') },
    { name: 'Opened', value: sum('count_recipients_opened') },
    { name: 'Clicked', value: sum('count_recipients_clicked') },
    { name: 'Converted', value: sum('count_recipients_converted') },
  ];
}

/**
 * Unsubscribes per day, one series per value of `by` (source or message type).
 * @param {DashboardData} data @param {Filter} filter @param {'unsub_source' | 'message_type_name'} by
 */
export function unsubscribeSeries(data, filter, by) {
  const days = daysOf(filter);
  const index = new Map(days.map((d, i) => [d, i]));
  /** @type {Map<string, number[]>} */
  const series = new Map();
  for (const r of data.unsubscribes) {
    const i = index.get(r.event_on);
    if (i === undefined) continue;
    const values = series.get(r[by]) ?? days.map(() => 0);
    values[i] = (values[i] ?? 0) + r.count_unsubscribes;
    series.set(r[by], values);
  }
  return { days, series: [...series.entries()].sort(([a], [b]) => a.localeCompare(b)) };
}

/** Campaigns with events in the filter's range (all of them when the range is everything). @param {DashboardData} data @param {Filter} filter */
export function campaignsInRange(data, filter) {
  const active = new Set(dailyRows(data, { ...filter, campaign: null }).map((r) => r.campaign_id));
  return data.campaigns.filter(
    (c) => active.has(c.campaign_id) && (filter.campaign === null || c.campaign_id === filter.campaign),
  );
}
