/**
 * Forgetting in a user-id based project: Iterable lists the forgotten user by the hash of their
 * user id only (its email list answers an error there). A user with both identifiers has the email
 * as `user_key`, so tables keyed by it must be matched on the user id they carry beside it: every
 * row of the user goes, from the intermediate tables keyed by recipient as from the raw ones.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
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

describe('forgetting a user of a user-id based project', () => {
  let sim: Simulator;
  let file: string;
  let victim: Victim & { readonly userId: string };
  let before_: Record<string, number>;

  before(async () => {
    sim = await simulator({ days: 2, events: 4000, seed: 12, userIdBased: true });
    file = tempWarehouse();
    await run(sim, file, RANGE);
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      await runModels(warehouse, { now: NOW });
      // The recipient with both identifiers and the most sends.
      const [top] = await warehouse.query<{ email: string; user_id: string }>(
        `SELECT lower(email) AS email, max(user_id) AS user_id FROM iterable_raw.email_send_raw
         WHERE user_id IS NOT NULL AND email IS NOT NULL
         GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
      );
      assert.ok(top, 'a recipient with an email and a user id');
      victim = { email: top.email, userId: top.user_id };
      before_ = await rowsOf(warehouse, victim);
    } finally {
      await warehouse.close();
    }
    sim.forgetUsers([victim.userId]);
  });

  after(async () => {
    await sim.close();
  });

  it('reads the user-id list only, and deletes every row of the user, those keyed by email included', async () => {
    for (const table of ['campaign_recipient_daily', 'email_message_daily', 'user_daily']) {
      assert.ok((before_[`iterable_analytics.${table}`] ?? 0) > 0, `${table} holds the user's rows`);
    }
    const result = await forgetLocal({
      iterable: fastClient(sim),
      warehouseFile: file,
      log: silent,
      now: () => NOW,
    });
    assert.deepEqual(result.warnings, [], 'the email list refused is normal in a user-id based project');
    assert.ok(
      result.outcome?.forgotten.every((u) => u.kind === 'user_id'),
      'listed by user id only',
    );
    const forgotten = result.outcome?.forgotten.find((u) => u.hash === sha256(victim.userId));
    assert.ok(forgotten, 'the user was forgotten by the hash of their user id');
    assert.equal(forgotten.rows, total(before_));
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      const left = await rowsOf(warehouse, victim);
      assert.equal(total(left), 0, `rows left: ${JSON.stringify(left)}`);
    } finally {
      await warehouse.close();
    }
  });
});
