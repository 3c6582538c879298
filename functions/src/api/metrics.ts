/**
 * The metrics of the fact tables, named exactly as their columns (docs/facts.md, "Metrics"), and
 * how each rate is made from two counts, so a roll-up recomputes rates from summed counts instead
 * of averaging rates.
 */
export const COUNT_METRICS = [
  'count_sends',
  'count_bounces',
  'count_delivered',
  'count_opens',
  'count_unique_opens',
  'count_machine_opens',
  'count_clicks',
  'count_unique_clicks',
  'count_complaints',
  'count_unsubscribes',
  'count_unique_unsubscribes',
  'count_purchases',
] as const;

export const REVENUE = 'revenue';

/** rate = numerator / denominator, NULL when the denominator is 0 (sql/10_campaign_fact_table.sql). */
export const RATES = {
  open_rate: ['count_unique_opens', 'count_delivered'],
  click_rate: ['count_unique_clicks', 'count_delivered'],
  click_to_open_rate: ['count_unique_clicks', 'count_unique_opens'],
  unsubscribe_rate: ['count_unique_unsubscribes', 'count_delivered'],
  bounce_rate: ['count_bounces', 'count_sends'],
  complaint_rate: ['count_complaints', 'count_delivered'],
} as const satisfies Record<string, readonly [CountMetric, CountMetric]>;

export type CountMetric = (typeof COUNT_METRICS)[number];
export type RateMetric = keyof typeof RATES;
export const RATE_METRICS = Object.keys(RATES) as RateMetric[];

/** Every metric column, in the order the fact tables have them. */
export const METRICS = [...COUNT_METRICS, REVENUE, ...RATE_METRICS] as const;
