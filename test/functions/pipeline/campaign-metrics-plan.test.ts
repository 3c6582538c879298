/**
 * The fan-out's campaign metrics plan: the range from the earliest loaded window to the least
 * watermark, the campaigns from a BigQuery query (through the client against a recording server)
 * bounded by `created_at`, and one task per 80 campaigns, named so a repeated run adds nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import { BigQueryCampaignMetrics } from '../../../functions/src/gcp/bigquery-campaign-metrics.js';
import { CAMPAIGN_METRICS_MAX_IDS } from '../../../functions/src/iterable/limits.js';
import { planCampaignMetrics } from '../../../functions/src/pipeline/campaign-metrics-plan.js';
import type { CampaignMetricsTask } from '../../../functions/src/pipeline/campaign-metrics-task.js';
import type { QueuedTask, TaskQueue } from '../../../functions/src/ports.js';
import { DAY } from '../../../functions/src/time.js';
import { JsonFileStateStore } from '../../../local/json-state-store.js';
import { FROM, silent, tempWarehouse } from '../../support/pipeline.js';
import { campaignPlanAnswer } from '../gcp/campaign-plan-answer.js';
import { type RecordedRequest, type RecordingServer, startRecordingServer } from '../gcp/recording-server.js';

const PROJECT = 'test-project';
const LOADED_FROM = FROM + 3600_000;
const CAMPAIGNS = Array.from({ length: 2 * CAMPAIGN_METRICS_MAX_IDS + 5 }, (_, k) => 5000 + k);
const LOOKBACK = DAY;
const WATERMARKS = { email_send: FROM + 3 * DAY, email_open: FROM + 2 * DAY } as const;

/** jobs.query answers with one row per campaign, as the plan's query selects them. */
function handler(request: RecordedRequest) {
  if (request.method === 'POST' && request.path === `/bigquery/v2/projects/${PROJECT}/queries`) {
    return campaignPlanAnswer(PROJECT, LOADED_FROM, CAMPAIGNS);
  }
  return {
    status: 404,
    body: { error: { code: 404, message: `not in this fake: ${request.method} ${request.path}` } },
  };
}

class CollectingQueue implements TaskQueue<CampaignMetricsTask> {
  readonly tasks = new Map<string, QueuedTask<CampaignMetricsTask>>();
  async enqueue(tasks: readonly QueuedTask<CampaignMetricsTask>[]) {
    const fresh = tasks.filter((t) => !this.tasks.has(t.name));
    for (const t of fresh) this.tasks.set(t.name, t);
    return { created: fresh.length, existing: tasks.length - fresh.length };
  }
}

describe('planCampaignMetrics', () => {
  let bq: RecordingServer;
  let state: JsonFileStateStore;
  let campaigns: BigQueryCampaignMetrics;

  before(async () => {
    bq = await startRecordingServer(handler);
    campaigns = new BigQueryCampaignMetrics(
      new BigQuery({ projectId: PROJECT, apiEndpoint: bq.url, authClient: new PassThroughClient() }),
      { rawDataset: 'iterable_raw', location: 'EU' },
    );
    state = await JsonFileStateStore.open(`${tempWarehouse()}.state.json`);
  });
  after(async () => {
    await bq.close();
    await state.close();
  });

  const plan = (queue: CollectingQueue, streams: ('email_send' | 'email_open')[]) =>
    planCampaignMetrics({ state, campaigns, queue, log: silent }, { streams, lookbackMs: LOOKBACK });

  it('enqueues nothing while a stream has no watermark, and asks BigQuery nothing', async () => {
    const queue = new CollectingQueue();
    const result = await plan(queue, ['email_send']);
    assert.equal(result.range, null);
    assert.equal(queue.tasks.size, 0);
    assert.equal(bq.requests.length, 0);
  });

  it('asks for the campaigns of the re-read stretch, over the loaded range, 80 per task', async () => {
    for (const [stream, watermark] of Object.entries(WATERMARKS) as [keyof typeof WATERMARKS, number][]) {
      await state.update(stream, (s) => ({ state: { ...s, watermark }, result: null }));
    }
    const queue = new CollectingQueue();
    const result = await plan(queue, ['email_send', 'email_open']);
    const until = WATERMARKS.email_open;
    assert.deepEqual(result.range, {
      start: new Date(LOADED_FROM).toISOString(),
      end: new Date(until).toISOString(),
    });

    const [request] = bq.requests;
    assert.ok(request);
    const body = JSON.parse(request.body) as {
      query: string;
      queryParameters: { name: string; parameterValue: { value: string } }[];
    };
    const params = Object.fromEntries(
      body.queryParameters.map((p) => [p.name, Date.parse(p.parameterValue.value)]),
    );
    assert.deepEqual(params, { changed_from: until - LOOKBACK, until });
    // Every read of an event table is bounded on its partition column by a parameter or a variable.
    const reads = [...body.query.matchAll(/FROM `test-project\.iterable_raw\.(\w+_raw)` WHERE ([^\n]*)/g)];
    assert.ok(reads.length > 0);
    for (const [, table, where] of reads) {
      assert.match(
        where ?? '',
        /^created_at >= (@changed_from|first_from) AND created_at < (@until|first_until)/,
        `${table}`,
      );
    }
    assert.match(body.query, /INFORMATION_SCHEMA\.PARTITIONS/);

    const tasks = [...queue.tasks.values()];
    assert.equal(tasks.length, 3);
    assert.deepEqual(
      tasks.flatMap((t) => t.payload.campaignIds),
      CAMPAIGNS,
    );
    assert.ok(tasks.every((t) => t.payload.campaignIds.length <= CAMPAIGN_METRICS_MAX_IDS));
    assert.ok(
      tasks.every((t) => t.payload.start === result.range?.start && t.payload.end === result.range?.end),
    );

    const again = await plan(queue, ['email_send', 'email_open']);
    assert.deepEqual(again.tasks, { created: 0, existing: 3 });
  });
});
