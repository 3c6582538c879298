// @ts-check
/**
 * The tables and figures of the page, written with textContent only: campaign names and user keys
 * come from Iterable and must never be read as HTML.
 * @typedef {import('../model.js').CampaignRow} CampaignRow
 * @typedef {import('../model.js').DashboardData} DashboardData
 */
import { duration } from '../../status-report.js';
import { count, instant, money, percent } from './format.js';

/**
 * @template T
 * @typedef {{ key: string, label: string, text: (row: T) => string, sort?: (row: T) => number | string | null }} Column
 */

/** @type {Column<CampaignRow>[]} */
export const CAMPAIGN_COLUMNS = [
  {
    key: 'campaign_name',
    label: 'Campaign',
    text: (c) => c.campaign_name ?? `#${c.campaign_id}`,
    sort: (c) => c.campaign_name ?? '',
  },
  {
    key: 'message_type_name',
    label: 'Message type',
    text: (c) => c.message_type_name ?? '–',
    sort: (c) => c.message_type_name ?? '',
  },
  { key: 'count_sends', label: 'Sends', text: (c) => count(c.count_sends), sort: (c) => c.count_sends },
  {
    key: 'open_rate',
    label: 'Open rate (lifetime)',
    text: (c) => percent(c.open_rate),
    sort: (c) => c.open_rate,
  },
  {
    key: 'click_rate',
    label: 'Click rate (lifetime)',
    text: (c) => percent(c.click_rate),
    sort: (c) => c.click_rate,
  },
  {
    key: 'click_to_open_rate',
    label: 'Click-to-open',
    text: (c) => percent(c.click_to_open_rate),
    sort: (c) => c.click_to_open_rate,
  },
  {
    key: 'unsubscribe_rate',
    label: 'Unsubscribe rate',
    text: (c) => percent(c.unsubscribe_rate),
    sort: (c) => c.unsubscribe_rate,
  },
  {
    key: 'revenue',
    label: 'Revenue (purchase totals)',
    text: (c) => money(c.revenue),
    sort: (c) => c.revenue,
  },
];

/** @param {string} tag @param {string} text @param {Record<string, string>} [attributes] */
function element(tag, text, attributes = {}) {
  const e = document.createElement(tag);
  e.textContent = text;
  for (const [name, value] of Object.entries(attributes)) e.setAttribute(name, value);
  return e;
}

/**
 * Fills `table` with a header row and one row per item; `onRow` is called with each row's element.
 * @template T
 * @param {HTMLTableElement} table @param {Column<T>[]} columns @param {readonly T[]} rows
 * @param {{ key: string, descending: boolean } | null} [sorted]
 * @param {(row: T, tr: HTMLTableRowElement) => void} [onRow]
 */
export function fillTable(table, columns, rows, sorted = null, onRow = () => {}) {
  const head = document.createElement('tr');
  for (const c of columns) {
    const mark = sorted?.key === c.key ? (sorted.descending ? ' ▼' : ' ▲') : '';
    head.append(element('th', `${c.label}${mark}`, { 'data-key': c.key }));
  }
  const body = rows.map((row) => {
    const tr = document.createElement('tr');
    for (const c of columns) tr.append(element('td', c.text(row), { 'data-key': c.key }));
    onRow(row, tr);
    return tr;
  });
  table.replaceChildren(element('thead', ''), element('tbody', ''));
  table.tHead?.append(head);
  table.tBodies[0]?.append(...body);
}

/**
 * Rows sorted by one column, nulls last whichever the direction.
 * @template T
 * @param {readonly T[]} rows @param {Column<T>} column @param {boolean} descending
 */
export function sortRows(rows, column, descending) {
  const key = column.sort ?? column.text;
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const order = typeof x === 'string' || typeof y === 'string' ? String(x).localeCompare(String(y)) : x - y;
    return descending ? -order : order;
  });
}

/** @type {Column<import('../model.js').EngagedUserRow>[]} */
export const USER_COLUMNS = [
  { key: 'user_key', label: 'User', text: (u) => u.user_key },
  { key: 'count_clicks', label: 'Clicks', text: (u) => count(u.count_clicks) },
  { key: 'count_opens', label: 'Opens', text: (u) => count(u.count_opens) },
  { key: 'revenue', label: 'Revenue', text: (u) => money(u.revenue) },
  { key: 'engagement_segment', label: 'Segment', text: (u) => u.engagement_segment },
];

/** @param {number} now @returns {Column<import('../../status-model.js').StreamStatus>[]} */
export const healthColumns = (now) => [
  { key: 'stream', label: 'Stream', text: (s) => s.stream },
  { key: 'watermark', label: 'Watermark', text: (s) => instant(s.watermark) },
  {
    key: 'lag',
    label: 'Freshness (lag)',
    text: (s) => (s.watermark === null ? '–' : duration(Math.max(0, now - s.watermark))),
  },
  {
    key: 'last_run',
    label: 'Last run',
    text: (s) => (s.lastRunAt === null ? '–' : `${duration(now - s.lastRunAt)} ago`),
  },
  { key: 'failed', label: 'Windows failed', text: (s) => count(s.failed) },
  { key: 'rows', label: 'Rows', text: (s) => count(s.rows) },
  { key: 'rejects', label: 'Rows rejected', text: (s) => count(s.rejects) },
];
