/**
 * The simulator's ground truth read into plain values, independently of the SQL: each event line
 * parsed into what the facts count, and each campaign's dimensions joined through its template,
 * message type and channel as Iterable relates them.
 */
import { parseIterableTimestamp } from '../../../functions/src/iterable/timestamps.js';

/** The export streams the facts read, and the event type each one is. */
export const EVENT_STREAMS = {
  email_send: 'send',
  email_bounce: 'bounce',
  email_open: 'open',
  email_click: 'click',
  email_complaint: 'complaint',
  email_unsubscribe: 'unsubscribe',
  email_subscribe: 'subscribe',
  purchase: 'purchase',
} as const;

export type EventStream = keyof typeof EVENT_STREAMS;
/** A custom event configured as a conversion (CONVERSION_EVENT_NAMES) is a `conversion`. */
export type EventType = (typeof EVENT_STREAMS)[EventStream] | 'conversion';

export interface TruthEvent {
  readonly type: EventType;
  readonly at: number;
  readonly campaignId: number | null;
  readonly email: string | null;
  readonly userId: string | null;
  /** The email (lower-cased), else the user id. */
  readonly userKey: string | null;
  /** The message a send and the events it caused share. */
  readonly messageId: string | null;
  readonly isMachineOpen: boolean;
  readonly unsubSource: string | null;
  readonly revenue: number | null;
}

interface EventRecord {
  createdAt?: unknown;
  campaignId?: number;
  email?: string;
  userId?: string | number;
  messageId?: string;
  proxySource?: string;
  unsubSource?: string;
  total?: number;
}

/** A custom event counted as a conversion: an event like any other, of type `conversion`. */
export function parseConversion(line: string): TruthEvent {
  return { ...parseEvent('purchase', line), type: 'conversion', revenue: null };
}

/** What user_engagement_fact takes from a user's latest profile. */
export interface Profile {
  readonly signed_up_on: string | null;
  readonly signup_cohort: string | null;
  readonly subscription_state: string;
}

interface ProfileRecord {
  email?: string;
  userId?: string;
  signupDate?: unknown;
  profileUpdatedAt?: unknown;
  emailListIds?: unknown[];
  unsubscribedChannelIds?: unknown[];
  unsubscribedMessageTypeIds?: unknown[];
}

/** The latest profile per user key, as 05_user_profiles.sql defines it, from the user export's lines. */
export function latestProfiles(lines: readonly string[]): Map<string, Profile> {
  const latest = new Map<string, { at: number; profile: Profile }>();
  for (const line of lines) {
    const r = JSON.parse(line) as ProfileRecord;
    const key = r.email?.toLowerCase() ?? r.userId ?? null;
    const at = parseIterableTimestamp(r.profileUpdatedAt);
    if (key === null || at === null) continue;
    if ((latest.get(key)?.at ?? -1) >= at) continue;
    const signup = parseIterableTimestamp(r.signupDate);
    const any = (list: unknown[] | undefined) => (list?.length ?? 0) > 0;
    latest.set(key, {
      at,
      profile: {
        signed_up_on: signup === null ? null : dayOf(signup),
        signup_cohort: signup === null ? null : new Date(signup).toISOString().slice(0, 7),
        subscription_state: any(r.unsubscribedChannelIds)
          ? 'unsubscribed'
          : any(r.unsubscribedMessageTypeIds)
            ? 'partially_unsubscribed'
            : any(r.emailListIds)
              ? 'subscribed'
              : 'no_subscriptions',
      },
    });
  }
  return new Map([...latest].map(([key, { profile }]) => [key, profile]));
}

export function parseEvent(stream: EventStream, line: string): TruthEvent {
  const record = JSON.parse(line) as EventRecord;
  const at = parseIterableTimestamp(record.createdAt);
  if (at === null) throw new Error(`unreadable createdAt in ${line}`);
  const email = record.email?.toLowerCase() ?? null;
  const userId = record.userId === undefined ? null : String(record.userId);
  const type = EVENT_STREAMS[stream];
  return {
    type,
    at,
    campaignId: record.campaignId ?? null,
    email,
    userId,
    userKey: email ?? userId,
    messageId: record.messageId ?? null,
    isMachineOpen: type === 'open' && record.proxySource !== undefined,
    unsubSource: type === 'unsubscribe' ? (record.unsubSource ?? null) : null,
    revenue: type === 'purchase' ? (record.total ?? null) : null,
  };
}

export interface CampaignDimensions {
  readonly campaign_id: number;
  readonly campaign_name: string | null;
  readonly campaign_type: string | null;
  readonly campaign_state: string | null;
  readonly message_medium: string | null;
  readonly template_id: number | null;
  readonly message_type_id: number | null;
  readonly message_type_name: string | null;
  readonly channel_id: number | null;
  readonly channel_name: string | null;
  readonly channel_type: string | null;
  readonly labels: string | null;
  readonly created_at: string | null;
  readonly started_at: string | null;
  readonly ended_at: string | null;
}

type Dimension = (name: 'campaigns' | 'templates' | 'message_types' | 'channels') => readonly object[];

export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

/** The UTC date of an instant, as DuckDB returns a DATE (midnight UTC). */
export const dayOf = (ms: number): string => `${new Date(ms).toISOString().slice(0, 10)}T00:00:00.000Z`;

export function campaignDimensions(dimension: Dimension): Map<number, CampaignDimensions> {
  const byId = <T extends object>(records: readonly object[], key: keyof T & string) =>
    new Map((records as T[]).map((r) => [r[key] as number, r]));
  const templates = byId<{ templateId: number; messageTypeId?: number }>(
    dimension('templates'),
    'templateId',
  );
  const messageTypes = byId<{ id: number; name: string; channelId: number }>(
    dimension('message_types'),
    'id',
  );
  const channels = byId<{ id: number; name: string; channelType: string }>(dimension('channels'), 'id');
  const campaigns = dimension('campaigns') as {
    id: number;
    name?: string;
    type?: string;
    campaignState?: string;
    messageMedium?: string;
    templateId?: number;
    labels?: string[];
    createdAt?: number;
    startAt?: number;
    endedAt?: number;
  }[];
  return new Map(
    campaigns.map((c) => {
      const template = c.templateId === undefined ? undefined : templates.get(c.templateId);
      const type =
        template?.messageTypeId === undefined ? undefined : messageTypes.get(template.messageTypeId);
      const channel = type === undefined ? undefined : channels.get(type.channelId);
      return [
        c.id,
        {
          campaign_id: c.id,
          campaign_name: c.name ?? null,
          campaign_type: c.type ?? null,
          campaign_state: c.campaignState ?? null,
          message_medium: c.messageMedium ?? null,
          template_id: c.templateId ?? null,
          message_type_id: type?.id ?? null,
          message_type_name: type?.name ?? null,
          channel_id: channel?.id ?? null,
          channel_name: channel?.name ?? null,
          channel_type: channel?.channelType ?? null,
          labels: c.labels === undefined ? null : c.labels.join(', '),
          created_at: iso(c.createdAt),
          started_at: iso(c.startAt),
          ended_at: iso(c.endedAt),
        },
      ];
    }),
  );
}
