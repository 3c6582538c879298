import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import type { QueuedTask } from '../../functions/src/ports.js';
import { LocalTaskQueue } from '../../local/task-queue.js';
import type { LocalTaskQueueOptions, QueueEvent } from '../../local/task-queue-options.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  readonly at: number;
}

interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

type Handler = (request: Received, index: number) => Answer | Promise<Answer>;

const servers: Server[] = [];
const queues: LocalTaskQueue[] = [];

afterEach(async () => {
  for (const q of queues.splice(0)) q.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A worker stand-in on loopback that records what it receives and answers with `handler`. */
async function worker(handler: Handler): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const request = {
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString()),
        at: performance.now(),
      };
      received.push(request);
      const answer = await handler(request, received.length - 1);
      res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, received };
}

function queue(
  url: string,
  options: Partial<LocalTaskQueueOptions> = {},
): { queue: LocalTaskQueue; events: QueueEvent[] } {
  const events: QueueEvent[] = [];
  const q = new LocalTaskQueue(url, {
    maxDispatchesPerMinute: 1_000_000,
    minBackoffMs: 10,
    maxBackoffMs: 1000,
    onEvent: (e) => events.push(e),
    ...options,
  });
  queues.push(q);
  return { queue: q, events };
}

const task = (name: string, hour = 0): QueuedTask => ({
  name,
  payload: {
    stream: 'email_send',
    start: new Date(Date.UTC(2026, 9, 1, hour)).toISOString(),
    end: new Date(Date.UTC(2026, 9, 1, hour + 1)).toISOString(),
    kind: 'advance',
  },
});

const ok: Handler = () => ({ status: 200, body: '{}' });

describe('LocalTaskQueue', () => {
  it('creates a task once per name, and POSTs its payload with Cloud Tasks headers', async () => {
    const { url, received } = await worker(ok);
    const { queue: q } = queue(url, { queueName: 'windows' });
    const before = Date.now();
    assert.deepEqual(await q.enqueue([task('a-1', 1), task('b-2', 2), task('a-1', 1)]), {
      created: 2,
      existing: 1,
    });
    const summary = await q.drain();
    assert.deepEqual(
      await q.enqueue([task('a-1', 1)]),
      { created: 0, existing: 1 },
      'names stay taken after completion',
    );
    assert.deepEqual(await q.drain(), { ...summary, existing: 2 });
    assert.deepEqual(
      { ...summary, failedTasks: summary.failedTasks.length },
      { created: 2, existing: 1, succeeded: 2, failed: 0, dispatches: 2, attempts: 2, failedTasks: 0 },
    );

    const first = received.find((r) => r.headers['x-cloudtasks-taskname'] === 'a-1');
    assert.deepEqual(first?.body, task('a-1', 1).payload);
    assert.equal(first?.headers['content-type'], 'application/json');
    assert.equal(first?.headers['x-cloudtasks-queuename'], 'windows');
    assert.equal(first?.headers['x-cloudtasks-taskretrycount'], '0');
    assert.equal(first?.headers['x-cloudtasks-taskexecutioncount'], '0');
    const eta = Number(first?.headers['x-cloudtasks-tasketa']) * 1000;
    // The queue paces on a monotonic clock, which may stray from the wall clock by a few ms.
    assert.ok(Math.abs(eta - before) < 100, `ETA ${eta} is when the task was scheduled for`);
  });

  it('retries a 500 with doubling backoff, counting retries but not executions', async () => {
    const { url, received } = await worker((_, i) =>
      i < 2 ? { status: 500, body: 'boom' } : { status: 200 },
    );
    const { queue: q, events } = queue(url, { minBackoffMs: 60, maxDoublings: 4 });
    await q.enqueue([task('t')]);
    const summary = await q.drain();
    assert.equal(summary.succeeded, 1);
    assert.equal(summary.dispatches, 3);
    assert.deepEqual(
      received.map((r) => [
        r.headers['x-cloudtasks-taskretrycount'],
        r.headers['x-cloudtasks-taskexecutioncount'],
        r.headers['x-cloudtasks-taskpreviousresponse'],
      ]),
      [
        ['0', '0', undefined],
        ['1', '0', '500'],
        ['2', '0', '500'],
      ],
    );
    const gaps = received.slice(1).map((r, i) => r.at - (received[i] as Received).at);
    assert.ok((gaps[0] ?? 0) >= 55 && (gaps[1] ?? 0) >= 115, `gaps ${gaps} follow 60 ms, then 120 ms`);
    assert.deepEqual(
      events.map((e) => (e.type === 'retrying' ? `retrying ${e.status} ${e.delayMs}` : e.type)),
      ['dispatched', 'retrying 500 60', 'dispatched', 'retrying 500 120', 'dispatched', 'succeeded'],
    );
  });

  it("waits at least a 429's Retry-After before retrying", async () => {
    const { url, received } = await worker((_, i) =>
      i === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 },
    );
    const { queue: q } = queue(url, { minBackoffMs: 10 });
    await q.enqueue([task('t')]);
    await q.drain();
    const [first, second] = received;
    assert.ok((second?.at ?? 0) - (first?.at ?? 0) >= 990, 'the retry came a second later');
    assert.equal(second?.headers['x-cloudtasks-taskexecutioncount'], '1', 'a 429 is an execution');
  });

  it('gives up after maxAttempts and keeps the failure with its last answer', async () => {
    const { url, received } = await worker(() => ({ status: 503, body: 'iterable is down' }));
    const { queue: q, events } = queue(url, { maxAttempts: 3, minBackoffMs: 5 });
    await q.enqueue([task('doomed')]);
    const summary = await q.drain();
    assert.equal(received.length, 3);
    assert.deepEqual(summary.failedTasks, [
      { name: 'doomed', payload: task('doomed').payload, attempts: 3, status: 503, body: 'iterable is down' },
    ]);
    assert.equal(summary.failed, 1);
    assert.equal(events.at(-1)?.type, 'failed');
  });

  it('retries dispatches that get no answer, counting them as dispatches only', async () => {
    const { url } = await worker(ok);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const { queue: q } = queue(url, { maxAttempts: 2, minBackoffMs: 5 });
    await q.enqueue([task('t')]);
    const summary = await q.drain();
    assert.equal(summary.dispatches, 2);
    assert.equal(summary.attempts, 0);
    assert.equal(summary.failedTasks[0]?.status, null);
    assert.match(summary.failedTasks[0]?.body ?? '', /no answer/);
  });

  it('spaces dispatches by the rate limit, retries included', async () => {
    const { url, received } = await worker((_, i) => (i === 1 ? { status: 500 } : { status: 200 }));
    const dispatchedAt: number[] = [];
    const { queue: q } = queue(url, {
      maxDispatchesPerMinute: 600,
      maxConcurrentDispatches: 10,
      minBackoffMs: 1,
      onEvent: (e) => {
        if (e.type === 'dispatched') dispatchedAt.push(performance.now());
      },
    });
    await q.enqueue(['a', 'b', 'c', 'd'].map((n) => task(n)));
    const summary = await q.drain();
    assert.equal(summary.dispatches, 5);
    const gaps = dispatchedAt.slice(1).map((t, i) => t - (dispatchedAt[i] as number));
    assert.ok(
      gaps.every((g) => g >= 99),
      `dispatch gaps ${gaps.map(Math.round)} are 100 ms or more`,
    );
    assert.equal(received.length, 5);
  });

  it('keeps at most maxConcurrentDispatches requests in flight', async () => {
    let open = 0;
    let most = 0;
    const { url } = await worker(async () => {
      open += 1;
      most = Math.max(most, open);
      await new Promise((resolve) => setTimeout(resolve, 30));
      open -= 1;
      return { status: 200 };
    });
    const { queue: q } = queue(url, { maxConcurrentDispatches: 2 });
    await q.enqueue(['a', 'b', 'c', 'd', 'e'].map((n) => task(n)));
    assert.equal((await q.drain()).succeeded, 5);
    assert.equal(most, 2);
  });

  it('refuses invalid task names, and work after close; close ends a pending drain', async () => {
    const { url } = await worker(() => new Promise<Answer>(() => {}));
    const { queue: q } = queue(url);
    await assert.rejects(q.enqueue([task('has space')]), /not a valid Cloud Tasks task id/);
    await q.enqueue([task('stuck')]);
    const draining = q.drain();
    q.close();
    await assert.rejects(draining, /closed with 1 tasks unfinished/);
    await assert.rejects(q.enqueue([task('late')]), /closed/);
  });
});
