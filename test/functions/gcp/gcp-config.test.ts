import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../functions/src/config.js';
import { type GcpEnv, loadGcpConfig } from '../../../functions/src/gcp/gcp-config.js';

const ENV: GcpEnv = {
  GOOGLE_CLOUD_PROJECT: 'p',
  TASKS_QUEUE: 'projects/p/locations/europe-west1/queues/q',
  CAMPAIGN_METRICS_QUEUE: 'projects/p/locations/europe-west1/queues/m',
  EXPORT_JOBS_QUEUE: 'projects/p/locations/europe-west1/queues/j',
  TASKS_INVOKER_SERVICE_ACCOUNT: 'invoker@p.iam.gserviceaccount.com',
};

describe('loadGcpConfig', () => {
  it('reads the deployed settings, with a lease that outlasts the worker timeout', () => {
    const config = loadGcpConfig({
      ...ENV,
      FUNCTION_TARGET: 'fanout',
      WORKER_URL: 'https://w.a.run.app',
      WORKER_TIMEOUT_SECONDS: '600',
    });
    assert.equal(config.tasks.workerUrl, 'https://w.a.run.app');
    assert.equal(config.campaignMetricsQueuePath, 'projects/p/locations/europe-west1/queues/m');
    assert.equal(config.exportJobsQueuePath, 'projects/p/locations/europe-west1/queues/j');
    assert.equal(config.tasks.dispatchDeadlineSeconds, 600);
    assert.ok(config.leaseMs > 600_000);
    assert.equal(config.firestoreDatabase, '(default)');
    assert.equal(config.bigqueryLocation, 'US');
    assert.equal(config.loadStagingBucket, null);
  });

  it('gives the worker its load staging bucket', () => {
    const env = {
      ...ENV,
      FUNCTION_TARGET: 'worker',
      ITERABLE_API_KEY: 'k',
      LOAD_STAGING_BUCKET: 'p-load-staging',
    };
    assert.equal(loadGcpConfig(env).loadStagingBucket, 'p-load-staging');
  });

  it('gives the collector its topics and webhook secret, and the other functions none', () => {
    const live = {
      LIVE_EVENTS_TOPIC: 'projects/p/topics/e',
      LIVE_REJECTS_TOPIC: 'projects/p/topics/r',
      WEBHOOK_AUTHORIZATION: 'OAuth2 tok',
    };
    assert.deepEqual(loadGcpConfig({ ...ENV, FUNCTION_TARGET: 'collector', ...live }).live, {
      topics: { events: 'projects/p/topics/e', rejects: 'projects/p/topics/r' },
      authorization: 'OAuth2 tok',
    });
    assert.equal(
      loadGcpConfig({ ...ENV, FUNCTION_TARGET: 'fanout', WORKER_URL: 'https://w.a.run.app' }).live,
      null,
    );
  });

  it('lets a fan-out that streams every window go without the export jobs queue', () => {
    const { EXPORT_JOBS_QUEUE: _, ...noJobsQueue } = ENV;
    const fanout = { ...noJobsQueue, FUNCTION_TARGET: 'fanout', WORKER_URL: 'https://w.a.run.app' };
    assert.equal(loadGcpConfig({ ...fanout, ITERABLE_EXPORT_MODE: 'stream' }).exportJobsQueuePath, null);
    assert.equal(
      loadGcpConfig({
        ...noJobsQueue,
        FUNCTION_TARGET: 'worker',
        ITERABLE_API_KEY: 'k',
        LOAD_STAGING_BUCKET: 'p-load-staging',
      }).exportJobsQueuePath,
      null,
    );
  });

  const { EXPORT_JOBS_QUEUE: _, ...NO_JOBS_QUEUE } = ENV;
  const failures: [string, NodeJS.ProcessEnv, RegExp][] = [
    [
      'a fan-out with no export jobs queue while bulk history is read by jobs',
      { ...NO_JOBS_QUEUE, FUNCTION_TARGET: 'fanout', WORKER_URL: 'https://w.a.run.app' },
      /EXPORT_JOBS_QUEUE is not set.*unset: bulk history is read by jobs.*pulumi up.*ITERABLE_EXPORT_MODE=stream/,
    ],
    [
      'a fan-out with no export jobs queue while jobs are forced',
      {
        ...NO_JOBS_QUEUE,
        FUNCTION_TARGET: 'fanout',
        WORKER_URL: 'https://w.a.run.app',
        ITERABLE_EXPORT_MODE: 'jobs',
      },
      /EXPORT_JOBS_QUEUE is not set.*ITERABLE_EXPORT_MODE is jobs/,
    ],
    [
      'a malformed export jobs queue',
      { ...ENV, EXPORT_JOBS_QUEUE: 'j' },
      /EXPORT_JOBS_QUEUE: use projects\/<project>/,
    ],
    [
      'a missing project',
      { ...ENV, GOOGLE_CLOUD_PROJECT: undefined },
      /GOOGLE_CLOUD_PROJECT: the project id is not set; .*pulumi up/,
    ],
    ['a malformed queue', { ...ENV, TASKS_QUEUE: 'q' }, /TASKS_QUEUE: use projects\/<project>/],
    [
      'a worker without its key',
      { ...ENV, FUNCTION_TARGET: 'worker' },
      /ITERABLE_API_KEY: .*pulumi config set --secret iterableApiKey/,
    ],
    [
      'a worker without its load staging bucket',
      { ...ENV, FUNCTION_TARGET: 'worker', ITERABLE_API_KEY: 'k' },
      /LOAD_STAGING_BUCKET: the worker has no Cloud Storage bucket to stage window loads in; .*pulumi up/,
    ],
    [
      'a load staging bucket given as a URL',
      { ...ENV, LOAD_STAGING_BUCKET: 'gs://p-load-staging' },
      /LOAD_STAGING_BUCKET: use the name of the load staging bucket, without gs:\/\//,
    ],
    [
      'a malformed campaign metrics queue',
      { ...ENV, CAMPAIGN_METRICS_QUEUE: 'm' },
      /CAMPAIGN_METRICS_QUEUE: use projects\/<project>/,
    ],
    [
      'a fan-out without the worker URL',
      { ...ENV, FUNCTION_TARGET: 'fanout' },
      /WORKER_URL: the fan-out does not know where to send tasks/,
    ],
    [
      'a collector without its topics',
      { ...ENV, FUNCTION_TARGET: 'collector', WEBHOOK_AUTHORIZATION: 'tok' },
      /LIVE_EVENTS_TOPIC: the collector does not know its Pub\/Sub topics/,
    ],
    [
      'a collector without its webhook secret',
      {
        ...ENV,
        FUNCTION_TARGET: 'collector',
        LIVE_EVENTS_TOPIC: 'projects/p/topics/e',
        LIVE_REJECTS_TOPIC: 'projects/p/topics/r',
      },
      /WEBHOOK_AUTHORIZATION: .*pulumi config set --secret webhookAuthorization/,
    ],
    [
      'a timeout past Cloud Tasks’ deadline',
      { ...ENV, WORKER_TIMEOUT_SECONDS: '3600' },
      /WORKER_TIMEOUT_SECONDS/,
    ],
  ];
  for (const [title, env, message] of failures) {
    it(`stops on ${title}, saying how to fix it`, () => {
      assert.throws(
        () => loadGcpConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }

  it('never repeats the Iterable key in its messages', () => {
    assert.throws(
      () => loadGcpConfig({ ...ENV, ITERABLE_API_KEY: 'secret-key-123', TASKS_QUEUE: 'bad' }),
      (error: unknown) => error instanceof Error && !error.message.includes('secret-key-123'),
    );
  });
});
