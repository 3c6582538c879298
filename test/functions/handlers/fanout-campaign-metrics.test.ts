/**
 * The scheduled fan-out also enqueues the campaign metrics tasks, through the Functions
 * Framework, with the campaigns from BigQuery (the client against a recording server); a failure
 * there is a WARNING and the windows are planned all the same.
 */
import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { BigQuery } from '@google-cloud/bigquery';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { PassThroughClient } from 'google-auth-library';
import { BigQueryCampaignMetrics } from '../../../functions/src/gcp/bigquery-campaign-metrics.js';
import type { LogEntry } from '../../../functions/src/log.js';
import type { CampaignMetricsTask } from '../../../functions/src/pipeline/campaign-metrics-task.js';
import { FUNCTION_NAMES, registerFanout } from '../../../functions/src/register.js';
import { DAY } from '../../../functions/src/time.js';
import { JsonFileStateStore } from '../../../local/json-state-store.js';
import { FROM, RecordingQueue, tempWarehouse } from '../../support/pipeline.js';
import { campaignPlanAnswer } from '../gcp/campaign-plan-answer.js';
import { type RecordedRequest, type RecordingServer, startRecordingServer } from '../gcp/recording-server.js';

const PROJECT = 'test-project';

describe('the fan-out with campaign metrics', () => {
  let bq: RecordingServer;
  let state: JsonFileStateStore;
  let server: Server;
  let url = '';
  let bigQueryFails = false;
  const windows = new RecordingQueue();
  const metrics = new RecordingQueue<CampaignMetricsTask>();
  const logs: LogEntry[] = [];

  const handler = (request: RecordedRequest) => {
    if (bigQueryFails) return { status: 500, body: { error: { code: 500, message: 'backend error' } } };
    assert.ok(request.path.endsWith('/queries'), request.path);
    return campaignPlanAnswer(PROJECT, FROM, [42]);
  };

  before(async () => {
    bq = await startRecordingServer(handler);
    state = await JsonFileStateStore.open(`${tempWarehouse()}.state.json`);
    await state.update('email_send', (s) => ({ state: { ...s, watermark: FROM + DAY }, result: null }));
    const log = (entry: LogEntry) => logs.push(entry);
    const settings = {
      streams: ['email_send' as const],
      windowMinutes: 6 * 60,
      lagMs: 0,
      lookbackMs: 3600_000,
      historyMs: 30 * DAY,
      staleAfterMs: 3600_000,
      failedRetryDelayMs: 0,
      settleMs: 0,
    };
    registerFanout({ state, queue: windows, now: () => FROM + DAY + 6 * 3600_000, log }, settings, {
      state,
      campaigns: new BigQueryCampaignMetrics(
        new BigQuery({ projectId: PROJECT, apiEndpoint: bq.url, authClient: new PassThroughClient() }),
        { rawDataset: 'iterable_raw', location: 'EU', transactionRetry: { attempts: 1, firstDelayMs: 1 } },
      ),
      queue: metrics,
      log,
    });
    server = getTestServer(FUNCTION_NAMES.fanout);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  beforeEach(() => {
    windows.tasks.length = 0;
    metrics.tasks.length = 0;
    bq.requests.length = 0;
    logs.length = 0;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await bq.close();
    await state.close();
  });

  const post = (body?: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('plans the windows all the same when BigQuery fails, with a WARNING (the first run: every window is new)', async () => {
    bigQueryFails = true;
    try {
      assert.equal((await post()).status, 200);
    } finally {
      bigQueryFails = false;
    }
    assert.equal(metrics.tasks.length, 0);
    assert.ok(windows.tasks.length > 0);
    assert.ok(logs.some((l) => l.severity === 'WARNING' && /campaign metrics not enqueued/.test(l.message)));
  });

  it('enqueues the campaigns’ totals over the loaded range on a scheduled run', async () => {
    assert.equal((await post()).status, 200);
    assert.deepEqual(
      metrics.tasks.map((t) => t.payload),
      [{ campaignIds: [42], start: new Date(FROM).toISOString(), end: new Date(FROM + DAY).toISOString() }],
    );
  });

  it('asks nothing for a range or backfill request', async () => {
    const from = new Date(FROM).toISOString();
    assert.equal((await post({ from, to: new Date(FROM + DAY).toISOString() })).status, 200);
    assert.equal(bq.requests.length, 0);
    assert.equal(metrics.tasks.length, 0);
  });
});
