/**
 * Every fact table computed in TypeScript from the simulator's events and dimensions, following
 * the definitions written at the top of each sql/ file, as rows in the shape the warehouse
 * returns them (timestamps and dates as ISO strings).
 */

import { DAY } from '../../../functions/src/time.js';
import { expectedCohorts } from './expected-cohorts.js';
import { type CampaignDimensions, dayOf, iso, type Profile, type TruthEvent } from './truth.js';
import type { FactTable } from './warehouse-facts.js';

type Row = Record<string, unknown>;

const safeDivide = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const count = (events: readonly TruthEvent[], test: (e: TruthEvent) => boolean) => events.filter(test).length;
const unique = (events: readonly TruthEvent[], type: TruthEvent['type']) =>
  new Set(events.filter((e) => e.type === type && e.userKey !== null).map((e) => e.userKey)).size;
const latest = (events: readonly TruthEvent[], test: (e: TruthEvent) => boolean) => {
  const times = events.filter(test).map((e) => e.at);
  return times.length === 0 ? null : Math.max(...times);
};
const maxText = (values: readonly (string | null)[]) =>
  values.reduce<string | null>((max, v) => (v !== null && (max === null || v > max) ? v : max), null);

function groupBy<K>(events: readonly TruthEvent[], key: (e: TruthEvent) => K | null): Map<K, TruthEvent[]> {
  const groups = new Map<K, TruthEvent[]>();
  for (const e of events) {
    const k = key(e);
    if (k === null) continue;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  return groups;
}

/** The campaign metrics and rates, as defined in 10_campaign_fact_table.sql. */
function metrics(events: readonly TruthEvent[]): Row {
  const sends = count(events, (e) => e.type === 'send');
  const bounces = count(events, (e) => e.type === 'bounce');
  const delivered = sends - bounces;
  const uniqueOpens = unique(events, 'open');
  const uniqueClicks = unique(events, 'click');
  const complaints = count(events, (e) => e.type === 'complaint');
  const uniqueUnsubscribes = unique(events, 'unsubscribe');
  return {
    count_sends: sends,
    count_bounces: bounces,
    count_delivered: delivered,
    count_opens: count(events, (e) => e.type === 'open'),
    count_unique_opens: uniqueOpens,
    count_machine_opens: count(events, (e) => e.isMachineOpen),
    count_clicks: count(events, (e) => e.type === 'click'),
    count_unique_clicks: uniqueClicks,
    count_complaints: complaints,
    count_unsubscribes: count(events, (e) => e.type === 'unsubscribe'),
    count_unique_unsubscribes: uniqueUnsubscribes,
    count_purchases: count(events, (e) => e.type === 'purchase'),
    revenue: events.reduce((sum, e) => sum + (e.revenue ?? 0), 0),
    open_rate: safeDivide(uniqueOpens, delivered),
    click_rate: safeDivide(uniqueClicks, delivered),
    click_to_open_rate: safeDivide(uniqueClicks, uniqueOpens),
    unsubscribe_rate: safeDivide(uniqueUnsubscribes, delivered),
    bounce_rate: safeDivide(bounces, sends),
    complaint_rate: safeDivide(complaints, delivered),
  };
}

const NO_DIMENSIONS = (campaignId: number): CampaignDimensions => ({
  campaign_id: campaignId,
  campaign_name: null,
  campaign_type: null,
  campaign_state: null,
  message_medium: null,
  template_id: null,
  message_type_id: null,
  message_type_name: null,
  channel_id: null,
  channel_name: null,
  channel_type: null,
  labels: null,
  created_at: null,
  started_at: null,
  ended_at: null,
});

export function expectedFacts(
  events: readonly TruthEvent[],
  campaigns: ReadonlyMap<number, CampaignDimensions>,
  now: number,
  /** Latest profile per user key (user_profiles); users without one get NULLs. */
  profiles: ReadonlyMap<string, Profile> = new Map(),
): Record<FactTable, Row[]> {
  const byCampaign = groupBy(events, (e) => e.campaignId);
  const dims = (id: number) => campaigns.get(id) ?? NO_DIMENSIONS(id);
  const messageTypeOf = (e: TruthEvent) =>
    e.campaignId === null ? null : (campaigns.get(e.campaignId)?.message_type_id ?? null);

  const campaignFacts = [...new Set([...campaigns.keys(), ...byCampaign.keys()])].map((id) => ({
    ...dims(id),
    ...metrics(byCampaign.get(id) ?? []),
  }));

  const performance = [
    ...groupBy(events, (e) => (e.campaignId === null ? null : `${dayOf(e.at)}|${e.campaignId}`)),
  ].map(([, group]) => {
    const first = group[0] as TruthEvent;
    const d = dims(first.campaignId as number);
    return {
      event_on: dayOf(first.at),
      campaign_id: d.campaign_id,
      campaign_name: d.campaign_name,
      message_type_id: d.message_type_id,
      message_type_name: d.message_type_name,
      channel_id: d.channel_id,
      channel_name: d.channel_name,
      channel_type: d.channel_type,
      ...metrics(group),
    };
  });

  const users = [...groupBy(events, (e) => e.userKey)].map(([userKey, group]) => {
    const lastEngaged = latest(group, (e) => e.type === 'click' || (e.type === 'open' && !e.isMachineOpen));
    const lastUnsubscribe = latest(group, (e) => e.type === 'unsubscribe');
    const lastSubscribe = latest(group, (e) => e.type === 'subscribe');
    const sends = group.filter((e) => e.type === 'send').map((e) => e.at);
    const segment =
      lastUnsubscribe !== null && (lastSubscribe === null || lastSubscribe < lastUnsubscribe)
        ? 'unsubscribed'
        : lastEngaged !== null && lastEngaged >= now - 30 * DAY
          ? 'active'
          : lastEngaged !== null && lastEngaged >= now - 90 * DAY
            ? 'at_risk'
            : 'dormant';
    return {
      user_key: userKey,
      email: maxText(group.map((e) => e.email)),
      user_id: maxText(group.map((e) => e.userId)),
      count_sends: sends.length,
      count_opens: count(group, (e) => e.type === 'open'),
      count_clicks: count(group, (e) => e.type === 'click'),
      count_unsubscribes: count(group, (e) => e.type === 'unsubscribe'),
      count_purchases: count(group, (e) => e.type === 'purchase'),
      revenue: group.reduce((sum, e) => sum + (e.revenue ?? 0), 0),
      first_send_at: iso(sends.length === 0 ? null : Math.min(...sends)),
      last_send_at: iso(sends.length === 0 ? null : Math.max(...sends)),
      last_open_at: iso(latest(group, (e) => e.type === 'open')),
      last_click_at: iso(latest(group, (e) => e.type === 'click')),
      last_engaged_at: iso(lastEngaged),
      last_unsubscribe_at: iso(lastUnsubscribe),
      last_subscribe_at: iso(lastSubscribe),
      engagement_segment: segment,
      signed_up_on: profiles.get(userKey)?.signed_up_on ?? null,
      signup_cohort: profiles.get(userKey)?.signup_cohort ?? null,
      subscription_state: profiles.get(userKey)?.subscription_state ?? null,
    };
  });

  const funnels = [...byCampaign].flatMap(([campaignId, group]) => {
    const recipients = [...groupBy(group, (e) => e.userKey).values()].map((r) => {
      const has = (type: TruthEvent['type']) => count(r, (e) => e.type === type);
      const delivered = has('send') > has('bounce');
      const opened = delivered && has('open') > 0;
      const clicked = opened && has('click') > 0;
      return {
        sent: has('send') > 0,
        delivered,
        opened,
        clicked,
        converted: clicked && has('purchase') + has('conversion') > 0,
      };
    });
    if (recipients.length === 0) return [];
    const stage = (key: keyof (typeof recipients)[number]) => recipients.filter((r) => r[key]).length;
    const [sent, delivered, opened, clicked, converted] = [
      stage('sent'),
      stage('delivered'),
      stage('opened'),
      stage('clicked'),
      stage('converted'),
    ] as [number, number, number, number, number];
    const dropOff = (a: number, b: number) => {
      const share = safeDivide(a, b);
      return share === null ? null : 1 - share;
    };
    return [
      {
        campaign_id: campaignId,
        count_recipients_sent: sent,
        count_recipients_delivered: delivered,
        count_recipients_opened: opened,
        count_recipients_clicked: clicked,
        count_recipients_converted: converted,
        delivery_drop_off_rate: dropOff(delivered, sent),
        open_drop_off_rate: dropOff(opened, delivered),
        click_drop_off_rate: dropOff(clicked, opened),
        conversion_drop_off_rate: dropOff(converted, clicked),
        conversion_rate: safeDivide(converted, sent),
      },
    ];
  });

  const delivered = new Map<string, number>();
  for (const e of events) {
    const type = messageTypeOf(e);
    if (type === null || (e.type !== 'send' && e.type !== 'bounce')) continue;
    const key = `${dayOf(e.at)}|${type}`;
    delivered.set(key, (delivered.get(key) ?? 0) + (e.type === 'send' ? 1 : -1));
  }
  const unsubscribes = events.filter((e) => e.type === 'unsubscribe');
  const messageTypeNames = new Map(
    [...campaigns.values()].map((c) => [c.message_type_id, c.message_type_name]),
  );
  const unsubscribeFacts = [
    ...groupBy(unsubscribes, (e) => JSON.stringify([dayOf(e.at), messageTypeOf(e), e.unsubSource])),
  ].map(([key, group]) => {
    const [eventOn, messageTypeId, unsubSource] = JSON.parse(key) as [string, number | null, string | null];
    const deliveredEmails = messageTypeId === null ? 0 : (delivered.get(`${eventOn}|${messageTypeId}`) ?? 0);
    const uniqueUnsubscribes = unique(group, 'unsubscribe');
    return {
      event_on: eventOn,
      message_type_id: messageTypeId,
      message_type_name: messageTypeId === null ? null : (messageTypeNames.get(messageTypeId) ?? null),
      unsub_source: unsubSource,
      count_unsubscribes: group.length,
      count_unique_unsubscribes: uniqueUnsubscribes,
      count_delivered: deliveredEmails,
      churn_rate: safeDivide(uniqueUnsubscribes, deliveredEmails),
    };
  });

  return {
    campaign_fact_table: campaignFacts,
    email_performance_fact: performance,
    user_engagement_fact: users,
    email_funnel_fact: funnels,
    unsubscribe_fact: unsubscribeFacts,
    email_send_cohort_fact: expectedCohorts(events, campaigns),
  };
}
