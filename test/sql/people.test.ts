/**
 * The users dimension and custom events on simulator data: the latest profile wins per user
 * (upsert over the versions the user export brought), custom profile fields survive in `payload`,
 * and custom events named in CONVERSION_EVENT_NAMES convert in the funnel beside purchases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatExportTimestamp } from '../../functions/src/iterable/timestamps.js';
import { DAY } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { runModels } from '../../local/sql/models.js';
import { FROM, run, type Simulator, simulator, tempWarehouse } from '../support/pipeline.js';
import { expectedFacts } from './support/expected-facts.js';
import {
  campaignDimensions,
  EVENT_STREAMS,
  type EventStream,
  latestProfiles,
  parseConversion,
  parseEvent,
} from './support/truth.js';
import { normalise } from './support/warehouse-facts.js';

const RANGE = { from: FROM, to: FROM + 3 * DAY };
const NOW = RANGE.to;
const CONVERSIONS = ['trialStarted'];

describe('users and custom events', () => {
  let sim: Simulator;
  let warehouse: DuckDbWarehouse;
  let changed: string;

  before(async () => {
    sim = await simulator({ days: 3, events: 5000, seed: 5 });
    // A second, later version of one profile: unsubscribed from a channel, with a new custom field.
    const first = sim.truth.lines('users', { start: RANGE.from, end: RANGE.to })[0] ?? '';
    const profile = JSON.parse(first) as Record<string, unknown>;
    changed = String(profile.email).toLowerCase();
    sim.addRecord(
      'users',
      JSON.stringify({
        ...profile,
        profileUpdatedAt: `${formatExportTimestamp(RANGE.to - 1000)} +00:00`,
        unsubscribedChannelIds: [1],
        favouriteColour: 'teal',
      }),
    );
    const file = tempWarehouse();
    await run(sim, file, RANGE, { windowMinutes: 24 * 60 });
    warehouse = await DuckDbWarehouse.open(file);
    await runModels(warehouse, { now: NOW, conversionEventNames: CONVERSIONS });
  });

  after(async () => {
    await warehouse?.close();
    await sim?.close();
  });

  it('keeps every profile version loaded, and the latest one per user in user_profiles', async () => {
    const [versions] = await warehouse.query<{ n: number }>(
      `SELECT count(*) AS n FROM iterable_raw.users_raw WHERE lower(email) = '${changed}'`,
    );
    assert.equal(versions?.n, 2);
    const rows = await warehouse.query<{ subscription_state: string; colour: string | null }>(
      `SELECT subscription_state, payload->>'$.favouriteColour' AS colour
       FROM iterable_analytics.user_profiles WHERE user_key = '${changed}'`,
    );
    assert.deepEqual(rows, [{ subscription_state: 'unsubscribed', colour: 'teal' }]);
    const [fact] = await warehouse.query<{ subscription_state: string }>(
      `SELECT subscription_state FROM iterable_analytics.user_engagement_fact WHERE user_key = '${changed}'`,
    );
    assert.equal(fact?.subscription_state, 'unsubscribed');
  });

  it('gives user_engagement_fact the signup cohort and subscription state of each user', async () => {
    const range = { start: RANGE.from, end: RANGE.to };
    const profiles = latestProfiles(sim.truth.lines('users', range));
    const rows = await warehouse.query<{
      user_key: string;
      signup_cohort: string;
      subscription_state: string;
    }>('SELECT user_key, signup_cohort, subscription_state FROM iterable_analytics.user_engagement_fact');
    assert.ok(rows.length > 0);
    for (const row of rows) {
      const profile = profiles.get(row.user_key);
      assert.equal(row.signup_cohort, profile?.signup_cohort ?? null, row.user_key);
      assert.equal(row.subscription_state, profile?.subscription_state ?? null, row.user_key);
    }
    assert.ok(
      rows.some((r) => r.subscription_state === 'partially_unsubscribed'),
      'unsubscribes show in profiles',
    );
  });

  it('counts the configured custom events as conversions in the funnel and the send cohorts', async () => {
    const range = { start: RANGE.from, end: RANGE.to };
    const events = (Object.keys(EVENT_STREAMS) as EventStream[]).flatMap((stream) =>
      sim.truth.lines(stream, range).map((line) => parseEvent(stream, line)),
    );
    const conversions = sim.truth
      .lines('custom_event', range)
      .filter((line) => CONVERSIONS.includes(String((JSON.parse(line) as { eventName?: string }).eventName)))
      .map(parseConversion);
    const dimensions = campaignDimensions(sim.truth.dimension);
    const expected = expectedFacts([...events, ...conversions], dimensions, NOW).email_funnel_fact;
    const purchasesOnly = expectedFacts(events, dimensions, NOW).email_funnel_fact;
    const converted = (rows: readonly Record<string, unknown>[]) =>
      rows.reduce((sum, r) => sum + Number(r.count_recipients_converted), 0);
    assert.ok(converted(expected) > converted(purchasesOnly), 'custom events add conversions');
    const actual = await warehouse.query('SELECT * FROM iterable_analytics.email_funnel_fact');
    assert.deepEqual(normalise('email_funnel_fact', actual), normalise('email_funnel_fact', expected));
    const cohorts = expectedFacts([...events, ...conversions], dimensions, NOW).email_send_cohort_fact;
    const actualCohorts = await warehouse.query('SELECT * FROM iterable_analytics.email_send_cohort_fact');
    assert.deepEqual(
      normalise('email_send_cohort_fact', actualCohorts),
      normalise('email_send_cohort_fact', cohorts),
    );
  });
  it('upserts a later run’s profile versions: a newer one replaces the user’s, an older one re-read does not', async () => {
    const state = async () => {
      const [profile] = await warehouse.query<{ subscription_state: string; updated: number }>(
        `SELECT subscription_state, epoch_ms(profile_updated_at) AS updated
         FROM iterable_analytics.user_profiles WHERE user_key = '${changed}'`,
      );
      const [fact] = await warehouse.query<{ subscription_state: string }>(
        `SELECT subscription_state FROM iterable_analytics.user_engagement_fact WHERE user_key = '${changed}'`,
      );
      return {
        profile: profile?.subscription_state,
        updated: profile?.updated,
        fact: fact?.subscription_state,
      };
    };
    // A version as a later window would load it, updated `hoursBefore` the build (the user's latest
    // version so far was updated a second before it).
    const load = (hoursBefore: number, state: string) =>
      warehouse.query(
        `INSERT INTO iterable_raw.users_raw
         SELECT * REPLACE (
           TIMESTAMPTZ '${new Date(NOW).toISOString()}' - to_hours(${hoursBefore}) AS profile_updated_at,
           '${state}'::JSON AS unsubscribed_channel_ids,
           TIMESTAMPTZ '${new Date(NOW).toISOString()}' AS _loaded_at
         ) FROM iterable_raw.users_raw WHERE lower(email) = '${changed}'
         QUALIFY row_number() OVER (ORDER BY profile_updated_at DESC) = 1`,
      );
    await load(0, '[]');
    await runModels(warehouse, { now: NOW, conversionEventNames: CONVERSIONS });
    const resubscribed = await state();
    assert.notEqual(resubscribed.profile, 'unsubscribed', 'the newer version replaced the unsubscribed one');
    assert.equal(resubscribed.updated, NOW);
    assert.equal(resubscribed.fact, resubscribed.profile);
    await load(48, '[1]');
    await runModels(warehouse, { now: NOW, conversionEventNames: CONVERSIONS });
    assert.deepEqual(await state(), resubscribed, 'an older version loaded later changes nothing');
  });
});
