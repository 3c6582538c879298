/**
 * email_send_cohort_fact computed in TypeScript from the simulator's events, following the
 * definitions at the top of sql/15_email_send_cohort_fact.sql: each send's message followed
 * through its message id, each attributed purchase (or configured conversion) credited to the recipient's latest send of
 * the campaign at or before it.
 */
import { type CampaignDimensions, dayOf, type TruthEvent } from './truth.js';

type Row = Record<string, unknown>;

/** Purchases, and custom events configured as conversions, are credited to a send alike. */
const isConversion = (e: TruthEvent): boolean => e.type === 'purchase' || e.type === 'conversion';

const safeDivide = (a: number, b: number): number | null => (b === 0 ? null : a / b);

interface Message {
  readonly send: TruthEvent;
  sends: number;
  /** The event types that happened to the message, with `human_open` for an open without proxySource. */
  readonly reactions: Set<string>;
  purchases: number;
  revenue: number;
}

export function expectedCohorts(
  events: readonly TruthEvent[],
  campaigns: ReadonlyMap<number, CampaignDimensions>,
): Row[] {
  const messages = new Map<string, Message>();
  for (const e of events) {
    if (e.type !== 'send' || e.messageId === null) continue;
    const known = messages.get(e.messageId);
    if (known) known.sends++;
    else messages.set(e.messageId, { send: e, sends: 1, reactions: new Set(), purchases: 0, revenue: 0 });
  }
  for (const e of events) {
    const message = e.messageId === null ? undefined : messages.get(e.messageId);
    if (message && e.type !== 'send' && !isConversion(e)) {
      message.reactions.add(e.type);
      if (e.type === 'open' && !e.isMachineOpen) message.reactions.add('human_open');
    }
  }
  for (const purchase of events) {
    if (!isConversion(purchase) || purchase.campaignId === null || purchase.userKey === null) continue;
    const latest = [...messages.entries()]
      .filter(
        ([, m]) =>
          m.send.campaignId === purchase.campaignId &&
          m.send.userKey === purchase.userKey &&
          m.send.at <= purchase.at,
      )
      .sort(([idA, a], [idB, b]) => b.send.at - a.send.at || (idB > idA ? 1 : -1))[0];
    if (!latest) continue;
    latest[1].purchases++;
    latest[1].revenue += purchase.revenue ?? 0;
  }

  const cohorts = new Map<string, Message[]>();
  for (const m of messages.values()) {
    if (m.send.campaignId === null) continue;
    const key = JSON.stringify([dayOf(m.send.at), m.send.campaignId]);
    cohorts.set(key, [...(cohorts.get(key) ?? []), m]);
  }
  return [...cohorts].map(([key, group]) => {
    const [sendOn, campaignId] = JSON.parse(key) as [string, number];
    const delivered = group.filter((m) => !m.reactions.has('bounce'));
    /** Recipients with a delivered message of the cohort that had the event. */
    const recipients = (type: string) =>
      new Set(
        delivered.filter((m) => m.reactions.has(type) && m.send.userKey !== null).map((m) => m.send.userKey),
      );
    const opened = recipients('open');
    const clicked = recipients('click');
    const sends = group.reduce((sum, m) => sum + m.sends, 0);
    const bounces = group.length - delivered.length;
    const countDelivered = sends - bounces;
    const uniqueOpens = opened.size;
    const humanOpens = recipients('human_open').size;
    const unsubscribes = recipients('unsubscribe').size;
    const complaints = recipients('complaint').size;
    const dims = campaigns.get(campaignId);
    return {
      send_on: sendOn,
      campaign_id: campaignId,
      message_type_id: dims?.message_type_id ?? null,
      message_type_name: dims?.message_type_name ?? null,
      channel_id: dims?.channel_id ?? null,
      channel_name: dims?.channel_name ?? null,
      channel_type: dims?.channel_type ?? null,
      count_sends: sends,
      count_bounces: bounces,
      count_delivered: countDelivered,
      count_unique_opens: uniqueOpens,
      count_unique_human_opens: humanOpens,
      count_unique_clicks: clicked.size,
      count_unique_unsubscribes: unsubscribes,
      count_complaints: complaints,
      count_purchases: group.reduce((sum, m) => sum + m.purchases, 0),
      revenue: group.reduce((sum, m) => sum + m.revenue, 0),
      open_rate: safeDivide(uniqueOpens, countDelivered),
      human_open_rate: safeDivide(humanOpens, countDelivered),
      click_rate: safeDivide(clicked.size, countDelivered),
      click_to_open_rate: safeDivide([...clicked].filter((r) => opened.has(r)).length, uniqueOpens),
      unsubscribe_rate: safeDivide(unsubscribes, countDelivered),
      bounce_rate: safeDivide(bounces, sends),
      complaint_rate: safeDivide(complaints, countDelivered),
    };
  });
}
