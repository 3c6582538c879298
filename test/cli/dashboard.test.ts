/**
 * The dashboard in a real browser (the Chromium that `@sparticuz/chromium` ships inside its npm
 * package, driven by playwright-core, so `npm ci` is the whole set-up): after a small run
 * of the pipeline, every chart draws data without console errors, the filters change the figures,
 * and the figures equal what SQL on the fact tables says.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { writeDashboard } from '../../cli/dashboard/write.js';
import { DAY } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { runModels } from '../../local/sql/models.js';
import { launchBrowser, openPage } from '../support/browser.js';
import { FROM, run, type Simulator, simulator, tempWarehouse } from '../support/pipeline.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const DAYS = 4;
const END = FROM + DAYS * DAY;

/** Each chart's series as `[name, data]`, read from ECharts itself: what it draws. */
const CHART_SERIES = `[...document.querySelectorAll('.chart')].map((element) => {
  const chart = globalThis.echarts.getInstanceByDom(element);
  const option = chart ? chart.getOption() : { series: [] };
  return {
    id: element.id,
    canvas: element.querySelector('canvas') !== null,
    series: option.series.map((s) => [s.name, s.data.map((d) => (typeof d === 'object' && d !== null ? d.value : d))]),
  };
})`;

interface ChartSeries {
  readonly id: string;
  readonly canvas: boolean;
  readonly series: [string, (number | null)[]][];
}

const number = (text: string | null): number => Number((text ?? '').replace(/[,%]/g, ''));

describe('the dashboard’s page script', () => {
  it('type-checks as strict TypeScript against the DOM', async () => {
    // Outside the Node program's tsconfig, which has no DOM; a type error fails with tsc's output.
    await promisify(execFile)(join('node_modules', '.bin', 'tsc'), [
      '-p',
      join('cli', 'dashboard', 'client'),
    ]);
  });
});

describe('the dashboard in Chromium', () => {
  let sim: Simulator;
  let browser: Browser;
  let page: Page;
  let warehouse: DuckDbWarehouse;
  let file = '';
  let errors: string[] = [];
  const sql = async (query: string): Promise<number> => {
    const [row] = await warehouse.query<{ n: number }>(query);
    return Number(row?.n);
  };

  before(async () => {
    sim = await simulator({ days: DAYS, events: 4000 });
    file = tempWarehouse();
    await run(sim, file, { from: FROM, to: END });
    warehouse = await DuckDbWarehouse.open(file);
    await runModels(warehouse, { now: END });
    const html = await writeDashboard({ warehouseFile: file, datasets: warehouse.datasets, now: END });
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser, `file://${html}`));
  });

  after(async () => {
    await browser?.close();
    await warehouse?.close();
    await sim?.close();
  });

  it('draws every chart with data, and logs no errors', async () => {
    const charts = await page.evaluate<ChartSeries[]>(CHART_SERIES);
    assert.deepEqual(
      charts.map((c) => c.id),
      [
        'chart-daily',
        'chart-anomalies',
        'chart-funnel',
        'chart-opens',
        'chart-unsub-source',
        'chart-unsub-type',
        'chart-segments',
      ],
    );
    for (const chart of charts) {
      assert.ok(chart.canvas, `${chart.id} has a canvas`);
      // Four days have no anomaly to chart: dashboard-insights.test.ts draws that one with some.
      if (chart.id === 'chart-anomalies') continue;
      const values = chart.series.flatMap(([, data]) => data);
      assert.ok(
        values.some((v) => typeof v === 'number' && v > 0),
        `${chart.id} shows data: ${JSON.stringify(chart.series)}`,
      );
    }
    assert.ok((await page.locator('#health-table tbody tr').count()) > 0, 'the health table has rows');
    assert.deepEqual(errors, []);
  });

  it('draws no rate above 100%, labels counts with separators, and names the warehouse by its file', async () => {
    const charts = await page.evaluate<ChartSeries[]>(CHART_SERIES);
    const rates = charts.flatMap((c) => c.series.filter(([name]) => /rate/i.test(name)));
    assert.ok(rates.length > 0, 'the daily chart has rate lines');
    for (const [name, data] of rates) {
      for (const v of data) assert.ok(v === null || (v >= 0 && v <= 1), `${name}: ${v} is a share`);
    }
    const label = await page.evaluate<string>(`(() => {
      const chart = globalThis.echarts.getInstanceByDom(document.getElementById('chart-funnel'));
      return chart.getOption().series[0].label.formatter({ name: 'Sent', value: 1234567 });
    })()`);
    assert.equal(label, 'Sent: 1,234,567');
    const generated = (await page.textContent('#generated')) ?? '';
    assert.ok(generated.endsWith(` from ${basename(file)}`), generated);
    assert.ok(!generated.includes('/tmp'), 'no absolute path in the header');
    assert.match((await page.textContent('#campaign-table thead')) ?? '', /Open rate \(lifetime\)/);
    assert.match((await page.textContent('.kpis')) ?? '', /Open rate \(daily uniques\)/);
  });

  it('shows the fact tables’ figures', async () => {
    const sends = await sql('SELECT SUM(count_sends) AS n FROM iterable_analytics.email_performance_fact');
    assert.equal(number(await page.textContent('#kpi-count_sends')), sends);
    const charts = await page.evaluate<ChartSeries[]>(CHART_SERIES);
    const funnel = charts.find((c) => c.id === 'chart-funnel')?.series[0]?.[1];
    const stages = ['sent', 'delivered', 'opened', 'clicked', 'converted'];
    const expected = [];
    for (const stage of stages) {
      expected.push(
        await sql(`SELECT SUM(count_recipients_${stage}) AS n FROM iterable_analytics.email_funnel_fact`),
      );
    }
    assert.deepEqual(funnel, expected);
    const [top] = await warehouse.query<{ open_rate: number; campaign_id: number }>(
      'SELECT campaign_id, open_rate FROM iterable_analytics.campaign_fact_table ORDER BY count_sends DESC, campaign_id LIMIT 1',
    );
    const firstRow = page.locator('#campaign-table tbody tr').first();
    assert.equal(await firstRow.getAttribute('data-campaign-id'), String(top?.campaign_id));
    assert.equal(
      await firstRow.locator('td[data-key="open_rate"]').textContent(),
      `${((top?.open_rate ?? 0) * 100).toFixed(1)}%`,
    );
    const emailSend = page.locator('#health-table tbody tr').first();
    assert.equal(
      number(await emailSend.locator('td[data-key="rows"]').textContent()),
      await sql('SELECT COUNT(*) AS n FROM iterable_raw.email_send_raw'),
    );
  });

  it('sorts the campaign table by the header clicked', async () => {
    await page.click('#campaign-table th[data-key="open_rate"]');
    const rates = (await page.locator('#campaign-table td[data-key="open_rate"]').allTextContents())
      .filter((t) => t !== '–')
      .map(number);
    assert.deepEqual(
      rates,
      [...rates].sort((a, b) => b - a),
    );
  });

  it('changes the figures with the campaign and date filters, to the fact tables’ figures', async () => {
    const all = number(await page.textContent('#kpi-count_sends'));
    const [campaign] = await warehouse.query<{ campaign_id: number; event_on: string }>(
      `SELECT campaign_id, CAST(MIN(event_on) AS VARCHAR) AS event_on FROM iterable_analytics.email_performance_fact
       GROUP BY campaign_id ORDER BY SUM(count_sends) DESC, campaign_id LIMIT 1`,
    );
    assert.ok(campaign);
    await page.selectOption('#filter-campaign', String(campaign.campaign_id));
    const sends = number(await page.textContent('#kpi-count_sends'));
    assert.notEqual(sends, all);
    assert.equal(
      sends,
      await sql(
        `SELECT SUM(count_sends) AS n FROM iterable_analytics.email_performance_fact WHERE campaign_id = ${campaign.campaign_id}`,
      ),
    );
    assert.equal(await page.locator('#campaign-table tbody tr').count(), 1);
    const charts = await page.evaluate<ChartSeries[]>(CHART_SERIES);
    assert.equal(
      charts.find((c) => c.id === 'chart-funnel')?.series[0]?.[1][0],
      await sql(
        `SELECT count_recipients_sent AS n FROM iterable_analytics.email_funnel_fact WHERE campaign_id = ${campaign.campaign_id}`,
      ),
    );

    await page.fill('#filter-from', campaign.event_on);
    await page.dispatchEvent('#filter-from', 'change');
    await page.fill('#filter-to', campaign.event_on);
    await page.dispatchEvent('#filter-to', 'change');
    assert.equal(
      number(await page.textContent('#kpi-count_sends')),
      await sql(
        `SELECT SUM(count_sends) AS n FROM iterable_analytics.email_performance_fact
         WHERE campaign_id = ${campaign.campaign_id} AND event_on = DATE '${campaign.event_on}'`,
      ),
    );
    const daily = (await page.evaluate<ChartSeries[]>(CHART_SERIES)).find((c) => c.id === 'chart-daily');
    assert.equal(daily?.series[0]?.[1].length, 1, 'one day on the axis');

    await page.click('#filter-reset');
    assert.equal(number(await page.textContent('#kpi-count_sends')), all);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });

  it('marks the current, partial day and leaves it out of the rates', async () => {
    const lastDay = END - DAY;
    const html = await writeDashboard({
      warehouseFile: file,
      datasets: warehouse.datasets,
      now: lastDay + DAY / 2,
    });
    await page.goto(`file://${html}`);
    const daily = (await page.evaluate<ChartSeries[]>(CHART_SERIES)).find((c) => c.id === 'chart-daily');
    const rates = daily?.series.filter(([name]) => /rate/i.test(name)) ?? [];
    assert.equal(rates.length, 2);
    for (const [name, data] of rates) {
      assert.equal(data.at(-1), null, `${name} leaves the partial day out`);
      assert.ok(typeof data.at(-2) === 'number', `${name} has the day before`);
    }
    const marked = await page.evaluate<string | undefined>(`(() => {
      const chart = globalThis.echarts.getInstanceByDom(document.getElementById('chart-daily'));
      return chart.getOption().series[0].markArea?.data?.[0]?.[0]?.name;
    })()`);
    assert.equal(marked, 'partial day');
    assert.deepEqual(errors, []);
  });
});
