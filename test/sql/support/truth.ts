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
export type EventType = (typeof EVENT_STREAMS)[EventStream];

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
