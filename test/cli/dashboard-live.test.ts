/**
 * The dashboard's live panel in a real browser (the packaged Chromium, as test/cli/dashboard.test.ts
 * uses): a webhook posted to the collector shows up in the panel of a page that is already open,
 * without a reload, with the figures `live_campaign_today` gives; a page served without the
 * collector says how to get live figures.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type DashboardServer, serveDashboard } from '../../cli/dashboard/dashboard-server.js';
import { writeDashboard } from '../../cli/dashboard/write.js';
import { type LiveRuntime, startLive } from '../../local/live/live-runtime.js';
import { runModels } from '../../local/sql/models.js';
import { post, webhookBody } from '../local/live/webhooks.js';
import { launchBrowser } from '../support/browser.js';
import { tempWarehouse } from '../support/pipeline.js';

const SECRET = 'Bearer dashboard-live-secret';
/** A campaign no other event has, so its row appears only once the webhook is in. */
const CAMPAIGN = 424_242;

describe('the dashboard’s live panel in Chromium', () => {
  let live: LiveRuntime;
  let dashboard: DashboardServer;
  let idle: DashboardServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const file = tempWarehouse();
    live = await startLive({ warehouseFile: file, port: 0, authorization: SECRET, log: () => {} });
    await runModels(live.warehouse);
    const html = await writeDashboard({
      warehouseFile: file,
      datasets: live.warehouse.datasets,
      now: Date.now(),
    });
    dashboard = await serveDashboard({ file: html, port: 0, live: live.warehouse });
    idle = await serveDashboard({ file: html, port: 0 });
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await dashboard?.close();
    await idle?.close();
    await live?.stop();
  });

  it('shows a webhook posted after the page opened, without a reload, as the view counts it', async () => {
    await page.goto(dashboard.url);
    // The first snapshot is in once the status names today's date.
    await page.waitForFunction(`document.getElementById('live-status').textContent.includes('(UTC)')`);
    assert.equal(await page.locator(`#live-table tr[data-campaign="${CAMPAIGN}"]`).count(), 0);
    // A reload would drop this mark.
    await page.evaluate('window.notReloaded = true');

    const body = webhookBody({
      eventName: 'emailSend',
      email: 'live-panel@example.com',
      createdAt: Date.now(),
      fields: { campaignId: CAMPAIGN, templateId: 7, messageId: 'live-panel-1' },
    });
    assert.equal((await post(live.url, body, { authorization: SECRET })).status, 200);

    const row = page.locator(`#live-table tr[data-campaign="${CAMPAIGN}"]`);
    await row.waitFor();
    assert.equal(await page.evaluate('window.notReloaded'), true);
    const cells = await row.locator('td').allTextContents();
    const [expected] = await live.warehouse.query<{ hour: number; sends: number; live: number }>(
      `SELECT event_hour AS hour, count_sends AS sends, count_live_events AS live
       FROM iterable_analytics.live_campaign_today WHERE campaign_id = $campaign`,
      { campaign: CAMPAIGN },
    );
    assert.ok(expected, 'the view has the campaign');
    assert.deepEqual(
      [cells[0], cells[1], cells[2], cells[8]],
      [
        `${String(expected.hour).padStart(2, '0')}:00`,
        `#${CAMPAIGN}`,
        String(expected.sends),
        String(expected.live),
      ],
    );
    assert.equal(expected.sends, 1);
  });

  it('says how to get live figures when served without the collector', async () => {
    await page.goto(idle.url);
    await page.waitForFunction(`document.getElementById('live-status').textContent.includes('--live')`);
    assert.equal(await page.locator('#live-table tr').count(), 0);
  });
});
