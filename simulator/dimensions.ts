/**
 * The simulator's project setup: channels, message types, lists, campaigns and their templates,
 * shaped like Iterable's dimension endpoints (timestamps in epoch milliseconds).
 */

import { DAY, HOUR } from '../functions/src/time.js';
import type { Random } from './random.js';

export interface Channel {
  readonly id: number;
  readonly name: string;
  readonly channelType: 'Marketing' | 'Transactional';
  readonly messageMedium: string;
}

export interface MessageType {
  readonly id: number;
  readonly name: string;
  readonly channelId: number;
  readonly subscriptionPolicy: 'OptIn' | 'OptOut';
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** How a campaign's recipients behave; the event generator reads it, Iterable never shows it. */
export interface Behaviour {
  readonly sendWeight: number;
  /** Chance that a delivered message is opened by a person (machine opens come on top). */
  readonly openRate: number;
  /** Whether privacy proxies open its messages (the never-opened edge case has none). */
  readonly machineOpens: boolean;
  /** Chance that a person who opened clicks. */
  readonly clickRate: number;
  /** Blasts go out in a burst from `startAt`; triggered campaigns send all through the range. */
  readonly sendsFrom: number;
  readonly sendsTo: number;
}

export interface Campaign {
  readonly record: Record<string, unknown>;
  readonly id: number;
  readonly templateId: number;
  readonly messageType: MessageType;
  readonly behaviour: Behaviour | null;
}

export const CHANNELS: readonly Channel[] = [
  { id: 1, name: 'Marketing Email', channelType: 'Marketing', messageMedium: 'Email' },
  { id: 2, name: 'Transactional Email', channelType: 'Transactional', messageMedium: 'Email' },
  { id: 3, name: 'Marketing Push', channelType: 'Marketing', messageMedium: 'Push' },
];

const MESSAGE_TYPE_ROWS = [
  [11, 'Newsletter', 1, 'OptOut'],
  [12, 'Promotions', 1, 'OptOut'],
  [13, 'Product Updates', 1, 'OptIn'],
  [21, 'Receipts', 2, 'OptOut'],
  [22, 'Account Alerts', 2, 'OptOut'],
  [31, 'Push Promotions', 3, 'OptOut'],
] as const;

const LIST_NAMES = ['All Subscribers', 'VIP Customers', 'Weekly Digest', 'New Signups', 'Lapsed Buyers'];
const LABELS = ['promo', 'newsletter', 'seasonal', 'onboarding', 'retention'];
const BLAST_NAMES = [
  'Weekly Digest',
  'Flash Sale',
  'New Arrivals',
  'Holiday Preview',
  'Member Offer',
  'Restock',
];
const TRIGGERED_NAMES = ['Welcome Series', 'Order Receipt', 'Cart Reminder', 'Password Reset', 'Win-back'];

export interface Project {
  readonly channels: readonly Channel[];
  readonly messageTypes: readonly MessageType[];
  readonly lists: readonly {
    readonly id: number;
    readonly name: string;
    readonly createdAt: number;
    readonly listType: string;
  }[];
  readonly campaigns: readonly Campaign[];
  readonly templates: readonly Record<string, unknown>[];
}

export function generateProject(
  random: Random,
  range: { from: number; to: number },
  campaignCount: number,
): Project {
  const setupAt = range.from - 90 * DAY;
  const messageTypes: MessageType[] = MESSAGE_TYPE_ROWS.map(([id, name, channelId, subscriptionPolicy]) => ({
    id,
    name,
    channelId,
    subscriptionPolicy,
    createdAt: setupAt,
    updatedAt: setupAt + random.int(60) * DAY,
  }));
  const lists = LIST_NAMES.map((name, i) => ({
    id: 501 + i,
    name,
    createdAt: setupAt + i * DAY,
    listType: i === 1 ? 'Dynamic' : 'Standard',
  }));
  const emailTypes = messageTypes.filter((t) => t.channelId !== 3);
  const campaigns: Campaign[] = [];
  for (let i = 0; i < campaignCount; i++) {
    campaigns.push(
      campaign(
        random,
        range,
        i,
        emailTypes,
        lists.map((l) => l.id),
      ),
    );
  }
  campaigns.push(draftCampaign(range, campaignCount, emailTypes[0] as MessageType));
  const templates = campaigns.map((c) => ({
    templateId: c.templateId,
    name: `${c.record.name} template`,
    createdAt: (c.record.createdAt as number) - HOUR,
    updatedAt: c.record.updatedAt,
    messageTypeId: c.messageType.id,
    campaignId: c.id,
    creatorUserId: 'marketer@example.com',
  }));
  return { channels: CHANNELS, messageTypes, lists, campaigns, templates };
}

function campaign(
  random: Random,
  range: { from: number; to: number },
  index: number,
  emailTypes: readonly MessageType[],
  listIds: readonly number[],
): Campaign {
  const id = 2_000_000 + index * 7;
  const templateId = 3_000_000 + index;
  const blast = index === 0 || random.chance(0.7);
  const messageType = blast
    ? random.pick(emailTypes.filter((t) => t.channelId === 1))
    : random.pick(emailTypes);
  const span = range.to - range.from;
  const startAt = blast
    ? Math.floor(range.from + random.next() * Math.max(span - 3 * HOUR, HOUR))
    : range.from - random.int(30) * DAY - DAY;
  const endedAt = blast ? startAt + 2 * HOUR : null;
  const finished = endedAt !== null && endedAt < range.to;
  const name = `${random.pick(blast ? BLAST_NAMES : TRIGGERED_NAMES)} #${index + 1}`;
  const labels = random.shuffle([...LABELS]).slice(0, random.int(3));
  const record: Record<string, unknown> = {
    id,
    createdAt: startAt - 2 * DAY,
    updatedAt: finished ? (endedAt as number) : startAt,
    startAt,
    ...(finished ? { endedAt } : {}),
    name,
    templateId,
    messageMedium: 'Email',
    createdByUserId: 'marketer@example.com',
    labels,
    type: blast ? 'Blast' : 'Triggered',
    campaignState: blast ? (finished ? 'Finished' : 'Running') : 'Running',
    listIds: blast ? [random.pick(listIds)] : [],
    suppressionListIds: [],
    ...(blast ? {} : { workflowId: 700_000 + index }),
  };
  // The first campaign is the edge case a fact model must survive: delivered, never opened.
  const openRate = index === 0 ? 0 : random.between(0.12, 0.45);
  return {
    record,
    id,
    templateId,
    messageType,
    behaviour: {
      sendWeight: blast ? random.exponential(1) + 0.2 : random.between(0.2, 0.6),
      openRate,
      machineOpens: openRate > 0,
      clickRate: random.between(0.08, 0.35),
      sendsFrom: blast ? startAt : range.from,
      sendsTo: blast ? startAt + 2 * HOUR : range.to,
    },
  };
}

/** A campaign still being written: it exists in the dimension and has no events at all. */
function draftCampaign(range: { from: number }, index: number, messageType: MessageType): Campaign {
  const id = 2_000_000 + index * 7;
  return {
    record: {
      id,
      createdAt: range.from - DAY,
      updatedAt: range.from - DAY,
      name: 'Spring Launch (draft)',
      templateId: 3_000_000 + index,
      messageMedium: 'Email',
      createdByUserId: 'marketer@example.com',
      labels: [],
      type: 'Blast',
      campaignState: 'Draft',
      listIds: [],
      suppressionListIds: [],
    },
    id,
    templateId: 3_000_000 + index,
    messageType,
    behaviour: null,
  };
}
