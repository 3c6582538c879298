import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CloudTasksClient } from '@google-cloud/tasks';
import { PassThroughClient } from 'google-auth-library';
import { CloudTasksQueue, taskId } from '../../../functions/src/gcp/cloud-tasks-queue.js';
import { loadGcpConfig } from '../../../functions/src/gcp/gcp-config.js';
import { windowTaskQueue } from '../../../functions/src/gcp/open-cloud-tasks.js';
import type { CampaignMetricsTask } from '../../../functions/src/pipeline/campaign-metrics-task.js';
import type { WindowKind } from '../../../functions/src/pipeline/window.js';
import type { QueuedTask } from '../../../functions/src/ports.js';
import { type RecordedRequest, type RecordingServer, startRecordingServer } from './recording-server.js';

type TasksAuthClient = NonNullable<ConstructorParameters<typeof CloudTasksClient>[0]>['authClient'];

const QUEUE = 'projects/test-project/locations/europe-west1/queues/iterable-windows';
const JOBS_QUEUE = 'projects/test-project/locations/europe-west1/queues/iterable-export-jobs';
const WORKER_URL = 'https://iterable-worker-abc123-ew.a.run.app';
const INVOKER = 'iterable-tasks-invoker@test-project.iam.gserviceaccount.com';

const task = (name: string, start: string): QueuedTask => ({
  name,
  payload: { stream: 'email_send', start, end: '2026-01-01T06:00:00.000Z', kind: 'advance' },
});

interface CreateTaskBody {
  readonly task: {
    readonly name: string;
    readonly dispatchDeadline: string;
    readonly scheduleTime?: string;
    readonly httpRequest: {
      readonly url: string;
      readonly httpMethod: number | string;
      readonly headers: Record<string, string>;
      readonly body: string;
      readonly oidcToken: { readonly serviceAccountEmail: string; readonly audience: string };
    };
  };
}

describe('CloudTasksQueue through the Cloud Tasks client (REST fallback) against a recording server', () => {
  let server: RecordingServer;
  let client: CloudTasksClient;
  /** Task names the fake queue holds; a second create of one answers 409 ALREADY_EXISTS. */
  const names = new Set<string>();
  let refuse: number | null = null;

  before(async () => {
    server = await startRecordingServer((request) => {
      if (refuse !== null)
        return {
          status: refuse,
          body: { error: { code: refuse, message: 'Permission denied', status: 'PERMISSION_DENIED' } },
        };
      const body = JSON.parse(request.body) as CreateTaskBody;
      if (names.has(body.task.name)) {
        return {
          status: 409,
          body: {
            error: { code: 409, message: 'Requested entity already exists', status: 'ALREADY_EXISTS' },
          },
        };
      }
      names.add(body.task.name);
      return { status: 200, body: body.task };
    });
    client = new CloudTasksClient({
      fallback: true,
      apiEndpoint: '127.0.0.1',
      port: server.port,
      protocol: 'http',
      // google-gax pins its own copy of google-auth-library: the same class, a distinct type.
      authClient: new PassThroughClient() as unknown as TasksAuthClient,
    });
  });

  beforeEach(() => {
    names.clear();
    server.requests.length = 0;
    refuse = null;
  });

  after(async () => {
    await client.close();
    await server.close();
  });

  const queue = (workerUrl: string | null = WORKER_URL) =>
    new CloudTasksQueue(client, {
      queuePath: QUEUE,
      workerUrl,
      invokerServiceAccount: INVOKER,
      dispatchDeadlineSeconds: 1800,
    });

  const created = (requests: readonly RecordedRequest[]) =>
    requests.map((r) => JSON.parse(r.body) as CreateTaskBody);

  it('creates one HTTP task per window: deterministic name, OIDC token of the invoker, JSON payload', async () => {
    const tasks = [
      task('a1b2c3d4-email_send-advance-1-2-g0', '2026-01-01T00:00:00.000Z'),
      task('e5f6-email_send-advance-2-3-g0', '2026-01-01T01:00:00.000Z'),
    ];
    assert.deepEqual(await queue().enqueue(tasks), { created: 2, existing: 0 });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      [`POST /v2/${QUEUE}/tasks`, `POST /v2/${QUEUE}/tasks`],
    );
    const bodies = created(server.requests).sort((a, b) => a.task.name.localeCompare(b.task.name));
    const [first] = bodies;
    assert.ok(first);
    assert.equal(first.task.name, `${QUEUE}/tasks/a1b2c3d4-email_send-advance-1-2-g0`);
    assert.equal(first.task.dispatchDeadline, '1800s');
    const http = first.task.httpRequest;
    assert.equal(http.url, WORKER_URL);
    assert.equal(http.httpMethod, 1, 'POST, sent as its enum number by the REST transport');
    assert.deepEqual(http.oidcToken, { serviceAccountEmail: INVOKER, audience: WORKER_URL });
    assert.equal(http.headers['Content-Type'], 'application/json');
    assert.deepEqual(JSON.parse(Buffer.from(http.body, 'base64').toString('utf8')), tasks[0]?.payload);
  });

  it('sends the tasks of a queue with a path to that path, with the worker’s URL as the token’s audience', async () => {
    const metrics = new CloudTasksQueue<CampaignMetricsTask>(client, {
      queuePath: QUEUE,
      workerUrl: WORKER_URL,
      path: '/campaign-metrics',
      invokerServiceAccount: INVOKER,
      dispatchDeadlineSeconds: 1800,
    });
    const payload = {
      campaignIds: [1, 2],
      start: '2026-01-01T00:00:00.000Z',
      end: '2026-01-02T00:00:00.000Z',
    };
    assert.deepEqual(await metrics.enqueue([{ name: 'abc-campaign-metrics-1-2', payload }]), {
      created: 1,
      existing: 0,
    });
    const [body] = created(server.requests);
    assert.ok(body);
    assert.equal(body.task.httpRequest.url, `${WORKER_URL.replace(/\/$/, '')}/campaign-metrics`);
    assert.deepEqual(body.task.httpRequest.oidcToken, { serviceAccountEmail: INVOKER, audience: WORKER_URL });
    assert.deepEqual(JSON.parse(Buffer.from(body.task.httpRequest.body, 'base64').toString('utf8')), payload);
  });

  it('defers a task to its notBefore with scheduleTime, and leaves others unscheduled', async () => {
    const at = Date.UTC(2026, 0, 1, 3, 0, 0);
    await queue().enqueue([
      { ...task('later', '2026-01-01T00:00:00.000Z'), notBefore: at },
      task('now', '2026-01-01T00:00:00.000Z'),
    ]);
    const bodies = created(server.requests);
    assert.equal(
      bodies.find((b) => b.task.name.endsWith('/later'))?.task.scheduleTime,
      '2026-01-01T03:00:00.000Z',
    );
    assert.equal(bodies.find((b) => b.task.name.endsWith('/now'))?.task.scheduleTime, undefined);
  });

  it('counts a task Cloud Tasks already has (409 ALREADY_EXISTS) as existing, not as a failure', async () => {
    const tasks = [task('t1', '2026-01-01T00:00:00.000Z'), task('t2', '2026-01-01T01:00:00.000Z')];
    await queue().enqueue(tasks);
    assert.deepEqual(await queue().enqueue([...tasks, task('t3', '2026-01-01T02:00:00.000Z')]), {
      created: 1,
      existing: 2,
    });
  });

  describe('windows routed by the way the worker reads them', () => {
    const NOW = Date.UTC(2026, 5, 10, 12);
    const H = 3600_000;
    /** A window ending `hoursAgo` before NOW, named after its kind and age. */
    const windowTask = (kind: WindowKind, hoursAgo: number): QueuedTask => ({
      name: `${kind}-${hoursAgo}h`,
      payload: {
        stream: 'email_send',
        start: new Date(NOW - (hoursAgo + 6) * H).toISOString(),
        end: new Date(NOW - hoursAgo * H).toISOString(),
        kind,
      },
    });
    const TASKS = [
      windowTask('backfill', 24 * 90),
      windowTask('advance', 24 * 3),
      windowTask('backfill', 24),
      windowTask('advance', 1),
      windowTask('lookback', 24 * 3),
      windowTask('settle', 24 * 3),
    ];
    const routed = (mode?: string, jobsQueue: string | null = JOBS_QUEUE) =>
      windowTaskQueue(
        client,
        loadGcpConfig({
          GOOGLE_CLOUD_PROJECT: 'test-project',
          ...(jobsQueue === null ? {} : { FUNCTION_TARGET: 'fanout', EXPORT_JOBS_QUEUE: jobsQueue }),
          TASKS_QUEUE: QUEUE,
          TASKS_INVOKER_SERVICE_ACCOUNT: INVOKER,
          WORKER_URL,
          ...(mode === undefined ? {} : { ITERABLE_EXPORT_MODE: mode }),
        }),
        () => NOW,
      );
    /** Task ids by the queue they were created in. */
    const byQueue = () => {
      const queues: Record<string, string[]> = {};
      for (const body of created(server.requests)) {
        const [queue, id] = body.task.name.split('/tasks/') as [string, string];
        const name = queue.split('/').pop() as string;
        queues[name] = [...(queues[name] ?? []), id];
      }
      for (const ids of Object.values(queues)) ids.sort();
      return queues;
    };

    it('sends bulk history (backfill and advance windows over two days old) to the export jobs queue', async () => {
      const queue = routed();
      assert.deepEqual(await queue.enqueue(TASKS), { created: 6, existing: 0 });
      assert.equal(queue.jobTasks, 2);
      assert.deepEqual(byQueue(), {
        'iterable-export-jobs': ['advance-72h', 'backfill-2160h'],
        'iterable-windows': ['advance-1h', 'backfill-24h', 'lookback-72h', 'settle-72h'],
      });
      for (const body of created(server.requests)) {
        assert.equal(body.task.httpRequest.url, WORKER_URL);
        assert.deepEqual(body.task.httpRequest.oidcToken, {
          serviceAccountEmail: INVOKER,
          audience: WORKER_URL,
        });
      }
      assert.deepEqual(await routed().enqueue(TASKS), { created: 0, existing: 6 }, 'names still deduplicate');
    });

    it('refuses windows read by export jobs without their queue, enqueueing nothing', async () => {
      await assert.rejects(
        routed(undefined, null).enqueue(TASKS),
        /EXPORT_JOBS_QUEUE is not set, so 2 windows/,
      );
      assert.equal(server.requests.length, 0);
      assert.deepEqual(await routed('stream', null).enqueue(TASKS), { created: 6, existing: 0 });
    });

    it('sends every window to the queue of a forced mode', async () => {
      await routed('jobs').enqueue(TASKS);
      assert.deepEqual(Object.keys(byQueue()), ['iterable-export-jobs']);
      server.requests.length = 0;
      names.clear();
      await routed('stream').enqueue(TASKS);
      assert.deepEqual(Object.keys(byQueue()), ['iterable-windows']);
    });
  });

  it('sanitises names to Cloud Tasks task ids, keeping long ones distinct', () => {
    assert.equal(taskId('abc-DEF_123'), 'abc-DEF_123');
    assert.equal(taskId('a.b:c/d e'), 'a_b_c_d_e');
    const long = 'x'.repeat(600);
    assert.equal(taskId(long).length, 500);
    assert.notEqual(taskId(`${long}1`), taskId(`${long}2`));
    assert.match(taskId(`${long}1`), /^[A-Za-z0-9_-]+$/);
  });

  it('fails on any other refusal, so the fan-out reports it and the next run plans again', async () => {
    refuse = 403;
    await assert.rejects(queue().enqueue([task('t1', '2026-01-01T00:00:00.000Z')]), /Permission denied/);
  });

  it('refuses to enqueue without a worker URL, saying where it comes from', async () => {
    await assert.rejects(
      queue(null).enqueue([task('t1', '2026-01-01T00:00:00.000Z')]),
      /WORKER_URL is not set/,
    );
  });
});
