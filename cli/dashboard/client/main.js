// @ts-check
/**
 * The dashboard page's script: reads the embedded fact rows, wires the date-range and campaign
 * filters, and redraws every chart and table from the rows the filters keep. Nothing is fetched:
 * the page works offline, from the file alone.
 * @typedef {import('../model.js').DashboardData} DashboardData
 * @typedef {import('./aggregate.js').Filter} Filter
 */
import { campaignsInRange, dailyRows, kpis } from './aggregate.js';
import {
  dailyChart,
  draw,
  funnelChart,
  opensChart,
  resizeAll,
  segmentChart,
  unsubscribeChart,
} from './charts.js';
import { count, instant, money, percent } from './format.js';
import {
  ANOMALY_COLUMNS,
  anomaliesIn,
  anomalyChart,
  pairOf,
  SEND_HOUR_COLUMNS,
  withAnomalyDays,
} from './insights.js';
import { startLivePanel } from './live-panel.js';
import { CAMPAIGN_COLUMNS, fillTable, healthColumns, sortRows, USER_COLUMNS } from './tables.js';

/** @param {string} id */
function byId(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}; the template and the script are out of step`);
  return e;
}

const data = /** @type {DashboardData} */ (JSON.parse(byId('dashboard-data').textContent ?? '{}'));
const days = data.daily.map((r) => r.event_on).sort();
const first = days[0] ?? new Date(data.generatedAt).toISOString().slice(0, 10);
const last = days[days.length - 1] ?? first;

const fromInput = /** @type {HTMLInputElement} */ (byId('filter-from'));
const toInput = /** @type {HTMLInputElement} */ (byId('filter-to'));
const campaignSelect = /** @type {HTMLSelectElement} */ (byId('filter-campaign'));
let sorted = { key: 'count_sends', descending: true };
/** The series · metric the anomaly chart shows: the latest anomaly's until a row is clicked. */
let anomalyPair = /** @type {string | null} */ (null);

/** @returns {Filter} */
function currentFilter() {
  // Dates compare as text (YYYY-MM-DD); bounds given the wrong way round still mean that range.
  const [from = first, to = last] = [fromInput.value || first, toInput.value || last].sort();
  return {
    from,
    to,
    campaign: campaignSelect.value === '' ? null : Number(campaignSelect.value),
  };
}

const KPI_TEXT = {
  count_sends: count,
  count_delivered: count,
  count_unique_opens: count,
  count_unique_clicks: count,
  open_rate: percent,
  click_rate: percent,
  count_unique_unsubscribes: count,
  revenue: money,
};

/** @param {Filter} filter */
function renderKpis(filter) {
  const figures = kpis(dailyRows(data, filter));
  for (const [key, text] of Object.entries(KPI_TEXT)) {
    byId(`kpi-${key}`).textContent = text(figures[/** @type {keyof typeof KPI_TEXT} */ (key)]);
  }
}

/** @param {Filter} filter */
function renderCampaigns(filter) {
  const column = CAMPAIGN_COLUMNS.find((c) => c.key === sorted.key) ?? CAMPAIGN_COLUMNS[0];
  if (!column) return;
  const rows = sortRows(campaignsInRange(data, filter), column, sorted.descending);
  fillTable(
    /** @type {HTMLTableElement} */ (byId('campaign-table')),
    CAMPAIGN_COLUMNS,
    rows,
    sorted,
    (row, tr) => {
      tr.dataset.campaignId = String(row.campaign_id);
      tr.title = 'Show this campaign only';
      tr.addEventListener('click', () => {
        campaignSelect.value = String(row.campaign_id);
        render();
      });
    },
  );
}

/** @param {Filter} filter */
function renderAnomalies(filter) {
  const anomalies = anomaliesIn(data, filter);
  const first = anomalies[0];
  if (!anomalies.some((a) => pairOf(a) === anomalyPair)) anomalyPair = first ? pairOf(first) : null;
  byId('anomaly-scope').textContent = anomalyPair ?? 'no anomaly in the dates chosen';
  fillTable(
    /** @type {HTMLTableElement} */ (byId('anomaly-table')),
    ANOMALY_COLUMNS,
    anomalies,
    null,
    (row, tr) => {
      tr.dataset.severity = row.severity;
      tr.title = 'Chart this series and metric';
      tr.addEventListener('click', () => {
        anomalyPair = pairOf(row);
        render();
      });
    },
  );
  draw('chart-anomalies', anomalyChart(data, filter, anomalyPair));
}

function render() {
  const filter = currentFilter();
  const campaign = data.campaigns.find((c) => c.campaign_id === filter.campaign);
  byId('funnel-scope').textContent = campaign
    ? (campaign.campaign_name ?? `#${campaign.campaign_id}`)
    : 'all campaigns';
  renderKpis(filter);
  renderCampaigns(filter);
  draw('chart-daily', withAnomalyDays(dailyChart(data, filter), data, filter));
  renderAnomalies(filter);
  draw('chart-funnel', funnelChart(data, filter));
  draw('chart-unsub-source', unsubscribeChart(data, filter, 'unsub_source'));
  draw('chart-unsub-type', unsubscribeChart(data, filter, 'message_type_name'));
  draw('chart-opens', opensChart(data, filter));
}

function setUp() {
  for (const input of [fromInput, toInput]) {
    input.min = first;
    input.max = last;
  }
  fromInput.value = first;
  toInput.value = last;
  const campaigns = [...data.campaigns].sort((a, b) =>
    (a.campaign_name ?? '').localeCompare(b.campaign_name ?? ''),
  );
  for (const c of campaigns) {
    const option = document.createElement('option');
    option.value = String(c.campaign_id);
    option.textContent = `${c.campaign_name ?? '(unnamed)'} (#${c.campaign_id})`;
    campaignSelect.append(option);
  }
  for (const control of [fromInput, toInput, campaignSelect]) control.addEventListener('change', render);
  byId('filter-reset').addEventListener('click', () => {
    fromInput.value = first;
    toInput.value = last;
    campaignSelect.value = '';
    render();
  });
  byId('campaign-table').addEventListener('click', (event) => {
    const key = event.target instanceof HTMLElement ? event.target.closest('th')?.dataset.key : undefined;
    if (!key) return;
    sorted = { key, descending: sorted.key === key ? !sorted.descending : true };
    render();
  });
  byId('generated').textContent = `${instant(data.generatedAt)} from ${data.warehouse}`;
  fillTable(/** @type {HTMLTableElement} */ (byId('user-table')), USER_COLUMNS, data.engagedUsers);
  fillTable(
    /** @type {HTMLTableElement} */ (byId('health-table')),
    // "Ago" and lag count to when the page is viewed, not to when it was written.
    healthColumns(Date.now()),
    data.health.streams,
  );
  byId('health-note').textContent = data.health.note ?? '';
  fillTable(
    /** @type {HTMLTableElement} */ (byId('send-hour-table')),
    SEND_HOUR_COLUMNS,
    data.insights.sendHours,
  );
  draw('chart-segments', segmentChart(data));
  window.addEventListener('resize', resizeAll);
  render();
  startLivePanel(/** @type {HTMLTableElement} */ (byId('live-table')), byId('live-status'));
}

setUp();
