/**
 * Forgetting, end to end on this machine: the simulator lists a user as forgotten, the forget step
 * deletes every row of theirs from every table that can hold one (raw tables, rejects, facts), the
 * audit says how many rows went from where (by hash only), a second run changes nothing, and a
 * reload of the period does not bring them back even while the export still serves them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { readFacts } from '../../cli/dashboard/data.js';
import { DAY } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { forgetLocal } from '../../local/forget.js';
import { runModels } from '../../local/sql/models.js';
import {
  FROM,
  fastClient,
  run,
  type Simulator,
  silent,
  simulator,
  tempWarehouse,
} from '../support/pipeline.js';
import { rowsOf, total, type Victim } from './forget-rows.js';

const sha256 = (text: string) => createHash('sha256').update(text.trim().toLowerCase()).digest('hex');
const RANGE = { from: FROM, to: FROM + 2 * DAY };
const NOW = RANGE.to + DAY;

describe('forgetting a user Iterable has forgotten', () => {
  let sim: Simulator;
  let file: string;
  let victim: Victim;
  let before_: Record<string, number>;

  before(async () => {
    sim = await simulator({ days: 2, events: 4000, seed: 11 });
    file = tempWarehouse();
    // The most engaged recipient, so the dashboard lists them before they are forgotten.
    await run(sim, file, RANGE);
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      await runModels(warehouse, { now: NOW });
      const [top] = await warehouse.query<{ user_key: string }>(
        `SELECT user_key FROM iterable_analytics.user_engagement_fact
         ORDER BY count_clicks DESC, count_opens DESC, user_key LIMIT 1`,
      );
      const [ids] = await warehouse.query<{ email: string; user_id: string | null }>(
        `SELECT email, max(user_id) AS user_id FROM iterable_raw.email_send_raw WHERE lower(email) = '${top?.user_key}' GROUP BY email`,
      );
      assert.ok(ids, 'the most engaged user has sends');
      victim = { email: ids.email, userId: ids.user_id };
      // A record of theirs that failed validation sits in the rejects.
      await warehouse.query(
        `INSERT INTO iterable_raw.email_open_rejects (stream, created_at, line, reason)
         VALUES ('email_open', TIMESTAMP '2026-10-01 10:00:00', '{"email":"${victim.email}","campaignId":"x"', 'malformed JSON')`,
      );
      before_ = await rowsOf(warehouse, victim);
      const engaged = (await readFacts(warehouse)).engagedUsers.map((u) => u.user_key);
      assert.ok(engaged.includes(victim.email.toLowerCase()), 'the dashboard lists the user before');
    } finally {
      await warehouse.close();
    }
    // Iterable lists them but, in the worst case, its export still serves their records.
    sim.forgetUsers([victim.email], { stillExported: true });
  });

  after(async () => {
    await sim.close();
  });

  it('deletes every row of the user from every table and from the dashboard, and audits the counts', async () => {
    assert.ok((before_['iterable_raw.email_send_raw'] ?? 0) > 0);
    assert.ok((before_['iterable_raw.users_raw'] ?? 0) > 0, 'the user has a profile');
    assert.equal(before_['iterable_raw.email_open_rejects'], 1);
    assert.equal(before_['iterable_analytics.user_engagement_fact'], 1);

    const result = await forgetLocal({
      iterable: fastClient(sim),
      warehouseFile: file,
      log: silent,
      now: () => NOW,
    });
    assert.deepEqual(result.warnings, []);
    const emailHash = sha256(victim.email);
    const forgotten = result.outcome?.forgotten.find((u) => u.hash === emailHash);
    assert.ok(forgotten, 'the user was forgotten');
    assert.equal(forgotten.rows, total(before_));

    const warehouse = await DuckDbWarehouse.open(file);
    try {
      const afterRows = await rowsOf(warehouse, victim);
      assert.equal(total(afterRows), 0, `rows left: ${JSON.stringify(afterRows)}`);
      const engaged = (await readFacts(warehouse)).engagedUsers.map((u) => u.user_key);
      assert.ok(!engaged.includes(victim.email.toLowerCase()), 'the dashboard no longer lists the user');

      const audit = await warehouse.query<{
        user_hash: string;
        tables: string;
        rows_deleted: number;
        forgotten_at: number;
      }>(
        `SELECT user_hash, CAST(tables AS VARCHAR) AS tables, rows_deleted, epoch_ms(forgotten_at) AS forgotten_at
         FROM iterable_raw.forgotten_users WHERE user_hash = '${emailHash}'`,
      );
      assert.equal(audit.length, 1);
      assert.equal(audit[0]?.rows_deleted, total(before_));
      assert.equal(audit[0]?.forgotten_at, NOW);
      const perTable = JSON.parse(audit[0]?.tables ?? '{}') as Record<string, number>;
      for (const [table, n] of Object.entries(before_)) assert.equal(perTable[table] ?? 0, n, table);
      const [plain] = await warehouse.query<{ n: number }>(
        `SELECT count(*) AS n FROM iterable_raw.forgotten_users
         WHERE contains(lower(CAST(tables AS VARCHAR)), '${victim.email.toLowerCase()}') OR user_hash = '${victim.email}'`,
      );
      assert.equal(plain?.n, 0, 'the audit never holds the plain identifier');
    } finally {
      await warehouse.close();
    }
  });

  it('changes nothing when run twice', async () => {
    const read = async () => {
      const warehouse = await DuckDbWarehouse.open(file);
      try {
        return await warehouse.query(
          `SELECT user_hash, id_kind, CAST(tables AS VARCHAR) AS tables, rows_deleted FROM iterable_raw.forgotten_users ORDER BY user_hash`,
        );
      } finally {
        await warehouse.close();
      }
    };
    const first = await read();
    const result = await forgetLocal({
      iterable: fastClient(sim),
      warehouseFile: file,
      log: silent,
      now: () => NOW + DAY,
    });
    assert.deepEqual(result.outcome?.forgotten, []);
    assert.equal(result.outcome?.unchanged, result.listed);
    assert.deepEqual(await read(), first);
  });

  it('does not bring the user back when the period is loaded again', async () => {
    const reload = await run(sim, file, RANGE, { backfill: true, reread: true });
    assert.equal(reload.queue.failed, 0);
    assert.ok(reload.queue.succeeded > 0, 'the period was loaded again');
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      await runModels(warehouse, { now: NOW + DAY });
      assert.equal(total(await rowsOf(warehouse, victim)), 0);
    } finally {
      await warehouse.close();
    }
  });

  it('warns, and deletes nothing, when the forgotten lists cannot be read', async () => {
    const result = await forgetLocal({
      iterable: fastClient(sim, 'wrong-key'),
      warehouseFile: file,
      log: silent,
    });
    assert.equal(result.outcome, null);
    assert.equal(result.warnings.length, 2);
  });
});
