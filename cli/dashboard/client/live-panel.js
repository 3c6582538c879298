// @ts-check
/**
 * The live panel: today's figures per campaign and hour, pushed by `npm run dashboard -- --live`
 * as server-sent events (cli/dashboard/live-feed.ts) and redrawn in place, without a reload.
 * A page opened as a file, or served without --live, says how to get the live figures instead.
 * Written with textContent only, like every table of the page.
 * @typedef {import('../live-snapshot.js').LiveRow} LiveRow
 * @typedef {import('../live-snapshot.js').LiveSnapshot} LiveSnapshot
 */
import { count, instant } from './format.js';

/** @type {{ label: string, text: (row: LiveRow) => string }[]} */
const COLUMNS = [
  { label: 'Hour (UTC)', text: (r) => `${String(r.event_hour).padStart(2, '0')}:00` },
  { label: 'Campaign', text: (r) => `#${r.campaign_id}` },
  { label: 'Sends', text: (r) => count(r.count_sends) },
  { label: 'Opens', text: (r) => count(r.count_opens) },
  { label: 'Clicks', text: (r) => count(r.count_clicks) },
  { label: 'Bounces', text: (r) => count(r.count_bounces) },
  { label: 'Unsubscribes', text: (r) => count(r.count_unsubscribes) },
  { label: 'Purchases', text: (r) => count(r.count_purchases) },
  { label: 'From webhooks', text: (r) => count(r.count_live_events) },
  { label: 'Last event', text: (r) => instant(r.last_event_ms) },
];

const OFF =
  'Live figures come from the dashboard server: run `npm run dashboard -- --live` (with WEBHOOK_AUTHORIZATION set) and open the page it serves.';

/**
 * @param {HTMLTableElement} table
 * @param {readonly LiveRow[]} rows
 */
function fillLiveTable(table, rows) {
  const head = document.createElement('tr');
  for (const column of COLUMNS) {
    const th = document.createElement('th');
    th.textContent = column.label;
    head.append(th);
  }
  const body = document.createElement('tbody');
  for (const row of rows) {
    const tr = document.createElement('tr');
    tr.dataset.campaign = String(row.campaign_id);
    tr.dataset.hour = String(row.event_hour);
    for (const column of COLUMNS) {
      const td = document.createElement('td');
      td.textContent = column.text(row);
      tr.append(td);
    }
    body.append(tr);
  }
  const thead = document.createElement('thead');
  thead.append(head);
  table.replaceChildren(thead, body);
}

/**
 * @param {HTMLTableElement} table
 * @param {HTMLElement} status
 */
export function startLivePanel(table, status) {
  if (location.protocol !== 'http:') {
    status.textContent = OFF;
    return;
  }
  const source = new EventSource('live');
  source.addEventListener('message', (message) => {
    const snapshot = /** @type {LiveSnapshot} */ (JSON.parse(message.data));
    if ('error' in snapshot) {
      status.textContent = snapshot.error;
      return;
    }
    fillLiveTable(table, snapshot.rows);
    const events = snapshot.rows.reduce((n, r) => n + r.count_sends + r.count_opens + r.count_clicks, 0);
    status.textContent = `${snapshot.today} (UTC): ${count(events)} sends, opens and clicks so far; updated ${instant(Date.now())}`;
  });
  source.addEventListener('error', () => {
    // CLOSED: the server answered 204 (no --live) or something else than an event stream.
    status.textContent = source.readyState === EventSource.CLOSED ? OFF : 'Reconnecting to the live feed…';
  });
}
