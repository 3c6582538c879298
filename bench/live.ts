/**
 * 6. Live webhooks: the collector of `npm run live` under load, and how soon a webhook shows in
 * the live view.
 *  - Throughput and latency: the collector runs in its own process (bench/live-process.ts) and
 *    this one posts distinct webhooks over keep-alive connections, one request in flight on each of
 *    `connections` (bench/http-load.ts); each answer is a 2xx only once its event is stored (synced
 *    to the durable buffer that DuckDB's `iterable_live.events` is filled from).
 *  - Visibility: a collector in this process, with the views built, receives webhooks at a steady
 *    rate while a poller reads `iterable_analytics.live_email_events` every `pollMs`; each event's
 *    delay is from just before its request to the first poll that returns it.
 */
import { Agent, request } from 'node:http';
import { formatIterableTimestamp } from '../functions/src/iterable/timestamps.js';
import { startLive } from '../local/live/live-runtime.js';
import { runModels } from '../local/sql/models.js';
import { startServer } from './child.js';
import { atLeast, atMost, type Figure, figure } from './figure.js';
import { postAll } from './http-load.js';
import { cpuSeconds, loadAverage } from './process-cpu.js';

export interface LiveSizes {
  readonly webhooks: number;
  readonly connections: number;
  readonly visible: { readonly events: number; readonly perSecond: number; readonly pollMs: number };
}

const AUTHORIZATION = 'bench-webhook-secret';

const body = (i: number, createdAt: number): string =>
  JSON.stringify({
    email: `bench-${i}@example.com`,
    eventName: ['emailSend', 'emailOpen', 'emailClick'][i % 3],
    dataFields: {
      createdAt: formatIterableTimestamp(createdAt),
      campaignId: 1000 + (i % 50),
      templateId: 7,
      messageId: `m-${i}`,
    },
  });

function post(agent: Agent, url: URL, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: AUTHORIZATION,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

async function throughput(sizes: LiveSizes): Promise<Figure[]> {
  const server = await startServer<{ url: string; pid: number }>('./live-process.ts', {
    authorization: AUTHORIZATION,
  });
  const url = new URL(server.hello.url);
  const headers = { authorization: AUTHORIZATION, 'content-type': 'application/json' };
  const now = Date.now();
  const bodies = Array.from({ length: sizes.webhooks }, (_, i) => body(i, now));
  try {
    // A short warm-up, so the JIT and the connections are not part of the measure.
    await postAll(url, headers, bodies.slice(0, 500), sizes.connections);
    const serverCpu = cpuSeconds(server.hello.pid);
    const clientCpu = process.cpuUsage();
    const run = await postAll(url, headers, bodies, sizes.connections);
    const perWebhook = (cpu: number) => (cpu * 1e6) / bodies.length;
    const client = process.cpuUsage(clientCpu);
    const serverMicros = perWebhook(cpuSeconds(server.hello.pid) - serverCpu);
    const clientMicros = perWebhook((client.user + client.system) / 1e6);
    const latencies = [...run.latenciesMs].sort((a, b) => a - b);
    return [
      figure(
        'collector: webhooks stored per second',
        bodies.length / run.seconds,
        'webhooks/s',
        atLeast(5000),
      ),
      figure('collector: latency p50', percentile(latencies, 50), 'ms'),
      figure('collector: latency p99', percentile(latencies, 99), 'ms', atMost(50)),
      figure('collector: answers other than 200', run.notOk, 'requests', atMost(0)),
      // What one core can take however busy the machine: the collector's own CPU per webhook
      // (HTTP, parse, buffer append and sync, and the DuckDB inserts behind it).
      figure('collector: server CPU per webhook', serverMicros, 'µs'),
      // The load generator's CPU per webhook (bench/http-load.ts): far below the server's, so on
      // two cores it is not what bounds the run.
      figure('collector: client CPU per webhook', clientMicros, 'µs'),
      figure('collector: load average (1 min) at the end', loadAverage(), 'runnable'),
    ];
  } finally {
    await server.stop();
  }
}

async function visibility(sizes: LiveSizes): Promise<Figure[]> {
  const live = await startLive({
    warehouseFile: ':memory:',
    port: 0,
    authorization: AUTHORIZATION,
    log: () => {},
  });
  // Arrivals are open-loop: with too few sockets, requests would queue in the agent, and the delay
  // measured would be the client's. 256 sockets carry 500 webhooks/s even at 500 ms per answer.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(live.url);
  /** Events sent and not seen yet, by email. */
  const unseen = new Map<string, number>();
  const delays: number[] = [];
  try {
    await runModels(live.warehouse);
    const { events, perSecond, pollMs } = sizes.visible;
    let sending = true;
    const poller = (async () => {
      while (sending || unseen.size > 0) {
        const rows = await live.warehouse.query<{ email: string }>(
          'SELECT email FROM iterable_analytics.live_email_events',
        );
        const seen = performance.now();
        for (const { email } of rows) {
          const sent = unseen.get(email);
          if (sent === undefined) continue;
          delays.push(seen - sent);
          unseen.delete(email);
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    })();
    const now = Date.now();
    const requests: Promise<number>[] = [];
    const started = performance.now();
    for (let i = 0; i < events; i++) {
      // Steady arrivals: request i leaves at i / perSecond seconds.
      const due = started + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      unseen.set(`bench-${i}@example.com`, performance.now());
      requests.push(post(agent, url, body(i, now)));
    }
    const statuses = await Promise.all(requests);
    // Only stored events can show up; anything else would keep the poller waiting.
    for (const [i, status] of statuses.entries()) if (status !== 200) unseen.delete(`bench-${i}@example.com`);
    sending = false;
    await poller;
    delays.sort((a, b) => a - b);
    return [
      figure('webhook → live view: delay p50', percentile(delays, 50), 'ms'),
      figure('webhook → live view: delay p99', percentile(delays, 99), 'ms', atMost(2000)),
    ];
  } finally {
    agent.destroy();
    await live.stop();
  }
}

export async function measureLive(sizes: LiveSizes): Promise<Figure[]> {
  return [...(await throughput(sizes)), ...(await visibility(sizes))];
}
