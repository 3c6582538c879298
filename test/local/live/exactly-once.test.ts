/**
 * Webhooks and exports of the same events, counted exactly once: the collector stores every
 * webhook delivered (some twice, some never), the exports then load the same range window by
 * window, and after each step the fresh view holds each event once, from the raw table before the
 * stream's loaded edge and from the webhooks at or after it. Once the exports cover everything,
 * it equals the ground truth: 0 events double-counted, 0 lost (the lost webhooks included). The
 * facts that read through the view (email_performance_fact, email_send_cohort_fact), rebuilt after
 * each step, count the same events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StreamName, streamByName } from '../../../functions/src/catalog.js';
import { formatIterableTimestamp } from '../../../functions/src/iterable/timestamps.js';
import { normaliser, toLoadBatches } from '../../../functions/src/pipeline/normalise.js';
import type { Window } from '../../../functions/src/pipeline/window.js';
import { HOUR } from '../../../functions/src/time.js';
import { type LiveRuntime, startLive } from '../../../local/live/live-runtime.js';
import { runModels } from '../../../local/sql/models.js';
import { post, webhookBody } from './webhooks.js';

const SECRET = 'exactly-once-secret';
const T0 = Date.UTC(2026, 10, 3);
const EDGE = T0 + 6 * HOUR;
const W1: Window = { start: T0, end: EDGE };
const W2: Window = { start: EDGE, end: T0 + 12 * HOUR };
const NOW = T0 + 13 * HOUR;

const KINDS = [
  { stream: 'email_send', eventName: 'emailSend', type: 'send' },
  { stream: 'email_open', eventName: 'emailOpen', type: 'open' },
  { stream: 'email_click', eventName: 'emailClick', type: 'click' },
  { stream: 'email_unsubscribe', eventName: 'emailUnSubscribe', type: 'unsubscribe' },
] as const satisfies readonly { stream: StreamName; eventName: string; type: string }[];

interface TruthEvent {
  readonly kind: (typeof KINDS)[number];
  readonly createdAt: number;
  readonly email: string;
  readonly campaignId: number;
  /** Iterable delivered its webhook this many times (0: lost, 2: a duplicate). */
  readonly deliveries: number;
}

/** Ground truth: events across both windows, two of them on either side of the edge's instant. */
const TRUTH: readonly TruthEvent[] = [
  ...Array.from({ length: 72 }, (_, i) => ({
    kind: KINDS[i % KINDS.length] as TruthEvent['kind'],
    createdAt: T0 + i * 10 * 60_000 + (i % 7) * 1000,
    email: `user${i % 9}@example.com`,
    campaignId: 100 + (i % 3),
    deliveries: i % 11 === 0 ? 0 : i % 5 === 0 ? 2 : 1,
  })),
  { kind: KINDS[1], createdAt: EDGE - 1000, email: 'edge@example.com', campaignId: 100, deliveries: 1 },
  { kind: KINDS[2], createdAt: EDGE, email: 'edge@example.com', campaignId: 100, deliveries: 1 },
];

const identity = (type: string, createdAt: number, email: string, campaignId: number): string =>
  `${type}|${createdAt}|${email}|${campaignId}`;
const truthId = (e: TruthEvent): string => identity(e.kind.type, e.createdAt, e.email, e.campaignId);

const exportLine = (e: TruthEvent): string =>
  JSON.stringify({
    createdAt: formatIterableTimestamp(e.createdAt),
    email: e.email,
    campaignId: e.campaignId,
    templateId: 9,
    messageId: `m-${e.createdAt}`,
  });

describe('webhooks and exports of the same events, counted once', () => {
  let live: LiveRuntime;

  /** The fresh view's rows by identity, with how many times each appears and from which half. */
  const fresh = async (): Promise<Map<string, { n: number; live: boolean }>> => {
    const rows = await live.warehouse.query<{ id: string; n: number; is_live: boolean }>(
      `SELECT event_type || '|' || CAST(epoch_ms(created_at) AS VARCHAR) || '|' || email || '|' || CAST(campaign_id AS VARCHAR) AS id,
              count(*) AS n, bool_or(is_live) AS is_live
       FROM iterable_analytics.stg_email_events_fresh GROUP BY ALL`,
    );
    return new Map(rows.map((r) => [r.id, { n: r.n, live: r.is_live }]));
  };

  const load = async (window: Window): Promise<void> => {
    for (const kind of KINDS) {
      const lines = TRUTH.filter(
        (e) => e.kind === kind && e.createdAt >= window.start && e.createdAt < window.end,
      ).map(exportLine);
      const stream = streamByName(kind.stream);
      await live.warehouse.replaceWindow(
        { stream: kind.stream, window, runId: 'test', loadedAt: NOW },
        toLoadBatches(
          (async function* () {
            yield lines;
          })(),
          normaliser(stream, window),
        ),
      );
    }
  };

  /**
   * Per campaign, the events the facts read through the fresh view count after a build: all of
   * email_performance_fact's counted events, and email_send_cohort_fact's sends.
   */
  const factCounts = async () => {
    await runModels(live.warehouse, { now: NOW });
    const perCampaign = async (sql: string) =>
      Object.fromEntries(
        (await live.warehouse.query<{ campaign_id: number; n: number }>(sql)).map((r) => [
          r.campaign_id,
          r.n,
        ]),
      );
    return {
      performance: await perCampaign(
        `SELECT campaign_id, CAST(sum(count_sends + count_opens + count_clicks + count_unsubscribes) AS INTEGER) AS n
         FROM iterable_analytics.email_performance_fact GROUP BY ALL`,
      ),
      cohortSends: await perCampaign(
        `SELECT campaign_id, CAST(sum(count_sends) AS INTEGER) AS n
         FROM iterable_analytics.email_send_cohort_fact GROUP BY ALL`,
      ),
    };
  };

  const countsOf = (events: readonly TruthEvent[]) => {
    const count = (of: readonly TruthEvent[]) => {
      const counts: Record<number, number> = {};
      for (const e of of) counts[e.campaignId] = (counts[e.campaignId] ?? 0) + 1;
      return counts;
    };
    return { performance: count(events), cohortSends: count(events.filter((e) => e.kind.type === 'send')) };
  };

  /**
   * Asserts the fresh view holds exactly `expected`, each once, live where `isLive` says so, and
   * that the facts reading through it count each of them once.
   */
  const assertExactly = async (expected: readonly TruthEvent[], isLive: (e: TruthEvent) => boolean) => {
    const rows = await fresh();
    const doubled = [...rows].filter(([, r]) => r.n > 1).map(([id]) => id);
    assert.deepEqual(doubled, [], 'events counted twice');
    const missing = expected.filter((e) => !rows.has(truthId(e))).map(truthId);
    assert.deepEqual(missing, [], 'events lost');
    assert.equal(rows.size, expected.length, 'events that are not in the ground truth');
    for (const e of expected) assert.equal(rows.get(truthId(e))?.live, isLive(e), truthId(e));
    assert.deepEqual(await factCounts(), countsOf(expected), 'facts read through the fresh view');
  };

  before(async () => {
    live = await startLive({ warehouseFile: ':memory:', port: 0, authorization: SECRET, log: () => {} });
    await runModels(live.warehouse, { now: NOW });
    for (const e of TRUTH) {
      for (let k = 0; k < e.deliveries; k++) {
        const body = webhookBody({
          eventName: e.kind.eventName,
          email: e.email,
          createdAt: e.createdAt,
          fields: { campaignId: e.campaignId, templateId: 9, messageId: `m-${e.createdAt}` },
        });
        const answer = await post(live.url, body, { authorization: SECRET });
        assert.equal(answer.status, 200);
      }
    }
    await live.settled();
  });
  after(() => live.stop());

  it('before any export: every delivered webhook once, duplicates collapsed, lost ones absent', async () => {
    await assertExactly(
      TRUTH.filter((e) => e.deliveries > 0),
      () => true,
    );
  });

  it('after the first window: exported rows before the edge, webhooks at and after it', async () => {
    await load(W1);
    const edges = await live.warehouse.query<{ stream: string; edge: number }>(
      'SELECT stream, epoch_ms(loaded_edge) AS edge FROM iterable_raw.loaded_edges ORDER BY stream',
    );
    assert.deepEqual(
      edges,
      KINDS.map((k) => ({ stream: k.stream, edge: EDGE })).sort((a, b) => a.stream.localeCompare(b.stream)),
    );
    await assertExactly(
      TRUTH.filter((e) => e.createdAt < EDGE || e.deliveries > 0),
      (e) => e.createdAt >= EDGE,
    );
  });

  it('after both windows: exactly the ground truth, lost webhooks included, nothing live', async () => {
    await load(W2);
    await assertExactly(TRUTH, () => false);
  });

  it('a lookback re-read behind the edge and a late webhook leave the count exact', async () => {
    await load(W1);
    const late = TRUTH[3] as TruthEvent;
    const body = webhookBody({
      eventName: late.kind.eventName,
      email: late.email,
      createdAt: late.createdAt,
      fields: { campaignId: late.campaignId, templateId: 9, messageId: `m-${late.createdAt}` },
    });
    assert.equal((await post(live.url, body, { authorization: SECRET })).status, 200);
    await live.settled();
    const [edge] = await live.warehouse.query<{ edge: number }>(
      `SELECT epoch_ms(loaded_edge) AS edge FROM iterable_raw.loaded_edges WHERE stream = 'email_send'`,
    );
    assert.equal(edge?.edge, W2.end);
    await assertExactly(TRUTH, () => false);
  });

  it("live_campaign_today counts each of today's events once per campaign and hour", async () => {
    const rows = await live.warehouse.query<{
      campaign_id: number;
      event_hour: number;
      opens: number;
      n: number;
    }>(
      `SELECT campaign_id, event_hour, count_opens AS opens,
              count_sends + count_opens + count_clicks + count_unsubscribes AS n
       FROM iterable_analytics.live_campaign_today`,
    );
    const expected = new Map<string, number>();
    for (const e of TRUTH) {
      const key = `${e.campaignId}|${Math.floor((e.createdAt - T0) / HOUR)}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    assert.deepEqual(new Map(rows.map((r) => [`${r.campaign_id}|${r.event_hour}`, r.n])), expected);
  });
});
