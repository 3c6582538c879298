/**
 * Measurement 6: the analytics API (`npm run api`'s server, in its own process) on a warehouse
 * filled as measurement 5 fills it. Cached: one /v1/campaigns query asked over and over by
 * `concurrency` keep-alive clients, answered from the in-memory cache. Uncached: the cache off,
 * a mix of every route's queries (sorts, filters, roll-ups, a campaign's series), each read from
 * DuckDB. Latency is per request as the client sees it, loopback included. The server's own CPU
 * time per cached request (from /proc, Linux) says what one core can serve however busy the
 * machine is while the benchmark runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbWarehouse } from '../local/duckdb-warehouse.js';
import { runModels } from '../local/sql/models.js';
import type { ApiProcessArgs } from './api-process.js';
import { startServer } from './child.js';
import { BASE_DAYS, FROM, fillWarehouse } from './facts.js';
import { atLeast, atMost, type Figure, figure } from './figure.js';
import { cpuSeconds, loadAverage } from './process-cpu.js';

export interface ApiSizes {
  readonly baseEvents: number;
  readonly events: number;
  readonly cachedRequests: number;
  readonly uncachedRequests: number;
  readonly concurrency: number;
}

const DAY_MS = 86_400_000;
const CACHED_P99_MS = 50;
const CACHED_PER_SECOND = 1000;
const UNCACHED_P99_MS = 500;

const get = (agent: Agent, url: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(performance.now() - started)
          : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    })
      .on('error', reject)
      .end();
  });

/** Latencies of `total` requests from `concurrency` clients, and the wall time they took. */
async function load(urls: readonly string[], total: number, concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const url = urls[next++ % urls.length] ?? '';
        latencies.push(await get(agent, url));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? 0;
  return { p50: at(0.5), p99: at(0.99), perSecond: total / seconds };
}

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function uncachedMix(url: string, days: number, campaignId: number): string[] {
  const range = `from=${date(FROM)}&to=${date(FROM + Math.min(days, 60) * DAY_MS)}`;
  return [
    '/v1/campaigns',
    '/v1/campaigns?sort=-count_sends',
    '/v1/campaigns?sort=-open_rate&message_type=12',
    `/v1/campaigns/${campaignId}`,
    `/v1/daily?${range}`,
    `/v1/daily?${range}&group_by=message_type`,
    `/v1/daily?${range}&group_by=none&limit=1000`,
    '/v1/funnel?limit=1000',
    `/v1/unsubscribes?${range}&limit=1000`,
  ].map((path) => `${url}${path}`);
}

export async function measureApi(sizes: ApiSizes): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  const warehouseFile = join(dir, 'warehouse.duckdb');
  try {
    const copies = Math.max(1, Math.round(sizes.events / sizes.baseEvents));
    const warehouse = await DuckDbWarehouse.open(warehouseFile);
    let events: number;
    let campaignId: number;
    try {
      events = await fillWarehouse(warehouse, sizes.baseEvents, copies);
      await runModels(warehouse, { now: FROM + copies * BASE_DAYS * DAY_MS });
      const [top] = await warehouse.query<{ id: number }>(
        'SELECT campaign_id AS id FROM iterable_analytics.campaign_fact_table ORDER BY count_sends DESC LIMIT 1',
      );
      campaignId = top?.id ?? 1;
    } finally {
      await warehouse.close();
    }
    const label = `${events.toLocaleString('en-US')} raw events`;

    const cached = await startServer<{ url: string; pid: number }>('api-process.ts', {
      warehouseFile,
      cacheSeconds: 3600,
    } satisfies ApiProcessArgs);
    let hot: Awaited<ReturnType<typeof load>>;
    let cpuMicros: number;
    let hotLoad: number;
    try {
      const url = `${cached.hello.url}/v1/campaigns`;
      await load([url], sizes.concurrency, 1);
      const cpuBefore = cpuSeconds(cached.hello.pid);
      hot = await load([url], sizes.cachedRequests, sizes.concurrency);
      cpuMicros = ((cpuSeconds(cached.hello.pid) - cpuBefore) * 1e6) / sizes.cachedRequests;
      hotLoad = loadAverage();
    } finally {
      await cached.stop();
    }

    const uncached = await startServer<{ url: string }>('api-process.ts', {
      warehouseFile,
      cacheSeconds: 0,
    } satisfies ApiProcessArgs);
    let cold: Awaited<ReturnType<typeof load>>;
    try {
      const mix = uncachedMix(uncached.hello.url, copies * BASE_DAYS, campaignId);
      // One round first: DuckDB reads the file's blocks into memory once, as a running server has.
      await load(mix, mix.length, 1);
      cold = await load(mix, sizes.uncachedRequests, 2);
    } finally {
      await uncached.stop();
    }

    return [
      figure(`/v1/campaigns cached, ${sizes.concurrency} clients: p99`, hot.p99, 'ms', atMost(CACHED_P99_MS)),
      figure(`/v1/campaigns cached: requests/s`, hot.perSecond, 'req/s', atLeast(CACHED_PER_SECOND)),
      figure(`/v1/campaigns cached: p50`, hot.p50, 'ms'),
      figure(`/v1/campaigns cached: server CPU per request`, cpuMicros, 'µs'),
      figure('/v1/campaigns cached: load average (1 min) at the end', hotLoad, 'runnable'),
      figure(`uncached mix of every route on ${label}: p99`, cold.p99, 'ms', atMost(UNCACHED_P99_MS)),
      figure(`uncached mix: p50`, cold.p50, 'ms'),
      figure(`uncached mix, 2 clients: requests/s`, cold.perSecond, 'req/s'),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
