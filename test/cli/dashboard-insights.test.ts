/**
 * The dashboard's anomalies and send-hour panels in Chromium (as dashboard.test.ts runs it): with
 * metric_anomalies rows of known content on series the build charted, the page lists exactly those
 * rows, marks their days on the daily chart, pins them on the chart of their series and metric
 * (whose line is metric_daily_series'), follows a click on a row and the campaign filter, and
 * shows send_hour_recommendation as SQL holds it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { writeDashboard } from '../../cli/dashboard/write.js';
import { DAY } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { runModels } from '../../local/sql/models.js';
import { DEFAULT_DATASETS } from '../../sql/datasets.js';
import { launchBrowser, openPage } from '../support/browser.js';
import { FROM, run, type Simulator, simulator, tempWarehouse } from '../support/pipeline.js';

const DAYS = 5;
const END = FROM + DAYS * DAY;

interface SeriesDay {
  readonly metric_on: string;
  readonly series: string;
  readonly metric: string;
  readonly value: number;
}

/** A chart's first series as ECharts holds it: name, values, pinned points, marked days. */
const chartOf = (id: string) => `(() => {
  const option = globalThis.echarts.getInstanceByDom(document.getElementById('${id}')).getOption();
  const s = option.series[0];
  return {
    name: s.name,
    data: s.data.map((d) => (typeof d === 'object' && d !== null ? d.value : d)),
    pins: ((s.markPoint && s.markPoint.data) || []).map((p) => p.coord),
    days: ((s.markLine && s.markLine.data) || []).map((l) => l.xAxis),
  };
})()`;

interface Chart {
  readonly name: string;
  readonly data: (number | null)[];
  readonly pins: [string, number][];
  readonly days: string[];
}

describe('anomalies and best send hours on the dashboard', () => {
  let sim: Simulator;
  let browser: Browser;
  let page: Page;
  let sends: SeriesDay[] = [];
  let bounces: SeriesDay[] = [];
  let sendHours: Record<string, unknown>[] = [];
  let errors: string[] = [];

  before(async () => {
    sim = await simulator({ days: DAYS, events: 6000 });
    const file = tempWarehouse();
    await run(sim, file, { from: FROM, to: END });
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      await runModels(warehouse, { now: END });
      const days = await warehouse.query<SeriesDay>(
        `SELECT CAST(metric_on AS VARCHAR) AS metric_on, series, metric, value
         FROM iterable_analytics.metric_daily_series ORDER BY series, metric, metric_on`,
      );
      const busiest = (prefix: string, metric: string) => {
        const rows = days.filter((d) => d.series.startsWith(prefix) && d.metric === metric);
        const series = rows.find((d) => rows.filter((r) => r.series === d.series).length >= 2)?.series;
        return rows.filter((d) => d.series === series);
      };
      sends = busiest('message_type:', 'count_sends');
      bounces = busiest('campaign:', 'bounce_rate');
      assert.ok(sends.length >= 2 && bounces.length >= 2, 'series with at least two days to mark');
      const [sendsDay, bounceDay] = [sends.at(-1), bounces[0]] as [SeriesDay, SeriesDay];
      // The build's own anomalies (a guardrail or two) make way for known ones.
      await warehouse.query('DELETE FROM iterable_analytics.metric_anomalies');
      await warehouse.query(
        `INSERT INTO iterable_analytics.metric_anomalies VALUES
          (DATE '${sendsDay.metric_on}', '${sendsDay.series}', 'count_sends', ${sendsDay.value}, ${sendsDay.value * 3},
           ${sendsDay.value * 2}, ${sendsDay.value * 4}, -8, 'down', 'critical', 'statistical', TIMESTAMPTZ '2026-10-06 00:45:00'),
          (DATE '${bounceDay.metric_on}', '${bounceDay.series}', 'bounce_rate', ${bounceDay.value}, 0.05,
           NULL, 0.05, 1.2, 'up', 'warning', 'guardrail', TIMESTAMPTZ '2026-10-06 00:45:00')`,
      );
      sendHours = await warehouse.query(
        `SELECT message_type_name, engagement_segment, best_send_hour, sample_size, confidence
         FROM iterable_analytics.send_hour_recommendation ORDER BY message_type_name, engagement_segment`,
      );
    } finally {
      await warehouse.close();
    }
    const html = await writeDashboard({ warehouseFile: file, datasets: DEFAULT_DATASETS, now: END });
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser, `file://${html}`));
  });

  after(async () => {
    await browser?.close();
    await sim?.close();
  });

  const cells = async (table: string, key: string) =>
    page.locator(`#${table} tbody td[data-key="${key}"]`).allTextContents();

  it('lists the anomalies newest first, with value against expected, direction, severity and kind', async () => {
    const [s, b] = [sends.at(-1), bounces[0]] as [SeriesDay, SeriesDay];
    assert.deepEqual(await cells('anomaly-table', 'anomaly_on'), [s.metric_on, b.metric_on].sort().reverse());
    const newestFirst = s.metric_on >= b.metric_on ? [s, b] : [b, s];
    assert.deepEqual(
      await cells('anomaly-table', 'series'),
      newestFirst.map((d) => d.series),
    );
    const byMetric = Object.fromEntries(
      await Promise.all(
        ['metric', 'value', 'expected', 'direction', 'severity', 'kind'].map(async (k) => [
          k,
          await cells('anomaly-table', k),
        ]),
      ),
    );
    const row = (metric: string) => {
      const i = (byMetric.metric as string[]).indexOf(metric);
      return Object.fromEntries(Object.entries(byMetric).map(([k, v]) => [k, (v as string[])[i]]));
    };
    assert.deepEqual(row('count_sends'), {
      metric: 'count_sends',
      value: Math.round(s.value).toLocaleString('en-US'),
      expected: Math.round(s.value * 3).toLocaleString('en-US'),
      direction: 'down',
      severity: 'critical',
      kind: 'statistical',
    });
    assert.deepEqual(row('bounce_rate'), {
      metric: 'bounce_rate',
      value: `${(b.value * 100).toFixed(1)}%`,
      expected: '5.0% (ceiling)',
      direction: 'up',
      severity: 'warning',
      kind: 'guardrail',
    });
    assert.deepEqual(errors, []);
  });

  it('marks each anomaly day on the daily chart', async () => {
    const daily = await page.evaluate<Chart>(chartOf('chart-daily'));
    assert.deepEqual(daily.days, [...new Set([sends.at(-1)?.metric_on, bounces[0]?.metric_on])].sort());
  });

  it('charts the latest anomaly’s series and metric with it pinned, and another on a click', async () => {
    const latest = (sends.at(-1)?.metric_on ?? '') >= (bounces[0]?.metric_on ?? '') ? sends : bounces;
    const other = latest === sends ? bounces : sends;
    const pinned = (rows: SeriesDay[]) => (rows === sends ? rows.at(-1) : rows[0]) as SeriesDay;
    const check = async (rows: SeriesDay[]) => {
      const chart = await page.evaluate<Chart>(chartOf('chart-anomalies'));
      assert.equal(chart.name, `${rows[0]?.series} · ${rows[0]?.metric}`);
      for (const d of rows) assert.ok(chart.data.includes(d.value), `${d.metric_on} drawn`);
      assert.deepEqual(chart.pins, [[pinned(rows).metric_on, pinned(rows).value]]);
    };
    await check(latest);
    await page.locator('#anomaly-table tbody tr', { hasText: other[0]?.series ?? '' }).click();
    await check(other);
  });

  it('shows a campaign’s own anomalies when the campaign is chosen', async () => {
    const campaign = (bounces[0]?.series ?? '').replace('campaign:', '');
    await page.selectOption('#filter-campaign', campaign);
    assert.deepEqual(await cells('anomaly-table', 'series'), [`campaign:${campaign}`]);
    await page.click('#filter-reset');
  });

  it('shows the best send hours as send_hour_recommendation holds them', async () => {
    assert.ok(sendHours.length > 0, 'the simulated sends give a recommendation');
    assert.deepEqual(
      await cells('send-hour-table', 'message_type_name'),
      sendHours.map((r) => r.message_type_name),
    );
    assert.deepEqual(
      await cells('send-hour-table', 'best_send_hour'),
      sendHours.map((r) => `${String(r.best_send_hour).padStart(2, '0')}:00`),
    );
    assert.deepEqual(
      await cells('send-hour-table', 'sample_size'),
      sendHours.map((r) => Number(r.sample_size).toLocaleString('en-US')),
    );
    assert.deepEqual(
      await cells('send-hour-table', 'confidence'),
      sendHours.map((r) => r.confidence),
    );
  });
});
