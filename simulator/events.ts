/**
 * The simulator's event history: sends fanning out to bounces, opens (machine opens by privacy
 * proxies included), clicks, complaints, hosted-unsubscribe clicks, unsubscribes and purchases,
 * plus events no campaign caused (imports, API unsubscribes, sign-ups, unattributed purchases).
 * Every record is valid for the catalog's schemas and has `createdAt` inside the range.
 */
import type { StreamName } from '../functions/src/catalog.js';
import { HOUR, MINUTE } from '../functions/src/time.js';
import type { Campaign, MessageType } from './dimensions.js';
import type { Random } from './random.js';
import { createdAtText } from './timestamp-forms.js';

export interface TimedLine {
  readonly at: number;
  readonly line: string;
  /** When the export starts showing it, if later than `at` (Iterable is eventually consistent). */
  readonly visibleAt?: number;
}

export type EventLines = Map<StreamName, TimedLine[]>;

interface User {
  readonly email: string;
  readonly userId?: string;
  /** Apple Mail Privacy Protection opens every delivered message once, whoever reads it. */
  readonly proxied: boolean;
}

/** Events per send across all derived streams, measured on generated data: sizes the send count. */
const EVENTS_PER_SEND = 1.9;

const DEVICES = ['Mobile', 'Desktop', 'Tablet'];
const COUNTRIES = ['US', 'US', 'US', 'CA', 'GB', 'DE', 'FR', 'AU'];
const USER_AGENT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Mobile/15E148 Version/17.4 Safari/604.1 EmailClient/2.3 (compatible; rendering engine build 19618)';
const SKIP_REASONS = [
  'FrequencyCap',
  'DuplicateMarketingMessage',
  'MessageTypeUnsubscribed',
  'ListUnsubscribed',
];
const OTHER_UNSUB_SOURCES = ['Import', 'ListAPI', 'API'];
const SIGNUP_SOURCES = ['Import', 'API', 'WebForm', 'Subscription'];

export function generateEvents(
  random: Random,
  range: { from: number; to: number },
  campaigns: readonly Campaign[],
  listIds: readonly number[],
  events: number,
): EventLines {
  const out: EventLines = new Map();
  const emit: Emit = (stream, at, shared, extra) => {
    if (at < range.from || at >= range.to) return;
    const { text, ms } = createdAtText(random, at);
    const list = out.get(stream) ?? [];
    out.set(stream, list);
    list.push({ at: ms, line: recordLine(text, shared, extra) });
  };
  const users = makeUsers(random, Math.max(40, Math.floor(events / 12)));
  const sending = campaigns.filter((c) => c.behaviour !== null);
  const totalWeight = sending.reduce((sum, c) => sum + (c.behaviour?.sendWeight ?? 0), 0);
  const sends = Math.max(sending.length, Math.round(events / EVENTS_PER_SEND));

  for (const campaign of sending) {
    const b = campaign.behaviour;
    if (!b) continue;
    const count = Math.max(3, Math.round((sends * b.sendWeight) / totalWeight));
    for (let i = 0; i < count; i++) {
      const at = Math.floor(b.sendsFrom + random.next() * (b.sendsTo - b.sendsFrom));
      sendWithReactions(random, emit, campaign, random.pick(users), at);
    }
  }
  for (let i = 0; i < Math.ceil(sends * 0.01); i++) {
    const user = random.pick(users);
    const at = randomTime(random, range);
    emit('email_unsubscribe', at, fields(identity(user)), {
      unsubSource: random.pick(OTHER_UNSUB_SOURCES),
      emailListIds: [random.pick(listIds)],
      channelIds: [],
      messageTypeIds: [],
    });
  }
  for (let i = 0; i < Math.ceil(sends * 0.02); i++) {
    emit('email_subscribe', randomTime(random, range), fields(identity(random.pick(users))), {
      signupSource: random.pick(SIGNUP_SOURCES),
      emailListIds: [random.pick(listIds)],
      channelIds: [],
      messageTypeIds: [],
      firstName: random.pick(['Ada', 'Grace', 'Alan', 'Edsger']),
    });
  }
  for (let i = 0; i < Math.ceil(sends * 0.01); i++) {
    const campaign = random.pick(sending);
    emit('email_send_skip', randomTime(random, range), fields(identity(random.pick(users))), {
      campaignId: campaign.id,
      templateId: campaign.templateId,
      messageId: random.hex(32),
      reason: random.pick(SKIP_REASONS),
      messageTypeId: campaign.messageType.id,
    });
  }
  for (let i = 0; i < Math.ceil(sends * 0.005); i++) {
    emit('purchase', randomTime(random, range), fields(identity(random.pick(users))), purchase(random));
  }
  for (const list of out.values()) list.sort((a, b) => a.at - b.at);
  return out;
}

/**
 * Records one event. `shared` is the already serialised fields a send passes on to everything
 * it causes (`"email":…,"messageId":…`), serialised once per send rather than once per event.
 */
type Emit = (stream: StreamName, at: number, shared: string, extra: Record<string, unknown>) => void;

/** `{"createdAt":…, shared…, extra…}` as one JSON line: field order as Iterable writes it. */
function recordLine(createdAt: string, shared: string, extra: Record<string, unknown>): string {
  const rest = JSON.stringify(extra);
  return `{"createdAt":"${createdAt}"${shared ? `,${shared}` : ''}${rest.length > 2 ? `,${rest.slice(1)}` : '}'}`;
}

const fields = (record: Record<string, unknown>): string => JSON.stringify(record).slice(1, -1);

/** One send and everything it causes; reactions after the range's end have not happened yet. */
function sendWithReactions(random: Random, emit: Emit, campaign: Campaign, user: User, at: number): void {
  const b = campaign.behaviour;
  if (!b) return;
  const message = fields({
    ...identity(user),
    campaignId: campaign.id,
    templateId: campaign.templateId,
    messageId: random.hex(32),
  });
  emit('email_send', at, message, {
    messageTypeId: campaign.messageType.id,
    channelId: campaign.messageType.channelId,
    contentId: campaign.templateId * 10 + 1,
    catalogCollectionCount: 0,
    productRecommendationCount: 0,
    ...(isTransactional(campaign.messageType)
      ? {
          transactionalData: JSON.stringify({
            orderId: `ord-${random.hex(8)}`,
            amount: random.int(20_000) / 100,
          }),
        }
      : {}),
  });
  if (random.chance(0.03)) {
    const hard = random.chance(0.6);
    emit('email_bounce', at + random.between(5_000, 10 * MINUTE), message, {
      recipientState: hard ? 'HardBounce' : 'SoftBounce',
      status: hard ? '5.1.1' : '4.2.2',
    });
    return;
  }
  if (user.proxied && b.machineOpens) {
    emit('email_open', at + random.between(MINUTE, 30 * MINUTE), message, {
      proxySource: 'Apple',
      userAgentDevice: 'Apple Mail Privacy Protection',
    });
  }
  if (random.chance(0.002)) {
    const complainedAt = at + random.exponential(6 * HOUR);
    emit('email_complaint', complainedAt, message, { recipientState: 'Complaint' });
    emit('email_unsubscribe', complainedAt + 1000, message, unsubscribe(campaign, 'Complaint'));
    return;
  }
  if (!random.chance(b.openRate)) return;
  const firstOpen = at + random.exponential(5 * HOUR);
  let openedAt = firstOpen;
  for (let n = 1 + random.geometric(0.5, 5); n > 0; n--) {
    emit('email_open', openedAt, message, {
      ip: `203.0.113.${random.int(255)}`,
      userAgent: USER_AGENT,
      userAgentDevice: random.pick(DEVICES),
      city: 'Springfield',
      region: 'IL',
      country: random.pick(COUNTRIES),
    });
    openedAt += random.exponential(10 * HOUR);
  }
  if (random.chance(b.clickRate)) {
    let clickedAt = firstOpen + random.exponential(6 * HOUR);
    for (let n = 1 + random.geometric(0.6, 4); n > 0; n--) {
      const hrefIndex = random.int(6);
      emit('email_click', clickedAt, message, {
        url: `https://shop.example.com/p/${hrefIndex}?utm_campaign=${campaign.id}`,
        hrefIndex,
        userAgentDevice: random.pick(DEVICES),
      });
      clickedAt += random.exponential(HOUR);
    }
    if (random.chance(0.12)) {
      const attribution = fields({
        ...identity(user),
        campaignId: campaign.id,
        templateId: campaign.templateId,
      });
      emit('purchase', clickedAt + random.exponential(2 * HOUR), attribution, purchase(random));
    }
  }
  if (random.chance(0.015)) {
    const unsubAt = firstOpen + random.exponential(3 * HOUR);
    emit('hosted_unsubscribe_click', unsubAt, message, {
      url: `https://links.example.com/u/click?_t=${random.hex(16)}`,
    });
    emit('email_unsubscribe', unsubAt + 2000, message, unsubscribe(campaign, 'WebApp'));
  }
}

function unsubscribe(campaign: Campaign, unsubSource: string) {
  return {
    unsubSource,
    emailListIds: [],
    channelIds: [],
    messageTypeIds: [campaign.messageType.id],
    ...(campaign.record.workflowId ? { workflowId: campaign.record.workflowId } : {}),
  };
}

/** Totals are whole cents, so Iterable's revenue and ours add up to the same figure exactly. */
function purchase(random: Random) {
  const items = Array.from({ length: 1 + random.int(3) }, () => ({
    id: `sku-${random.int(500)}`,
    name: random.pick(['Tee', 'Mug', 'Hoodie', 'Cap', 'Socks']),
    price: (500 + random.int(9500)) / 100,
    quantity: 1 + random.int(3),
  }));
  const cents = items.reduce((sum, item) => sum + Math.round(item.price * 100) * item.quantity, 0);
  return { id: `ord-${random.hex(12)}`, total: cents / 100, items };
}

function isTransactional(type: MessageType): boolean {
  return type.channelId === 2;
}

function identity(user: User): Record<string, unknown> {
  return user.userId === undefined ? { email: user.email } : { email: user.email, userId: user.userId };
}

function makeUsers(random: Random, count: number): User[] {
  const domains = ['example.com', 'example.org', 'mail.example.net'];
  return Array.from({ length: count }, (_, i) => ({
    email: `user${i}@${domains[i % domains.length]}`,
    ...(random.chance(0.7) ? { userId: `u${100_000 + i}` } : {}),
    proxied: random.chance(0.3),
  }));
}

function randomTime(random: Random, range: { from: number; to: number }): number {
  return Math.floor(range.from + random.next() * (range.to - range.from));
}
