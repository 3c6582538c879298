/**
 * send_hour_performance and send_hour_recommendation (sql/34) on simulator data equal what their
 * definitions give when computed in TypeScript from the simulator's own events: each send followed
 * through its message id, counted on the hour (UTC) it was sent, per message type and recipient
 * segment, Wilson intervals and the best hour taken by hand.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY, HOUR } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { runModels } from '../../local/sql/models.js';
import { FROM, run, type Simulator, simulator, tempWarehouse } from '../support/pipeline.js';
import {
  campaignDimensions,
  EVENT_STREAMS,
  type EventStream,
  parseEvent,
  type TruthEvent,
} from './support/truth.js';

const DAYS = 8;
const RANGE = { from: FROM, to: FROM + DAYS * DAY };
/** Mid-morning of the day after the range: the range's last day is yesterday, so it is left out. */
const NOW = RANGE.to + 10 * HOUR;
const MIN_SAMPLE = 100;
const Z = 1.96;

type Row = Record<string, unknown>;

interface Tally {
  delivered: number;
  opened: number;
  clicked: number;
}

/** Wilson's bound, within [0, 1] and to 9 decimals as the view gives it. */
const wilson = (k: number, n: number, sign: 1 | -1) => {
  const p = k / n;
  const bound =
    (p + (Z * Z) / (2 * n) + sign * Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) /
    (1 + (Z * Z) / n);
  return Math.round(Math.min(1, Math.max(0, bound)) * 1e9) / 1e9;
};
/** Floating point compared to 9 decimals, and -0 as 0. */
const round = (v: unknown) =>
  typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e9) / 1e9 + 0 : v === 0 ? 0 : v;
const plain = (rows: readonly Row[]) =>
  rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(typeof v === 'bigint' ? Number(v) : v)])),
  );

/** The hours of each message type x segment, from the events alone (and each user's segment). */
function expectedHours(
  events: readonly TruthEvent[],
  messageTypeOf: (campaignId: number) => string | null,
  segmentOf: ReadonlyMap<string, string>,
): Row[] {
  const sends = new Map<string, TruthEvent>();
  const reactions = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.messageId === null) continue;
    if (e.type === 'send') {
      const known = sends.get(e.messageId);
      if (!known || e.at < known.at) sends.set(e.messageId, e);
    } else {
      const set = reactions.get(e.messageId) ?? new Set<string>();
      set.add(e.type === 'open' && !e.isMachineOpen ? 'human_open' : e.type);
      reactions.set(e.messageId, set);
    }
  }
  const windowStart = Math.floor(NOW / DAY) * DAY - 91 * DAY;
  const windowEnd = Math.floor(NOW / DAY) * DAY - DAY;
  const tallies = new Map<string, Tally>();
  for (const [id, send] of sends) {
    const happened = reactions.get(id) ?? new Set();
    if (happened.has('bounce') || send.at < windowStart || send.at >= windowEnd) continue;
    const type = send.campaignId === null ? null : messageTypeOf(send.campaignId);
    const segment = send.userKey === null ? undefined : segmentOf.get(send.userKey);
    if (type === null || segment === undefined) continue;
    const hour = new Date(send.at).getUTCHours();
    for (const s of [segment, 'all']) {
      const key = JSON.stringify([type, s, hour]);
      const t = tallies.get(key) ?? { delivered: 0, opened: 0, clicked: 0 };
      t.delivered++;
      if (happened.has('human_open')) t.opened++;
      if (happened.has('click')) t.clicked++;
      tallies.set(key, t);
    }
  }
  return [...tallies].map(([key, t]) => {
    const [message_type_name, engagement_segment, send_hour] = JSON.parse(key) as [string, string, number];
    return {
      message_type_name,
      engagement_segment,
      send_hour,
      count_delivered: t.delivered,
      count_human_opened: t.opened,
      count_clicked: t.clicked,
      human_open_rate: t.opened / t.delivered,
      human_open_rate_lower: wilson(t.opened, t.delivered, -1),
      human_open_rate_upper: wilson(t.opened, t.delivered, 1),
      click_rate: t.clicked / t.delivered,
      click_rate_lower: wilson(t.clicked, t.delivered, -1),
      click_rate_upper: wilson(t.clicked, t.delivered, 1),
    };
  });
}

function expectedRecommendations(hours: readonly Row[]): Row[] {
  const groups = new Map<string, Row[]>();
  for (const h of hours) {
    if ((h.count_delivered as number) < MIN_SAMPLE) continue;
    const key = JSON.stringify([h.message_type_name, h.engagement_segment]);
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  return [...groups.values()].map((group) => {
    const [best, second] = [...group].sort(
      (a, b) =>
        (b.human_open_rate_lower as number) - (a.human_open_rate_lower as number) ||
        (a.send_hour as number) - (b.send_hour as number),
    ) as [Row, Row | undefined];
    const lower = best.human_open_rate_lower as number;
    const confidence =
      second === undefined
        ? 'uncertain'
        : lower > (second.human_open_rate_upper as number)
          ? 'clear'
          : lower > (second.human_open_rate as number)
            ? 'likely'
            : 'uncertain';
    return {
      message_type_name: best.message_type_name,
      engagement_segment: best.engagement_segment,
      best_send_hour: best.send_hour,
      sample_size: best.count_delivered,
      human_open_rate: best.human_open_rate,
      human_open_rate_lower: best.human_open_rate_lower,
      human_open_rate_upper: best.human_open_rate_upper,
      click_rate: best.click_rate,
      click_rate_lower: best.click_rate_lower,
      click_rate_upper: best.click_rate_upper,
      hours_compared: group.length,
      runner_up_send_hour: second?.send_hour ?? null,
      runner_up_human_open_rate: second?.human_open_rate ?? null,
      confidence,
    };
  });
}

const sortBy =
  (...columns: string[]) =>
  (rows: readonly Row[]) =>
    [...rows].sort((a, b) =>
      JSON.stringify(columns.map((c) => a[c])).localeCompare(JSON.stringify(columns.map((c) => b[c]))),
    );

describe('best send hour (sql/34) on simulator data', () => {
  let sim: Simulator;
  let warehouse: DuckDbWarehouse;
  let hours: Row[];

  before(async () => {
    sim = await simulator({ days: DAYS, events: 12000 });
    const file = tempWarehouse();
    await run(sim, file, RANGE, { windowMinutes: 24 * 60 });
    warehouse = await DuckDbWarehouse.open(file);
    await runModels(warehouse, { now: NOW });
    const events = (Object.keys(EVENT_STREAMS) as EventStream[]).flatMap((stream) =>
      sim.truth.lines(stream, { start: RANGE.from, end: RANGE.to }).map((line) => parseEvent(stream, line)),
    );
    const campaigns = campaignDimensions(sim.truth.dimension);
    // The segment is user_engagement_fact's (its own tests check it against the events).
    const segments = await warehouse.query<{ user_key: string; engagement_segment: string }>(
      'SELECT user_key, engagement_segment FROM iterable_analytics.user_engagement_fact',
    );
    hours = expectedHours(
      events,
      (id) => campaigns.get(id)?.message_type_name ?? null,
      new Map(segments.map((s) => [s.user_key, s.engagement_segment])),
    );
  });

  after(async () => {
    await warehouse?.close();
    await sim?.close();
  });

  const byHour = sortBy('message_type_name', 'engagement_segment', 'send_hour');
  const byGroup = sortBy('message_type_name', 'engagement_segment');

  it('counts each message type, segment and send hour as the events give', async () => {
    const actual = await warehouse.query('SELECT * FROM iterable_analytics.send_hour_performance');
    assert.ok(hours.length > 24, `enough hours to compare (${hours.length})`);
    assert.deepEqual(byHour(plain(actual)), byHour(plain(hours)));
  });

  it('recommends the hour with the best lower bound, with its sample and confidence', async () => {
    const actual = await warehouse.query('SELECT * FROM iterable_analytics.send_hour_recommendation');
    const expected = expectedRecommendations(hours);
    assert.ok(
      expected.some((r) => r.engagement_segment === 'all') &&
        expected.some((r) => r.engagement_segment !== 'all'),
      'recommendations for all recipients and per segment',
    );
    assert.ok(
      expected.some((r) => (r.hours_compared as number) > 1),
      'at least one recommendation compares hours',
    );
    assert.deepEqual(byGroup(plain(actual)), byGroup(plain(expected)));
  });
});
