/**
 * The worker's campaign metrics path through the Functions Framework: Iterable's totals from the
 * simulator over HTTP, written to BigQuery through the client against a recording server, in one
 * transaction that replaces the batch's rows.
 */
import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import { CAMPAIGN_METRICS_COLUMNS } from '../../../functions/src/campaign-metrics-table.js';
import { BigQueryCampaignMetrics } from '../../../functions/src/gcp/bigquery-campaign-metrics.js';
import { BigQueryWarehouse } from '../../../functions/src/gcp/bigquery-warehouse.js';
import { CampaignMetricsClient } from '../../../functions/src/iterable/campaign-metrics.js';
import { NO_PACING } from '../../../functions/src/iterable/pacer.js';
import type { LogEntry } from '../../../functions/src/log.js';
import { CAMPAIGN_METRICS_PATH } from '../../../functions/src/pipeline/campaign-metrics-task.js';
import { FUNCTION_NAMES, registerWorker } from '../../../functions/src/register.js';
import { DAY } from '../../../functions/src/time.js';
import { JsonFileStateStore } from '../../../local/json-state-store.js';
import { FROM, fastClient, type Simulator, simulator, tempWarehouse } from '../../support/pipeline.js';
import { quietTestServer } from '../../support/test-server.js';
import { bigQueryApi } from '../gcp/bigquery-api.js';
import { localStorage } from '../gcp/local-storage.js';
import { type RecordingServer, startRecordingServer } from '../gcp/recording-server.js';

const PROJECT = 'test-project';
const RANGE = { start: FROM, end: FROM + 2 * DAY };

interface QueryParameter {
  readonly name: string;
  readonly parameterValue: { readonly value?: string; readonly arrayValues?: { value: string }[] };
}

describe('the worker’s campaign metrics tasks', () => {
  let sim: Simulator;
  let bq: RecordingServer;
  let state: JsonFileStateStore;
  let server: Server;
  let base = '';
  const logs: LogEntry[] = [];

  before(async () => {
    sim = await simulator({ days: 2, events: 2000 });
    bq = await startRecordingServer(bigQueryApi().handler);
    const bigquery = new BigQuery({
      projectId: PROJECT,
      apiEndpoint: bq.url,
      authClient: new PassThroughClient(),
    });
    state = await JsonFileStateStore.open(`${tempWarehouse()}.state.json`);
    const log = (entry: LogEntry) => logs.push(entry);
    registerWorker(
      {
        iterable: fastClient(sim),
        // No window is loaded here, so its staging bucket is never written.
        warehouse: new BigQueryWarehouse(bigquery, localStorage(bq.url).bucket('load-staging'), {
          rawDataset: 'iterable_raw',
          location: 'EU',
        }),
        state,
        now: Date.now,
        log,
      },
      { leaseMs: 60_000 },
      {
        metrics: new CampaignMetricsClient({ baseUrl: sim.url, apiKey: 'test-key', pacer: NO_PACING }),
        store: new BigQueryCampaignMetrics(bigquery, { rawDataset: 'iterable_raw', location: 'EU' }),
        now: () => RANGE.end + 60_000,
        log,
      },
    );
    server = quietTestServer(FUNCTION_NAMES.worker);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await bq.close();
    await state.close();
    await sim.close();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const transactions = () =>
    bq.requests
      .filter((r) => r.method === 'POST' && r.path === `/bigquery/v2/projects/${PROJECT}/jobs`)
      .map(
        (r) =>
          (
            JSON.parse(r.body) as {
              configuration: { query: { query: string; queryParameters: QueryParameter[] } };
            }
          ).configuration.query,
      );

  it('replaces the batch’s rows with Iterable’s totals over the task’s range, in one transaction', async () => {
    const campaigns = (sim.truth.dimension('campaigns') as { id: number }[]).map((c) => c.id).slice(0, 3);
    const unknown = 999_999_999;
    const response = await post(CAMPAIGN_METRICS_PATH, {
      campaignIds: [...campaigns, unknown],
      start: new Date(RANGE.start).toISOString(),
      end: new Date(RANGE.end).toISOString(),
    });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { outcome: string; campaigns: number; rows: number };
    assert.equal(answer.outcome, 'done');
    assert.equal(answer.campaigns, 4);

    const [query] = transactions();
    assert.ok(query);
    const statements = query.query.split(';\n');
    assert.equal(statements[0], 'BEGIN TRANSACTION');
    assert.equal(
      statements[1],
      `DELETE FROM \`${PROJECT}.iterable_raw.campaign_metrics_raw\` WHERE campaign_id IN UNNEST(@campaign_ids)`,
    );
    assert.match(
      statements[2] ?? '',
      /^INSERT INTO `test-project\.iterable_raw\.campaign_metrics_raw` \(campaign_id, /,
    );
    assert.equal(statements.at(-1), 'COMMIT TRANSACTION;');
    const params = new Map(query.queryParameters.map((p) => [p.name, p.parameterValue]));
    // Every campaign of the batch loses its old rows, the one Iterable does not know included.
    assert.deepEqual(
      params.get('campaign_ids')?.arrayValues?.map((v) => Number(v.value)),
      [...campaigns, unknown],
    );
    const rows = JSON.parse(params.get('rows')?.value ?? '[]') as Record<string, number | null>[];
    assert.equal(rows.length, answer.rows);
    for (const id of campaigns) {
      const sends = sim.truth
        .lines('email_send', RANGE)
        .filter((line) => (JSON.parse(line) as { campaignId?: number }).campaignId === id).length;
      const row = rows.find((r) => r.campaign_id === id);
      assert.ok(row, `campaign ${id}`);
      assert.equal(row.total_email_sends, sends);
      assert.deepEqual(
        Object.keys(row),
        CAMPAIGN_METRICS_COLUMNS.map((c) => c.name),
      );
    }
    assert.equal(
      params.get('window_start')?.value?.slice(0, 10),
      new Date(RANGE.start).toISOString().slice(0, 10),
    );
  });

  const invalid: [string, unknown][] = [
    ['no campaign', { campaignIds: [], start: '2026-10-01T00:00:00Z', end: '2026-10-02T00:00:00Z' }],
    [
      'more than 80 campaigns, more than one request',
      {
        campaignIds: Array.from({ length: 81 }, (_, k) => k + 1),
        start: '2026-10-01T00:00:00Z',
        end: '2026-10-02T00:00:00Z',
      },
    ],
    [
      'a range that ends before it starts',
      { campaignIds: [1], start: '2026-10-02T00:00:00Z', end: '2026-10-01T00:00:00Z' },
    ],
    [
      'a window task',
      { stream: 'email_send', start: '2026-10-01T00:00:00Z', end: '2026-10-02T00:00:00Z', kind: 'advance' },
    ],
  ];
  for (const [name, body] of invalid) {
    it(`answers 200 to ${name}, which can never succeed, and writes nothing`, async () => {
      const before = transactions().length;
      const response = await post(CAMPAIGN_METRICS_PATH, body);
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { outcome: string }).outcome, 'rejected');
      assert.equal(transactions().length, before);
    });
  }

  it('still serves window tasks at the root path', async () => {
    const response = await post('/', {
      campaignIds: [1],
      start: '2026-10-01T00:00:00Z',
      end: '2026-10-02T00:00:00Z',
    });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { outcome: string; error: string };
    assert.equal(answer.outcome, 'rejected');
    assert.match(answer.error, /invalid task payload: expected \{stream, start, end, kind\}/);
  });
});
