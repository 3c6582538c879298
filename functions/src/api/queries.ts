/**
 * The SQL of every route, as parameterized statements on the fact tables only (never the raw
 * tables). Table and column names come from the constants here and the configured dataset name;
 * sort columns from an allow-list; everything a caller sent is a named parameter. The SQL is the
 * subset BigQuery and DuckDB both run (docs/facts.md; `SAFE_DIVIDE` comes from the DuckDB prelude).
 */
import type { Statement } from './fact-reader.js';
import { METRICS, RATES } from './metrics.js';
import type { DateRange } from './params.js';
import { CampaignRow, CohortRow, DailyRow, FunnelRow, UnsubscribeRow } from './rows.js';

export interface Page {
  /** Rows wanted; the statement asks for one more, to know whether a next page exists. */
  readonly limit: number;
  readonly offset: number;
}

export interface Filters {
  readonly message_type?: number | undefined;
  readonly channel?: number | undefined;
  readonly campaign?: number | undefined;
}

export const SORT_COLUMNS = ['campaign_id', 'campaign_name', 'created_at', 'started_at', ...METRICS] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export const DAILY_GROUPINGS = ['campaign', 'message_type', 'channel', 'none'] as const;
export type DailyGrouping = (typeof DAILY_GROUPINGS)[number];

const columns = (shape: object, replace: Record<string, string> = {}) =>
  Object.keys(shape)
    .map((c) => replace[c] ?? c)
    .join(', ');

/** DATE comes back as different types from the two client libraries; as text it is the same. */
const DATE_AS_TEXT = { event_on: 'CAST(event_on AS STRING) AS event_on' };

const pageClause = (page: Page, params: Record<string, string | number>) => {
  params.page_limit = page.limit + 1;
  params.page_offset = page.offset;
  return 'LIMIT @page_limit OFFSET @page_offset';
};

/** `AND column = @param` for each filter given, in a fixed order. */
function filterClauses(filters: Filters, params: Record<string, string | number>, prefix = ''): string[] {
  const where: string[] = [];
  const add = (name: string, column: string, value: number | undefined) => {
    if (value === undefined) return;
    params[name] = value;
    where.push(`${prefix}${column} = @${name}`);
  };
  add('message_type_id', 'message_type_id', filters.message_type);
  add('channel_id', 'channel_id', filters.channel);
  add('campaign_id', 'campaign_id', filters.campaign);
  return where;
}

function rangeClauses(column: string, range: Partial<DateRange>, params: Record<string, string | number>) {
  const where: string[] = [];
  if (range.from !== undefined) {
    params.from_date = range.from;
    where.push(`${column} >= CAST(@from_date AS DATE)`);
  }
  if (range.to !== undefined) {
    params.to_date = range.to;
    where.push(`${column} < CAST(@to_date AS DATE)`);
  }
  return where;
}

const whereOf = (clauses: readonly string[]) => (clauses.length ? `WHERE ${clauses.join(' AND ')}` : '');

export function campaignsStatement(
  dataset: string,
  query: { range: Partial<DateRange>; filters: Filters; sort: { column: SortColumn; descending: boolean } },
  page: Page,
): Statement {
  const params: Record<string, string | number> = {};
  const where = [
    ...rangeClauses('DATE(created_at)', query.range, params),
    ...filterClauses(query.filters, params),
  ];
  const direction = query.sort.descending ? 'DESC' : 'ASC';
  const sql = `SELECT ${columns(CampaignRow.shape)}
FROM ${dataset}.campaign_fact_table
${whereOf(where)}
ORDER BY ${query.sort.column} ${direction} NULLS LAST, campaign_id ASC
${pageClause(page, params)}`;
  return { sql, params };
}

export function campaignStatement(dataset: string, campaignId: number): Statement {
  return {
    sql: `SELECT ${columns(CampaignRow.shape)} FROM ${dataset}.campaign_fact_table WHERE campaign_id = @campaign_id`,
    params: { campaign_id: campaignId },
  };
}

/** Days a campaign's series may hold: ten years of daily rows. */
export const MAX_SERIES_DAYS = 3660;

export function campaignSeriesStatement(dataset: string, campaignId: number): Statement {
  return {
    sql: `SELECT ${columns(DailyRow.shape, DATE_AS_TEXT)}
FROM ${dataset}.email_performance_fact
WHERE campaign_id = @campaign_id
ORDER BY event_on
LIMIT ${MAX_SERIES_DAYS}`,
    params: { campaign_id: campaignId },
  };
}

/** A campaign's send-date cohorts, at most `MAX_SERIES_DAYS` of them as for its daily series. */
export function campaignCohortsStatement(dataset: string, campaignId: number): Statement {
  return {
    sql: `SELECT ${columns(CohortRow.shape, { send_on: 'CAST(send_on AS STRING) AS send_on' })}
FROM ${dataset}.email_send_cohort_fact
WHERE campaign_id = @campaign_id
ORDER BY send_on
LIMIT ${MAX_SERIES_DAYS}`,
    params: { campaign_id: campaignId },
  };
}

/** The dimension columns a roll-up keeps; the others are NULL (rows.ts, DailyRow). */
const GROUPED: Record<DailyGrouping, readonly string[]> = {
  campaign: ['campaign_id'],
  message_type: ['message_type_id'],
  channel: ['channel_id'],
  none: [],
};
const DIMENSION_OF: Record<string, string> = {
  campaign_name: 'campaign_id',
  message_type_name: 'message_type_id',
  channel_name: 'channel_id',
};
const INT_DIMENSIONS = new Set(['campaign_id', 'message_type_id', 'channel_id']);

function rollUpColumn(column: string, group: readonly string[], grouping: DailyGrouping): string {
  if (column === 'event_on' || group.includes(column)) return column;
  const key = DIMENSION_OF[column] ?? column;
  // A message type belongs to one channel, so rows grouped by message type keep their channel.
  const kept = group.includes(key) || (grouping === 'message_type' && key === 'channel_id');
  if (kept) return `ANY_VALUE(${column}) AS ${column}`;
  if (INT_DIMENSIONS.has(column)) return `CAST(NULL AS INT64) AS ${column}`;
  if (key !== column) return `CAST(NULL AS STRING) AS ${column}`;
  if (column in RATES) {
    const [numerator, denominator] = RATES[column as keyof typeof RATES];
    return `SAFE_DIVIDE(SUM(${numerator}), SUM(${denominator})) AS ${column}`;
  }
  return `SUM(${column}) AS ${column}`;
}

export function dailyStatement(
  dataset: string,
  query: { range: DateRange; filters: Filters; groupBy: DailyGrouping },
  page: Page,
): Statement {
  const params: Record<string, string | number> = {};
  const where = whereOf([
    ...rangeClauses('event_on', query.range, params),
    ...filterClauses(query.filters, params),
  ]);
  const group = GROUPED[query.groupBy];
  const order = ['event_on', ...group.map((c) => `${c} NULLS LAST`)].join(', ');
  // A roll-up groups by the DATE column, so the text form of the date is made outside the GROUP BY.
  const source =
    query.groupBy === 'campaign'
      ? `${dataset}.email_performance_fact ${where}`
      : `(SELECT ${Object.keys(DailyRow.shape)
          .map((c) => rollUpColumn(c, group, query.groupBy))
          .join(', ')}
  FROM ${dataset}.email_performance_fact ${where}
  GROUP BY ${['event_on', ...group].join(', ')}) AS rolled_up`;
  const sql = `SELECT ${columns(DailyRow.shape, DATE_AS_TEXT)}
FROM ${source}
ORDER BY ${order}
${pageClause(page, params)}`;
  return { sql, params };
}

export function funnelStatement(dataset: string, filters: Filters, page: Page): Statement {
  const params: Record<string, string | number> = {};
  const select = Object.keys(FunnelRow.shape)
    .map((c) => (c === 'campaign_name' ? 'campaigns.campaign_name' : `funnel.${c}`))
    .join(', ');
  const sql = `SELECT ${select}
FROM ${dataset}.email_funnel_fact AS funnel
LEFT JOIN ${dataset}.campaign_fact_table AS campaigns ON campaigns.campaign_id = funnel.campaign_id
${whereOf(filterClauses(filters, params, 'campaigns.'))}
ORDER BY funnel.campaign_id
${pageClause(page, params)}`;
  return { sql, params };
}

export function unsubscribesStatement(
  dataset: string,
  query: { range: DateRange; messageType: number | undefined },
  page: Page,
): Statement {
  const params: Record<string, string | number> = {};
  const where = whereOf([
    ...rangeClauses('event_on', query.range, params),
    ...filterClauses({ message_type: query.messageType }, params),
  ]);
  const sql = `SELECT ${columns(UnsubscribeRow.shape, DATE_AS_TEXT)}
FROM ${dataset}.unsubscribe_fact
${where}
ORDER BY event_on, message_type_id NULLS LAST, unsub_source NULLS LAST
${pageClause(page, params)}`;
  return { sql, params };
}
