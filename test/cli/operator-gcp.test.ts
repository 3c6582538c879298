/**
 * The operator commands against the deployed pipeline's services: configuration from the
 * functions' environment, status from Firestore (the emulator) and BigQuery (a recording server
 * answering the counts query), and a backfill enqueued on Cloud Tasks (a recording server) with
 * its plan in Firestore and the watermark left where it was.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BigQuery } from '@google-cloud/bigquery';
import { Firestore } from '@google-cloud/firestore';
import { CloudTasksClient } from '@google-cloud/tasks';
import { PassThroughClient } from 'google-auth-library';
import { enqueueBackfill } from '../../cli/backfill-gcp.js';
import { loadOperatorGcpConfig } from '../../cli/operator-gcp.js';
import { gcpStatus } from '../../cli/status-gcp.js';
import { ConfigError } from '../../functions/src/config.js';
import { FirestoreStateStore } from '../../functions/src/gcp/firestore-state-store.js';
import type { GcpEnv } from '../../functions/src/gcp/gcp-config.js';
import { applyPlan } from '../../functions/src/pipeline/ledger.js';
import { type FirestoreEmulator, startFirestoreEmulator } from '../functions/gcp/firestore-emulator.js';
import {
  type RecordedRequest,
  type RecordingServer,
  startRecordingServer,
} from '../functions/gcp/recording-server.js';

const exec = promisify(execFile);
type TasksAuthClient = NonNullable<ConstructorParameters<typeof CloudTasksClient>[0]>['authClient'];

const H = 3600_000;
const T0 = Date.UTC(2026, 10, 1);
const PROJECT = 'operator-test';
const COLLECTION = 'operator_state';
const ENV: GcpEnv & NodeJS.ProcessEnv = {
  GOOGLE_CLOUD_PROJECT: PROJECT,
  TASKS_QUEUE: 'projects/operator-test/locations/us-central1/queues/iterable-windows',
  EXPORT_JOBS_QUEUE: 'projects/operator-test/locations/us-central1/queues/iterable-export-jobs',
  TASKS_INVOKER_SERVICE_ACCOUNT: 'invoker@operator-test.iam.gserviceaccount.com',
  WORKER_URL: 'https://iterable-worker.example.run.app',
  STATE_COLLECTION: COLLECTION,
  STREAMS: 'email_send,channels',
};

describe('GCP configuration of the operator commands', () => {
  it('names what is missing and where to find it', () => {
    assert.throws(
      () => loadOperatorGcpConfig({}, { enqueues: false }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /GOOGLE_CLOUD_PROJECT/.test(e.message) &&
        /gcloud functions describe/.test(e.message),
    );
    const { EXPORT_JOBS_QUEUE: __, ...noJobsQueue } = ENV;
    assert.throws(
      () => loadOperatorGcpConfig(noJobsQueue, { enqueues: true }),
      (e: unknown) => e instanceof ConfigError && /EXPORT_JOBS_QUEUE/.test(e.message),
      'a backfill enqueues bulk history on the export jobs queue',
    );
    const { WORKER_URL: _, ...noWorker } = ENV;
    assert.doesNotThrow(() => loadOperatorGcpConfig(noWorker, { enqueues: false }), 'status needs no worker');
    assert.throws(
      () => loadOperatorGcpConfig(noWorker, { enqueues: true }),
      (e: unknown) => e instanceof ConfigError && /WORKER_URL/.test(e.message),
    );
  });

  it('stops `npm run backfill -- --gcp` with exit code 2 before anything is planned', async () => {
    const code = await exec(
      process.execPath,
      ['--import', 'tsx', 'cli/backfill.ts', '--gcp', '--from', '2026-10-01'],
      {
        env: { PATH: process.env.PATH ?? '' },
      },
    ).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
    assert.equal(code, 2);
  });
});

/** Answers BigQuery's query calls with the counts the status query asks for. */
function bigQueryCounts(request: RecordedRequest) {
  const result = {
    jobComplete: true,
    jobReference: { projectId: 'operator-test', jobId: 'counts', location: 'US' },
    schema: {
      fields: [
        { name: 'stream', type: 'STRING' },
        { name: 'count_rows', type: 'INTEGER' },
        { name: 'count_rejects', type: 'INTEGER' },
      ],
    },
    rows: [
      { f: [{ v: 'email_send' }, { v: '1200' }, { v: '3' }] },
      { f: [{ v: 'channels' }, { v: '4' }, { v: '0' }] },
    ],
    totalRows: '2',
  };
  if (request.method === 'POST' && request.path.endsWith('/jobs')) {
    const job = JSON.parse(request.body) as { configuration: unknown };
    return { status: 200, body: { ...job, jobReference: result.jobReference, status: { state: 'DONE' } } };
  }
  return { status: 200, body: result };
}

describe('the operator commands on Firestore, BigQuery and Cloud Tasks', () => {
  let emulator: FirestoreEmulator;
  let firestore: Firestore;
  let bigquery: RecordingServer;
  let tasks: RecordingServer;
  let tasksClient: CloudTasksClient;

  before(async () => {
    emulator = await startFirestoreEmulator();
    firestore = new Firestore({ projectId: PROJECT });
    bigquery = await startRecordingServer(bigQueryCounts);
    tasks = await startRecordingServer((request) => ({ status: 200, body: JSON.parse(request.body).task }));
    tasksClient = new CloudTasksClient({
      fallback: true,
      apiEndpoint: '127.0.0.1',
      port: tasks.port,
      protocol: 'http',
      authClient: new PassThroughClient() as unknown as TasksAuthClient,
    });
    // The deployed pipeline has loaded email_send up to T0 + 24h.
    const state = new FirestoreStateStore(firestore, COLLECTION);
    await state.update('email_send', (s) => applyPlan(s, 'email_send', [], T0 + 24 * H, T0, H));
  });

  after(async () => {
    await tasksClient?.close();
    await tasks?.close();
    await bigquery?.close();
    await firestore?.terminate();
    await emulator?.stop();
  });

  it('reports the ledger from Firestore and the counts from BigQuery', async () => {
    const config = loadOperatorGcpConfig(ENV, { enqueues: false });
    const client = new BigQuery({
      projectId: config.projectId,
      apiEndpoint: bigquery.url,
      authClient: new PassThroughClient(),
    });
    const status = await gcpStatus(
      { firestore, bigquery: client },
      config,
      ['email_send', 'channels'],
      T0 + 26 * H,
    );
    const [send, channels] = status.streams;
    assert.deepEqual(
      [send?.watermark, send?.lagMs, send?.rows, send?.rejects],
      [T0 + 24 * H, 2 * H, 1200, 3],
    );
    assert.deepEqual([channels?.watermark, channels?.rows], [null, 4]);
    assert.equal(status.note, null);
    assert.match(bigquery.requests[0]?.body ?? '', /iterable_raw\.email_send_raw/);
  });

  it('enqueues a backfill behind the watermark, recorded in Firestore, watermark unchanged', async () => {
    const config = loadOperatorGcpConfig(ENV, { enqueues: true });
    const plan = await enqueueBackfill(
      { firestore, tasks: tasksClient },
      config,
      { from: T0, to: T0 + 36 * H, streams: ['email_send'] },
      () => T0 + 40 * H,
    );
    assert.deepEqual(
      plan.streams.map((s) => [s.stream, s.windows]),
      [['email_send', 4]],
      'up to the watermark only',
    );
    assert.equal(plan.created, 4);
    assert.equal(plan.jobs, 0, 'hours old: streamed');
    const payloads = tasks.requests.map(
      (r) =>
        JSON.parse(Buffer.from(JSON.parse(r.body).task.httpRequest.body, 'base64').toString()) as {
          kind: string;
        },
    );
    assert.deepEqual(
      payloads.map((p) => p.kind),
      ['backfill', 'backfill', 'backfill', 'backfill'],
    );
    // Hours old, not bulk history: the window queue, as the fan-out would route them.
    assert.deepEqual(
      [...new Set(tasks.requests.map((r) => r.path))],
      ['/v2/projects/operator-test/locations/us-central1/queues/iterable-windows/tasks'],
    );
    const state = await new FirestoreStateStore(firestore, COLLECTION).read('email_send');
    assert.equal(state.watermark, T0 + 24 * H);
    assert.deepEqual(
      state.windows.map((w) => [w.kind, w.status]),
      Array.from({ length: 4 }, () => ['backfill', 'pending']),
    );
  });
});
