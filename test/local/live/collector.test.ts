/**
 * The collector over real HTTP, as `npm run live` serves it: the header check, the body bound,
 * malformed bodies kept as live rejects, unknown event names kept, duplicates stored with one key,
 * a stop in the middle of a burst that loses no event it answered 2xx, and a restart that replays
 * what the durable buffer still held.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_WEBHOOK_BYTES } from '../../../functions/src/live/collect.js';
import type { LogEntry } from '../../../functions/src/log.js';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { DurableLog } from '../../../local/live/durable-log.js';
import { appendLive } from '../../../local/live/live-appender.js';
import { type LiveRuntime, startLive } from '../../../local/live/live-runtime.js';
import { post, webhookBody } from './webhooks.js';

const SECRET = 'Bearer live-secret-1234';
const AUTH = { authorization: SECRET };
const T0 = Date.UTC(2026, 10, 3, 9);

const open = {
  eventName: 'emailOpen',
  email: 'Ana@example.com',
  createdAt: T0,
  fields: { campaignId: 41, templateId: 7, messageId: 'm-1', proxySource: 'Apple' },
};

describe('the collector over HTTP (npm run live)', () => {
  let live: LiveRuntime;
  const logs: LogEntry[] = [];
  /** Reads the warehouse once every event answered so far has moved there from the buffer. */
  const query = async <T>(sql: string, values?: Record<string, string>): Promise<T[]> => {
    await live.settled();
    return live.warehouse.query<T>(sql, values);
  };
  const count = async (sql: string): Promise<number> => (await query<{ n: number }>(sql))[0]?.n ?? -1;

  before(async () => {
    live = await startLive({
      warehouseFile: ':memory:',
      port: 0,
      authorization: SECRET,
      log: (e) => logs.push(e),
      now: () => T0 + 5000,
    });
  });
  after(() => live.stop());

  it('stores a webhook with its identifying columns and the whole record as payload', async () => {
    const answer = await post(live.url, webhookBody(open), AUTH);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.stream, 'email_open');
    const [row] = await query<Record<string, unknown>>(
      `SELECT stream, event_name, email, campaign_id, template_id, iterable_message_id, epoch_ms(created_at) AS created_ms,
              payload->>'proxySource' AS proxy, message_id IS NOT NULL AS has_id
       FROM iterable_live.events WHERE event_key = $key`,
      { key: String(answer.body.eventKey) },
    );
    assert.deepEqual(row, {
      stream: 'email_open',
      event_name: 'emailOpen',
      email: 'Ana@example.com',
      campaign_id: 41,
      template_id: 7,
      iterable_message_id: 'm-1',
      created_ms: T0,
      proxy: 'Apple',
      has_id: true,
    });
  });

  const refused = [
    { name: 'no Authorization header', headers: {} as Record<string, string> },
    { name: 'a wrong header of the same length', headers: { authorization: SECRET.replace('1234', '1235') } },
    { name: 'the secret without its scheme', headers: { authorization: 'live-secret-1234' } },
    {
      name: 'the secret as OAuth2 when Basic was configured',
      headers: { authorization: `OAuth2 ${SECRET}` },
    },
  ];
  for (const { name, headers } of refused) {
    it(`answers 401 to ${name}, storing and logging nothing of the body`, async () => {
      const before = await count('SELECT count(*) AS n FROM iterable_live.events');
      const rejectsBefore = await count('SELECT count(*) AS n FROM iterable_live.rejects');
      const body = webhookBody({ ...open, email: 'unauthorised@example.com' });
      const answer = await post(live.url, body, headers);
      assert.equal(answer.status, 401);
      assert.equal(await count('SELECT count(*) AS n FROM iterable_live.events'), before);
      assert.equal(await count('SELECT count(*) AS n FROM iterable_live.rejects'), rejectsBefore);
      assert.ok(!JSON.stringify(logs).includes('unauthorised@example.com'));
      assert.ok(!JSON.stringify(logs).includes('live-secret'));
    });
  }

  const malformed = [
    { name: 'a body that is not JSON', body: '{"eventName": "emailOpen",', reason: /not JSON/ },
    {
      name: 'a webhook without createdAt',
      body: JSON.stringify({ email: 'a@example.com', eventName: 'emailOpen', dataFields: { campaignId: 1 } }),
      reason: /dataFields\.createdAt: required/,
    },
    {
      name: 'a createdAt that is no time',
      body: JSON.stringify({ eventName: 'emailClick', dataFields: { createdAt: 'yesterday' } }),
      reason: /dataFields\.createdAt: not an Iterable timestamp/,
    },
    {
      name: 'a campaignId of the wrong type',
      body: JSON.stringify({ eventName: 'emailSend', dataFields: { createdAt: T0, campaignId: 'abc' } }),
      reason: /dataFields\.campaignId/,
    },
    { name: 'a JSON array', body: '[1, 2]', reason: /not an Iterable system webhook/ },
  ];
  for (const { name, body, reason } of malformed) {
    it(`answers 400 with the reason to ${name}, and keeps it as a live reject`, async () => {
      const answer = await post(live.url, body, AUTH);
      assert.equal(answer.status, 400);
      assert.match(String(answer.body.error), reason);
      const rows = await query<{ reason: string }>(
        'SELECT reason FROM iterable_live.rejects WHERE body = $body',
        { body },
      );
      assert.equal(rows.length, 1);
      assert.match(rows[0]?.reason ?? '', reason);
    });
  }

  it('answers 413 to a body over the bound, keeping only its first kilobyte as a reject', async () => {
    const body = webhookBody({
      ...open,
      fields: { url: `https://example.com/${'x'.repeat(MAX_WEBHOOK_BYTES)}` },
    });
    const answer = await post(live.url, body, AUTH);
    assert.equal(answer.status, 413);
    const [row] = await query<{ size: number }>(
      `SELECT length(body) AS size FROM iterable_live.rejects WHERE reason LIKE '%larger than%'`,
    );
    assert.equal(row?.size, 1024);
  });

  it('keeps an event name the catalog does not know, with no stream', async () => {
    const body = webhookBody({
      eventName: 'smsSend',
      email: 'b@example.com',
      createdAt: T0,
      fields: { x: 1 },
    });
    const answer = await post(live.url, body, AUTH);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.stream, null);
    const [row] = await query<{ stream: string | null; x: string }>(
      `SELECT stream, payload->>'x' AS x FROM iterable_live.events WHERE event_name = 'smsSend'`,
    );
    assert.deepEqual(row, { stream: null, x: '1' });
  });

  it('stores a webhook delivered twice as two rows with one event key, for the views to count once', async () => {
    const body = webhookBody({ ...open, email: 'twice@example.com' });
    const first = await post(live.url, body, AUTH);
    const second = await post(live.url, body, AUTH);
    assert.equal(first.status, 200);
    assert.equal(second.body.eventKey, first.body.eventKey);
    const rows = await query<{ message_id: string }>(
      `SELECT message_id FROM iterable_live.events WHERE email = 'twice@example.com'`,
    );
    assert.equal(rows.length, 2);
    assert.notEqual(rows[0]?.message_id, rows[1]?.message_id);
  });

  it('answers 405 to a GET and 404 off the root', async () => {
    assert.equal((await fetch(live.url)).status, 405);
    assert.equal((await post(`${live.url}events`, webhookBody(open), AUTH)).status, 404);
  });
});

describe('stopping npm run live in the middle of a burst', () => {
  it('has every event it answered 2xx in the warehouse file once it stopped', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'live-stop-')), 'warehouse.duckdb');
    const live = await startLive({ warehouseFile: file, port: 0, authorization: SECRET, log: () => {} });
    const sent = Array.from({ length: 300 }, (_, i) =>
      post(live.url, webhookBody({ ...open, email: `burst-${i}@example.com` }), AUTH).catch(() => null),
    );
    // Stop once the first answer is in, while the rest are still in flight or queued.
    await Promise.race(sent);
    await live.stop();
    const answers = await Promise.all(sent);
    const accepted = answers.filter((a) => a?.status === 200).length;
    assert.ok(accepted > 0);
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      const [row] = await warehouse.query<{ n: number }>(
        `SELECT count(*) AS n FROM iterable_live.events WHERE email LIKE 'burst-%'`,
      );
      assert.equal(row?.n, accepted);
    } finally {
      await warehouse.close();
    }
  });
});

describe('restarting npm run live after a crash', () => {
  it('replays into DuckDB what the durable buffer held, once, and empties the buffer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-replay-'));
    const file = join(dir, 'warehouse.duckdb');
    const bufferDir = join(dir, 'buffer');
    // A run that crashed: two messages made durable, the first of them already committed to DuckDB.
    const message = (n: number) => ({
      table: 'events' as const,
      json: JSON.stringify({
        stream: 'email_open',
        event_name: 'emailOpen',
        created_at: T0,
        email: `crash-${n}@example.com`,
        user_id: null,
        campaign_id: 41,
        template_id: 7,
        iterable_message_id: `m-${n}`,
        payload: '{}',
        event_key: `key-${n}`,
        received_at: T0,
        message_id: `crash-message-${n}`,
        publish_time: T0,
      }),
    });
    const crashed = DurableLog.open(bufferDir, () => {}).log;
    await crashed.append(message(1));
    await crashed.append(message(2));
    const warehouse = await DuckDbWarehouse.open(file);
    const c = await warehouse.connect();
    await appendLive(c, 'events', [JSON.parse(message(1).json)]);
    c.closeSync();
    await warehouse.close();

    const live = await startLive({
      warehouseFile: file,
      bufferDir,
      port: 0,
      authorization: SECRET,
      log: () => {},
    });
    try {
      const rows = await live.warehouse.query<{ email: string }>(
        `SELECT email FROM iterable_live.events WHERE email LIKE 'crash-%' ORDER BY email`,
      );
      assert.deepEqual(
        rows.map((r) => r.email),
        ['crash-1@example.com', 'crash-2@example.com'],
      );
    } finally {
      await live.stop();
    }
    assert.deepEqual(readdirSync(bufferDir), []);
  });
});
