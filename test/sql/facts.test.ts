/**
 * The fact tables built on the simulator's data equal what the definitions give when computed in
 * TypeScript from the simulator's own truth; rebuilding changes nothing; late events inside the
 * lookback change exactly the rows they should; Iterable's totals reconcile to the cent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { streamByName } from '../../functions/src/catalog.js';
import { CampaignMetricsClient } from '../../functions/src/iterable/campaign-metrics.js';
import { NO_PACING } from '../../functions/src/iterable/pacer.js';
import { formatIterableTimestamp, parseIterableTimestamp } from '../../functions/src/iterable/timestamps.js';
import { DAY } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { runAssertions } from '../../local/sql/assertions.js';
import { loadCampaignMetrics } from '../../local/sql/campaign-metrics-load.js';
import { runModels } from '../../local/sql/models.js';
import { campaignSummary, reconciliationSummary } from '../../local/sql/summary.js';
import { rawWindowedTables, unboundedRawScans } from '../../local/sql/table-scans.js';
import { FROM, run, type Simulator, simulator, tempWarehouse } from '../support/pipeline.js';
import { expectedFacts } from './support/expected-facts.js';
import {
  campaignDimensions,
  EVENT_STREAMS,
  type EventStream,
  latestProfiles,
  parseEvent,
  type TruthEvent,
} from './support/truth.js';
import { changedKeys, FACT_TABLES, normalise, readFacts } from './support/warehouse-facts.js';

const DAYS = 10;
const RANGE = { from: FROM, to: FROM + DAYS * DAY };
/** The build runs as of the end of the simulated range. */
const NOW = RANGE.to;

describe('fact tables on simulator data', () => {
  let sim: Simulator;
  let warehouse: DuckDbWarehouse;
  let events: TruthEvent[];

  const expected = (now = NOW, extra: readonly TruthEvent[] = []) => {
    const all = [...events, ...extra];
    const profiles = latestProfiles(sim.truth.lines('users', { start: RANGE.from, end: RANGE.to }));
    const facts = expectedFacts(all, campaignDimensions(sim.truth.dimension), now, profiles);
    return Object.fromEntries(FACT_TABLES.map((t) => [t, normalise(t, facts[t])])) as typeof facts;
  };

  before(async () => {
    sim = await simulator({ days: DAYS, events: 8000 });
    const file = tempWarehouse();
    // Day-long windows: fewer requests, same data.
    await run(sim, file, RANGE, { windowMinutes: 24 * 60 });
    events = (Object.keys(EVENT_STREAMS) as EventStream[]).flatMap((stream) =>
      sim.truth.lines(stream, { start: RANGE.from, end: RANGE.to }).map((line) => parseEvent(stream, line)),
    );
    warehouse = await DuckDbWarehouse.open(file);
    const client = new CampaignMetricsClient({ baseUrl: sim.url, apiKey: 'test-key', pacer: NO_PACING });
    await loadCampaignMetrics(warehouse, client, { start: RANGE.from, end: RANGE.to });
    await runModels(warehouse, { now: NOW });
  });

  after(async () => {
    await warehouse?.close();
    await sim?.close();
  });

  it('covers the edge cases the definitions must handle', () => {
    const repeated = (type: TruthEvent['type']) => {
      const keys = events.filter((e) => e.type === type).map((e) => `${e.campaignId}|${e.userKey}`);
      return new Set(keys).size < keys.length;
    };
    const cases: [string, boolean][] = [
      [
        'unsubscribes without campaign',
        events.some((e) => e.type === 'unsubscribe' && e.campaignId === null),
      ],
      ['machine opens', events.some((e) => e.isMachineOpen)],
      ['bounced sends', events.some((e) => e.type === 'bounce')],
      ['attributed purchases', events.some((e) => e.type === 'purchase' && e.campaignId !== null)],
      ['repeated opens by one user', repeated('open')],
      ['repeated clicks by one user', repeated('click')],
    ];
    for (const [name, present] of cases) assert.ok(present, name);
  });

  it('builds every fact table exactly as the definitions give', async () => {
    const actual = await readFacts(warehouse);
    const wanted = expected();
    for (const table of FACT_TABLES) assert.deepEqual(actual[table], wanted[table], table);
  });

  it('gives a campaign without opens a zero open rate and a campaign without sends NULL rates', async () => {
    const rows = await warehouse.query<{
      count_sends: number;
      count_opens: number;
      open_rate: number | null;
    }>(
      `SELECT count_sends, count_opens, open_rate, click_to_open_rate
       FROM iterable_analytics.campaign_fact_table WHERE count_opens = 0 ORDER BY count_sends`,
    );
    assert.deepEqual(
      rows.map((r) => Object.values(r)),
      [
        [0, 0, null, null],
        [rows[1]?.count_sends, 0, 0, null],
      ],
    );
  });

  it('passes every assertion of sql/assertions', async () => {
    for (const { name, failingRows } of await runAssertions(warehouse))
      assert.deepEqual(failingRows, [], name);
  });

  it("reconciles with Iterable's own totals to the cent", async () => {
    const summary = await reconciliationSummary(warehouse);
    const campaigns = sim.truth.dimension('campaigns').length;
    assert.deepEqual(summary, { campaigns, reconciled: campaigns, mismatches: [] });
    const [top] = await campaignSummary(warehouse, 1);
    assert.ok(top && top.count_sends > 0);
  });

  it('changes nothing when the build runs again', async () => {
    const first = await readFacts(warehouse);
    await runModels(warehouse, { now: NOW });
    assert.deepEqual(await readFacts(warehouse), first);
  });

  it('builds the same facts when run once a day, each run settling the day that left the lookback', async () => {
    const first = await readFacts(warehouse);
    // Loaded long ago, so the rebuild start is the lookback's: the lifetime tables then hold the
    // dates before it (the later tests keep these load times). The first of the runs starts before
    // the lifetime tables' settled date (they are rebuilt); each later one settles one more day.
    await ageLoads(warehouse, NOW - 30 * DAY);
    for (let day = 4; day >= 1; day--) await runModels(warehouse, { now: NOW - day * DAY });
    await runModels(warehouse, { now: NOW });
    assert.deepEqual(await readFacts(warehouse), first);
  });

  it('rebuilds from history the tables an earlier version built with other columns', async () => {
    const first = await readFacts(warehouse);
    // As an earlier version left them: a fact table without a column, an intermediate table with one more.
    await warehouse.query('ALTER TABLE iterable_analytics.campaign_fact_table DROP COLUMN complaint_rate');
    await warehouse.query('ALTER TABLE iterable_analytics.user_daily ADD COLUMN retired_count BIGINT');
    const runs = await runModels(warehouse, { now: NOW });
    assert.deepEqual(
      runs.flatMap((r) => r.rebuilt),
      ['iterable_analytics.user_daily', 'iterable_analytics.campaign_fact_table'],
    );
    assert.deepEqual(await readFacts(warehouse), first);
    const again = await runModels(warehouse, { now: NOW });
    assert.deepEqual(
      again.flatMap((r) => r.rebuilt),
      [],
      'rebuilt once',
    );
  });

  it('reads the raw tables only from a constant or a script variable, and changes nothing', async () => {
    const first = await readFacts(warehouse);
    const runs = await runModels(warehouse, { now: NOW, profile: true });
    const scans = runs.flatMap((r) => r.scans ?? []);
    const raw = rawWindowedTables(warehouse.datasets);
    assert.ok(
      scans.some((s) => raw.has(s.table) && s.rowsScanned > 0),
      'the build read raw tables',
    );
    assert.deepEqual(unboundedRawScans(scans, warehouse.datasets), []);
    assert.deepEqual(await readFacts(warehouse), first);
  });

  it('moves engagement segments with the reference time, and nothing else', async () => {
    const before = await readFacts(warehouse);
    const later = NOW + 60 * DAY;
    await runModels(warehouse, { now: later });
    const after = await readFacts(warehouse);
    assert.deepEqual(after.user_engagement_fact, expected(later).user_engagement_fact);
    assert.ok(after.user_engagement_fact.some((u) => u.engagement_segment === 'at_risk'));
    for (const table of FACT_TABLES.filter((t) => t !== 'user_engagement_fact')) {
      assert.deepEqual(after[table], before[table], table);
    }
    await runModels(warehouse, { now: NOW });
    assert.deepEqual(await readFacts(warehouse), before);
  });

  it('absorbs late events inside the lookback, changing exactly the rows they touch', async () => {
    const lateAt = NOW - 2 * DAY;
    const sends = events.filter((e) => e.type === 'send');
    const neverOpened = sends.find(
      (e) => !events.some((o) => o.type === 'open' && o.campaignId === e.campaignId),
    );
    const other = sends.find((e) => e.campaignId !== neverOpened?.campaignId);
    assert.ok(neverOpened && other);
    const late: [EventStream, Record<string, unknown>][] = [
      // A person opens the campaign nobody had opened: its rates go from 0 to positive, on the
      // row of the send's date in the cohort fact.
      [
        'email_open',
        {
          email: neverOpened.email,
          campaignId: neverOpened.campaignId,
          messageId: neverOpened.messageId,
          userAgentDevice: 'Mobile',
        },
      ],
      [
        'purchase',
        { email: 'late.buyer@example.com', campaignId: other.campaignId, id: 'late-1', total: 12.34 },
      ],
      ['email_unsubscribe', { email: other.email, unsubSource: 'Import' }],
    ];
    const lateEvents = late.map(([stream, record], k) => {
      const line = JSON.stringify({ createdAt: formatIterableTimestamp(lateAt + k * 1000), ...record });
      return { stream, line, event: parseEvent(stream, line) };
    });
    const before = await readFacts(warehouse);
    for (const { stream, line } of lateEvents) await insertRaw(warehouse, stream, line);
    await runModels(warehouse, { now: NOW });
    const after = await readFacts(warehouse);
    const wantedBefore = expected();
    const wantedAfter = expected(
      NOW,
      lateEvents.map((l) => l.event),
    );
    for (const table of FACT_TABLES) {
      assert.deepEqual(after[table], wantedAfter[table], table);
      const changed = changedKeys(table, before[table], after[table]);
      assert.deepEqual(
        changed,
        changedKeys(table, wantedBefore[table], wantedAfter[table]),
        `${table}: changed rows`,
      );
      assert.ok(changed.length > 0, `${table}: some row changed`);
    }
  });

  it('leaves the daily rows of dates before the lookback as they were, for rows loaded long ago', async () => {
    await ageLoads(warehouse, NOW - 30 * DAY);
    const oldAt = NOW - 9 * DAY;
    const before = await readFacts(warehouse);
    await insertRaw(warehouse, 'email_open', oldOpen(oldAt), NOW - 30 * DAY);
    await runModels(warehouse, { now: NOW });
    const after = await readFacts(warehouse);
    assert.deepEqual(after.email_performance_fact, before.email_performance_fact);
  });

  it('rebuilds older dates when rows dated there were loaded within the lookback (a backfill)', async () => {
    const oldAt = NOW - 8 * DAY + 3600_000;
    const line = oldOpen(oldAt);
    const { campaignId } = JSON.parse(line) as { campaignId: number };
    const row = async () =>
      (await readFacts(warehouse)).email_performance_fact.find(
        (r) =>
          r.campaign_id === campaignId &&
          String(r.event_on).startsWith(new Date(oldAt).toISOString().slice(0, 10)),
      );
    const before = Number((await row())?.count_opens ?? 0);
    await insertRaw(warehouse, 'email_open', line, NOW);
    await runModels(warehouse, { now: NOW });
    assert.equal(Number((await row())?.count_opens), before + 1);
  });

  /** An open of a campaign sent before `at`, dated `at`. */
  function oldOpen(at: number): string {
    const send = events.find((e) => e.type === 'send' && e.at < at);
    assert.ok(send);
    return JSON.stringify({
      createdAt: formatIterableTimestamp(at),
      email: send.email,
      campaignId: send.campaignId,
    });
  }
});

/** Marks every raw row as loaded at `at`, as if the loads happened then. */
async function ageLoads(warehouse: DuckDbWarehouse, at: number): Promise<void> {
  for (const stream of Object.keys(EVENT_STREAMS)) {
    await warehouse.query(
      `UPDATE iterable_raw.${stream}_raw SET _loaded_at = make_timestamptz(CAST($1 AS BIGINT) * 1000)`,
      [at],
    );
  }
}

/** Inserts one record into its raw table as a load would: typed columns from its fields, plus payload. */
async function insertRaw(
  warehouse: DuckDbWarehouse,
  stream: EventStream,
  line: string,
  loadedAt: number | null = null,
): Promise<void> {
  const record = JSON.parse(line) as Record<string, unknown>;
  const columns = streamByName(stream).columns.filter((c) => record[c.field] !== undefined);
  const values = columns.map((c) =>
    c.type === 'TIMESTAMP' ? parseIterableTimestamp(record[c.field]) : record[c.field],
  );
  const placeholders = columns.map((c, k) =>
    c.type === 'TIMESTAMP' ? `make_timestamptz(CAST($${k + 1} AS BIGINT) * 1000)` : `$${k + 1}`,
  );
  const n = columns.length;
  await warehouse.query(
    `INSERT INTO iterable_raw.${stream}_raw (${columns.map((c) => c.name).join(', ')}, payload, _loaded_at)
     VALUES (${placeholders.join(', ')}, CAST($${n + 1} AS JSON), make_timestamptz(CAST($${n + 2} AS BIGINT) * 1000))`,
    [...(values as (string | number | null)[]), line, loadedAt],
  );
}
