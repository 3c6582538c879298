/**
 * `npm run live` as a process: SIGTERM in the middle of a burst leaves every event it answered 2xx
 * in the warehouse file and an empty buffer, and after a SIGKILL (a crash: nothing flushed, the
 * DuckDB moves cut wherever they were) the next start has every event it answered 2xx, once.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { post, webhookBody } from '../local/live/webhooks.js';
import { tempWarehouse } from '../support/pipeline.js';

const SECRET = 'Bearer cli-live-secret';
const T0 = Date.UTC(2026, 10, 3, 9);

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
}

async function startLiveCommand(warehouse: string): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'cli/live.ts', '--port', '0', '--warehouse', warehouse],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, WEBHOOK_AUTHORIZATION: SECRET } },
  );
  let out = '';
  for (;;) {
    const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    out += chunk.toString();
    const url = /Collector at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
    if (url !== undefined) return { child, url };
  }
}

/** Posts `count` distinct webhooks at once; a request the stopping server never answered is null. */
const burst = (url: string, prefix: string, count: number): Promise<(number | null)[]> =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      post(
        url,
        webhookBody({
          eventName: 'emailOpen',
          email: `${prefix}-${i}@example.com`,
          createdAt: T0,
          fields: { campaignId: 41, messageId: `${prefix}-${i}` },
        }),
        { authorization: SECRET },
      ).then(
        (answer) => answer.status,
        () => null,
      ),
    ),
  );

async function storedRows(file: string, prefix: string): Promise<{ rows: number; distinct: number }> {
  const warehouse = await DuckDbWarehouse.open(file);
  try {
    const [row] = await warehouse.query<{ rows: number; distinct: number }>(
      `SELECT count(*) AS rows, count(DISTINCT email) AS distinct FROM iterable_live.events WHERE email LIKE '${prefix}-%'`,
    );
    return row ?? { rows: -1, distinct: -1 };
  } finally {
    await warehouse.close();
  }
}

describe('npm run live as a process', () => {
  it('on SIGTERM answers what is in flight, moves every accepted event to DuckDB and exits 0', async () => {
    const file = tempWarehouse();
    const { child, url } = await startLiveCommand(file);
    const exited = once(child, 'exit');
    const sent = burst(url, 'term', 400);
    // Stopped once the collector has surely read part of the burst: one answer came back.
    await post(url, webhookBody({ eventName: 'emailOpen', email: 'first@example.com', createdAt: T0 }), {
      authorization: SECRET,
    });
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    const accepted = (await sent).filter((status) => status === 200).length;
    assert.equal(code, 0);
    assert.deepEqual(await storedRows(file, 'term'), { rows: accepted, distinct: accepted });
    assert.deepEqual(readdirSync(`${file}.live-buffer`), []);
  });

  it('after a SIGKILL, the next start has every event answered 2xx, each once', async () => {
    const file = tempWarehouse();
    const first = await startLiveCommand(file);
    const statuses = await burst(first.url, 'kill', 500);
    const accepted = statuses.filter((status) => status === 200).length;
    assert.equal(accepted, 500);
    const killed = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    await killed;
    assert.ok(existsSync(`${file}.live-buffer`));

    const second = await startLiveCommand(file);
    const stopped = once(second.child, 'exit');
    second.child.kill('SIGTERM');
    await stopped;
    assert.deepEqual(await storedRows(file, 'kill'), { rows: accepted, distinct: accepted });
    assert.deepEqual(readdirSync(`${file}.live-buffer`), []);
  });
});
