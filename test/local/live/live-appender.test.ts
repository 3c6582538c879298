/**
 * The stand-in subscription's Appender: more messages than one data chunk holds land with every
 * column as the subscription would write it (nulls, timestamps, metadata), inside the caller's
 * transaction; a live table whose columns differ from the declared ones (by name or order) is
 * refused before npm run live accepts anything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { appendLive, checkLiveTables, type LiveMessage } from '../../../local/live/live-appender.js';

const T0 = Date.UTC(2026, 10, 3, 9);
/** More than one DuckDB data chunk (2,048 rows). */
const COUNT = 3_000;

const event = (i: number): LiveMessage => ({
  stream: i % 2 === 0 ? 'email_open' : null,
  event_name: i % 2 === 0 ? 'emailOpen' : 'smsSend',
  created_at: T0 + i,
  email: `a-${i}@example.com`,
  user_id: i % 3 === 0 ? null : `u-${i}`,
  campaign_id: i % 5 === 0 ? null : 1000 + i,
  template_id: 7,
  iterable_message_id: `m-${i}`,
  payload: JSON.stringify({ proxySource: 'Apple', n: i }),
  event_key: `key-${i}`,
  received_at: T0 + 5000,
  message_id: `message-${i}`,
  publish_time: T0 + 6000,
});

describe('appendLive', () => {
  it('writes more messages than a chunk holds, each column as published, within the transaction', async () => {
    const warehouse = await DuckDbWarehouse.open(':memory:');
    const c = await warehouse.connect();
    try {
      await c.run('BEGIN TRANSACTION');
      await appendLive(
        c,
        'events',
        Array.from({ length: COUNT }, (_, i) => event(i)),
      );
      await appendLive(c, 'rejects', [
        { received_at: T0, reason: 'not JSON', body: '{', message_id: 'r-1', publish_time: T0 },
      ]);
      await c.run('COMMIT');
      const rows = await warehouse.query<Record<string, unknown>>(
        `SELECT stream, event_name, epoch_ms(created_at) AS created_ms, email, user_id, campaign_id, template_id,
                iterable_message_id, payload->>'proxySource' AS proxy, CAST(payload->>'n' AS INT) AS n, event_key,
                epoch_ms(received_at) AS received_ms, subscription_name, message_id, epoch_ms(publish_time) AS published_ms,
                attributes
         FROM iterable_live.events ORDER BY created_at`,
      );
      assert.equal(rows.length, COUNT);
      for (const i of [0, 2047, 2048, 2999]) {
        const e = event(i);
        assert.deepEqual(rows[i], {
          stream: e.stream,
          event_name: e.event_name,
          created_ms: T0 + i,
          email: e.email,
          user_id: e.user_id,
          campaign_id: e.campaign_id,
          template_id: 7,
          iterable_message_id: e.iterable_message_id,
          proxy: 'Apple',
          n: i,
          event_key: e.event_key,
          received_ms: T0 + 5000,
          subscription_name: 'local',
          message_id: e.message_id,
          published_ms: T0 + 6000,
          attributes: null,
        });
      }
      const [reject] = await warehouse.query<Record<string, unknown>>(
        `SELECT reason, body, message_id, subscription_name FROM iterable_live.rejects`,
      );
      assert.deepEqual(reject, {
        reason: 'not JSON',
        body: '{',
        message_id: 'r-1',
        subscription_name: 'local',
      });
    } finally {
      c.closeSync();
      await warehouse.close();
    }
  });

  it('refuses a live table whose columns are not the declared ones by name and order, and accepts the declared ones', async () => {
    const warehouse = await DuckDbWarehouse.open(':memory:');
    const c = await warehouse.connect();
    try {
      await checkLiveTables(c);
      await c.run('ALTER TABLE iterable_live.events RENAME COLUMN email TO mail');
      await assert.rejects(
        checkLiveTables(c),
        /iterable_live\.events has the columns .*mail.*drop the table/,
      );
      await c.run('ALTER TABLE iterable_live.events RENAME COLUMN mail TO email');
      await c.run('ALTER TABLE iterable_live.rejects ADD COLUMN extra VARCHAR');
      await assert.rejects(
        checkLiveTables(c),
        /iterable_live\.rejects has the columns .*extra.*drop the table/,
      );
    } finally {
      c.closeSync();
      await warehouse.close();
    }
  });
});
