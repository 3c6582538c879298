/**
 * Forgetting as the analytics API shows it. The API has no per-user route, so what a forgotten
 * user leaves in its answers is their share of the aggregates: after the forget step and the next
 * fact build (the order `npm start` runs them in), the unsubscribes and the funnel no longer count
 * them, and every figure still equals SQL on the fact tables.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { STREAM_NAMES } from '../../functions/src/catalog.js';
import { DAY } from '../../functions/src/time.js';
import { type ApiServer, startApiServer } from '../../local/api-server.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { forgetLocal } from '../../local/forget.js';
import { runModels } from '../../local/sql/models.js';
import { DEFAULT_DATASETS } from '../../sql/datasets.js';
import {
  FROM,
  fastClient,
  run,
  type Simulator,
  silent,
  simulator,
  tempWarehouse,
} from '../support/pipeline.js';

const RANGE = { from: FROM, to: FROM + 2 * DAY };
const NOW = RANGE.to + DAY;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const UNSUBSCRIBES = `/v1/unsubscribes?from=${date(RANGE.from)}&to=${date(RANGE.to)}&limit=1000`;
const FUNNEL = '/v1/funnel?limit=1000';

type Row = Record<string, unknown>;

interface Answers {
  readonly unsubscribes: Row[];
  readonly funnel: Row[];
}

const sum = (rows: readonly Row[], column: string) => rows.reduce((n, r) => n + Number(r[column]), 0);

describe('a forgotten user in the analytics API', () => {
  let sim: Simulator;
  let file: string;
  let warehouse: DuckDbWarehouse;
  let api: ApiServer;
  let victim: { key: string; unsubscribes: number; campaigns: number };
  let before_: Answers;

  const get = async (path: string): Promise<string> => {
    const response = await fetch(`${api.url}${path}`);
    assert.equal(response.status, 200, path);
    return response.text();
  };
  const answers = async (): Promise<Answers> => {
    const unsubscribes = JSON.parse(await get(UNSUBSCRIBES)) as { data: Row[]; next_cursor: string | null };
    const funnel = JSON.parse(await get(FUNNEL)) as { data: Row[]; next_cursor: string | null };
    // One page holds all of a two-day run; a second page would mean the sums below miss rows.
    assert.equal(unsubscribes.next_cursor, null);
    assert.equal(funnel.next_cursor, null);
    return { unsubscribes: unsubscribes.data, funnel: funnel.data };
  };

  before(async () => {
    sim = await simulator({ days: 2, events: 4000, seed: 5 });
    file = tempWarehouse();
    await run(sim, file, RANGE);
    // As `npm start` does: the users Iterable had forgotten already leave before the facts are built.
    const forget = () =>
      forgetLocal({ iterable: fastClient(sim), warehouseFile: file, log: silent, now: () => NOW });
    assert.deepEqual((await forget()).warnings, []);
    warehouse = await DuckDbWarehouse.open(file);
    await runModels(warehouse, { now: NOW });
    // The recipient who unsubscribed most, among those sent a campaign's email.
    const [chosen] = await warehouse.query<{ key: string; unsubscribes: number; campaigns: number }>(
      `SELECT user_key AS key, count(*) FILTER (WHERE event_type = 'unsubscribe') AS unsubscribes,
              count(DISTINCT campaign_id) FILTER (WHERE event_type = 'send') AS campaigns
       FROM iterable_analytics.stg_email_events
       GROUP BY user_key
       HAVING unsubscribes > 0 AND campaigns > 0
       ORDER BY unsubscribes DESC, campaigns DESC, user_key LIMIT 1`,
    );
    assert.ok(chosen, 'the simulator has a recipient who unsubscribed');
    victim = chosen;
    api = await startApiServer({
      warehouseFile: file,
      datasets: DEFAULT_DATASETS,
      streams: STREAM_NAMES,
      port: 0,
      auth: { kind: 'iam' },
      // No answer cache: the second read must see the facts as they are then.
      settings: { cacheSeconds: 0, cacheEntries: 1 },
      log: silent,
      now: () => NOW,
    });
    before_ = await answers();
    sim.forgetUsers([victim.key]);
    const forgotten = await forget();
    assert.deepEqual(forgotten.warnings, []);
    assert.deepEqual(
      forgotten.outcome?.forgotten.map((u) => u.hash),
      [createHash('sha256').update(victim.key).digest('hex')],
      'the victim alone is forgotten now',
    );
    await runModels(warehouse, { now: NOW });
  });

  after(async () => {
    await api?.close();
    await warehouse?.close();
    await sim?.close();
  });

  it('no longer counts their unsubscribes', async () => {
    const after_ = await answers();
    assert.equal(
      sum(after_.unsubscribes, 'count_unsubscribes'),
      sum(before_.unsubscribes, 'count_unsubscribes') - victim.unsubscribes,
    );
  });

  it('no longer counts them among any campaign’s recipients', async () => {
    const after_ = await answers();
    assert.equal(
      sum(after_.funnel, 'count_recipients_sent'),
      sum(before_.funnel, 'count_recipients_sent') - victim.campaigns,
    );
  });

  it('answers figures equal to SQL on the fact tables after forgetting', async () => {
    const after_ = await answers();
    const unsubscribes = await warehouse.query(
      `SELECT CAST(event_on AS VARCHAR) AS event_on, message_type_id, message_type_name, unsub_source,
              count_unsubscribes, count_unique_unsubscribes, count_delivered, churn_rate
       FROM iterable_analytics.unsubscribe_fact
       WHERE event_on >= DATE '${date(RANGE.from)}' AND event_on < DATE '${date(RANGE.to)}'
       ORDER BY event_on, message_type_id NULLS LAST, unsub_source NULLS LAST`,
    );
    assert.deepEqual(after_.unsubscribes, unsubscribes);
    const [funnel] = await warehouse.query<{ sent: number; delivered: number; opened: number }>(
      `SELECT sum(count_recipients_sent) AS sent, sum(count_recipients_delivered) AS delivered,
              sum(count_recipients_opened) AS opened
       FROM iterable_analytics.email_funnel_fact`,
    );
    assert.deepEqual(
      {
        sent: sum(after_.funnel, 'count_recipients_sent'),
        delivered: sum(after_.funnel, 'count_recipients_delivered'),
        opened: sum(after_.funnel, 'count_recipients_opened'),
      },
      funnel,
    );
  });
});
