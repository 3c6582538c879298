/**
 * The stream catalog: every stream the pipeline extracts, declared once, as data.
 *
 * Everything else derives from these rows: the fan-out's plan, the worker's validation and
 * normalisation, raw table DDL (DuckDB and BigQuery), the simulator's endpoints and the docs.
 * Adding a stream is one entry here plus its SQL.
 */

/** Column types, named as BigQuery names them; the DuckDB adapter maps them. */
export const COLUMN_TYPES = ['STRING', 'INT64', 'FLOAT64', 'BOOL', 'TIMESTAMP', 'JSON'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface Column {
  /** Column name in the raw table (snake_case). */
  readonly name: string;
  readonly type: ColumnType;
  /** Top-level key of the Iterable record the value comes from. */
  readonly field: string;
  /** A record without this field is rejected rather than loaded. */
  readonly required?: boolean;
}

/** An event stream read from `GET /api/export/data.json?dataTypeName=…` one window at a time. */
export interface ExportSource {
  readonly kind: 'export';
  readonly dataTypeName: string;
  /**
   * The record field Iterable cuts `startDateTime`/`endDateTime` windows on: `createdAt` for
   * events, `profileUpdatedAt` for the user export (a profile is exported in the window of its
   * latest update, so a later window brings the newer version of the same user).
   */
  readonly windowField: string;
}

/** A dimension read whole from a JSON endpoint; each load replaces the table with the current state. */
export interface DimensionSource {
  readonly kind: 'dimension';
  readonly path: string;
  /** Key of the array in the response body (`{campaigns: [...]}`). */
  readonly listKey: string;
  /** Whether the endpoint pages with `page` / `pageSize` (and `nextPageUrl`). */
  readonly paged: boolean;
}

export type StreamSource = ExportSource | DimensionSource;

export interface WindowDefaults {
  /**
   * Length of a stream's first export window, before the ledger says how dense it is; later ones
   * are sized by density and grow ×2 per window (`pipeline/sizing.ts`). A power of two, so its
   * boundaries are the aligned ones: smaller means more requests against Iterable's 4/min export
   * limit, larger risks a first response cut off mid-stream on a busy stream.
   */
  readonly firstMinutes: number;
}

export interface StreamDefinition {
  readonly name: string;
  readonly description: string;
  readonly source: StreamSource;
  readonly columns: readonly Column[];
  readonly window: WindowDefaults;
}

const col = (name: string, type: ColumnType, field: string, required = false): Column =>
  required ? { name, type, field, required } : { name, type, field };

/** Identifying columns every email event carries; `createdAt` is what windows are cut on. */
const EVENT_COLUMNS: readonly Column[] = [
  col('created_at', 'TIMESTAMP', 'createdAt', true),
  col('email', 'STRING', 'email'),
  col('user_id', 'STRING', 'userId'),
  col('campaign_id', 'INT64', 'campaignId'),
  col('template_id', 'INT64', 'templateId'),
  col('message_id', 'STRING', 'messageId'),
];

/** 2^8 minutes, about 4 h: the first window of a busy stream. */
const BUSY_FIRST = 2 ** 8;
/** 2^10 minutes, about 17 h: the first window of a quieter stream. */
const QUIET_FIRST = 2 ** 10;

const event = <const N extends string>(
  name: N,
  dataTypeName: string,
  description: string,
  extra: readonly Column[],
  firstMinutes: number,
): StreamDefinition & { readonly name: N } => ({
  name,
  description,
  source: { kind: 'export', dataTypeName, windowField: 'createdAt' },
  columns: [...EVENT_COLUMNS, ...extra],
  window: { firstMinutes },
});

const dimension = <const N extends string>(
  name: N,
  path: string,
  listKey: string,
  paged: boolean,
  description: string,
  columns: readonly Column[],
): StreamDefinition & { readonly name: N } => ({
  name,
  description,
  source: { kind: 'dimension', path, listKey, paged },
  columns,
  window: { firstMinutes: QUIET_FIRST },
});

export const STREAMS = [
  // Sends, opens and clicks are the busiest streams: a shorter first window keeps the first export
  // small enough not to be cut off mid-body (see shared/iterable-api.md, "large windows get cut off").
  event(
    'email_send',
    'emailSend',
    'Emails sent',
    [
      col('message_type_id', 'INT64', 'messageTypeId'),
      col('channel_id', 'INT64', 'channelId'),
      col('transactional_data', 'STRING', 'transactionalData'),
    ],
    BUSY_FIRST,
  ),
  event(
    'email_open',
    'emailOpen',
    'Email opens, machine opens included (proxy_source set)',
    [
      col('proxy_source', 'STRING', 'proxySource'),
      col('user_agent_device', 'STRING', 'userAgentDevice'),
      col('country', 'STRING', 'country'),
    ],
    BUSY_FIRST,
  ),
  event(
    'email_click',
    'emailClick',
    'Link clicks in emails',
    [
      col('url', 'STRING', 'url'),
      col('href_index', 'INT64', 'hrefIndex'),
      col('user_agent_device', 'STRING', 'userAgentDevice'),
    ],
    BUSY_FIRST,
  ),
  event(
    'email_bounce',
    'emailBounce',
    'Bounced emails',
    [col('recipient_state', 'STRING', 'recipientState'), col('bounce_status', 'STRING', 'status')],
    QUIET_FIRST,
  ),
  event(
    'email_complaint',
    'emailComplaint',
    'Spam complaints',
    [col('recipient_state', 'STRING', 'recipientState')],
    QUIET_FIRST,
  ),
  // The spec spells it `emailUnSubscribe`; that is what we send.
  event(
    'email_unsubscribe',
    'emailUnSubscribe',
    'Unsubscribes, with or without a campaign',
    [
      col('unsub_source', 'STRING', 'unsubSource'),
      col('email_list_ids', 'JSON', 'emailListIds'),
      col('channel_ids', 'JSON', 'channelIds'),
      col('message_type_ids', 'JSON', 'messageTypeIds'),
      col('workflow_id', 'INT64', 'workflowId'),
    ],
    QUIET_FIRST,
  ),
  event(
    'email_subscribe',
    'emailSubscribe',
    'Subscribes to lists, channels or message types',
    [
      col('signup_source', 'STRING', 'signupSource'),
      col('email_list_ids', 'JSON', 'emailListIds'),
      col('channel_ids', 'JSON', 'channelIds'),
      col('message_type_ids', 'JSON', 'messageTypeIds'),
    ],
    QUIET_FIRST,
  ),
  event(
    'email_send_skip',
    'emailSendSkip',
    'Sends skipped, with the reason',
    [col('reason', 'STRING', 'reason'), col('message_type_id', 'INT64', 'messageTypeId')],
    QUIET_FIRST,
  ),
  event(
    'hosted_unsubscribe_click',
    'hostedUnsubscribeClick',
    'Clicks on the hosted unsubscribe link',
    [col('url', 'STRING', 'url')],
    QUIET_FIRST,
  ),
  event(
    'purchase',
    'purchase',
    'Purchases; campaign_id is set when Iterable attributes the purchase to a campaign',
    [col('purchase_id', 'STRING', 'id'), col('total', 'FLOAT64', 'total'), col('items', 'JSON', 'items')],
    QUIET_FIRST,
  ),
  event(
    'custom_event',
    'customEvent',
    'Custom events tracked by the project (sign-ups, trials, renewals…), with their dataFields',
    [col('event_name', 'STRING', 'eventName'), col('data_fields', 'JSON', 'dataFields')],
    QUIET_FIRST,
  ),
  // Users are exported like events but windowed on profileUpdatedAt: the raw table keeps every
  // version loaded, and `user_profiles` keeps the latest per user key (upsert). The whole profile
  // stays in `payload`, so custom user fields are never dropped (airbytehq/airbyte#79634).
  {
    name: 'users',
    description: 'User profiles (the user export), one row per profile version loaded',
    source: { kind: 'export', dataTypeName: 'user', windowField: 'profileUpdatedAt' },
    columns: [
      col('profile_updated_at', 'TIMESTAMP', 'profileUpdatedAt', true),
      col('email', 'STRING', 'email'),
      col('user_id', 'STRING', 'userId'),
      col('signed_up_at', 'TIMESTAMP', 'signupDate'),
      col('email_list_ids', 'JSON', 'emailListIds'),
      col('unsubscribed_channel_ids', 'JSON', 'unsubscribedChannelIds'),
      col('unsubscribed_message_type_ids', 'JSON', 'unsubscribedMessageTypeIds'),
    ],
    window: { firstMinutes: QUIET_FIRST },
  },
  dimension('campaigns', '/api/campaigns', 'campaigns', true, 'Campaigns (blast and triggered)', [
    col('campaign_id', 'INT64', 'id', true),
    col('name', 'STRING', 'name'),
    col('campaign_type', 'STRING', 'type'),
    col('campaign_state', 'STRING', 'campaignState'),
    col('message_medium', 'STRING', 'messageMedium'),
    col('template_id', 'INT64', 'templateId'),
    col('workflow_id', 'INT64', 'workflowId'),
    col('recurring_campaign_id', 'INT64', 'recurringCampaignId'),
    col('labels', 'JSON', 'labels'),
    col('list_ids', 'JSON', 'listIds'),
    col('send_size', 'INT64', 'sendSize'),
    col('created_at', 'TIMESTAMP', 'createdAt'),
    col('updated_at', 'TIMESTAMP', 'updatedAt'),
    col('start_at', 'TIMESTAMP', 'startAt'),
    col('ended_at', 'TIMESTAMP', 'endedAt'),
  ]),
  dimension('templates', '/api/templates', 'templates', true, 'Email templates', [
    col('template_id', 'INT64', 'templateId', true),
    col('name', 'STRING', 'name'),
    col('message_type_id', 'INT64', 'messageTypeId'),
    col('campaign_id', 'INT64', 'campaignId'),
    col('created_at', 'TIMESTAMP', 'createdAt'),
    col('updated_at', 'TIMESTAMP', 'updatedAt'),
  ]),
  dimension('message_types', '/api/messageTypes', 'messageTypes', false, 'Message types (email categories)', [
    col('message_type_id', 'INT64', 'id', true),
    col('name', 'STRING', 'name'),
    col('channel_id', 'INT64', 'channelId'),
    col('subscription_policy', 'STRING', 'subscriptionPolicy'),
    col('created_at', 'TIMESTAMP', 'createdAt'),
    col('updated_at', 'TIMESTAMP', 'updatedAt'),
  ]),
  dimension('channels', '/api/channels', 'channels', false, 'Channels (marketing / transactional)', [
    col('channel_id', 'INT64', 'id', true),
    col('name', 'STRING', 'name'),
    col('channel_type', 'STRING', 'channelType'),
    col('message_medium', 'STRING', 'messageMedium'),
  ]),
  dimension('lists', '/api/lists', 'lists', false, 'Subscription lists', [
    col('list_id', 'INT64', 'id', true),
    col('name', 'STRING', 'name'),
    col('list_type', 'STRING', 'listType'),
    col('created_at', 'TIMESTAMP', 'createdAt'),
  ]),
] as const satisfies readonly StreamDefinition[];

export type Stream = (typeof STREAMS)[number];
export type StreamName = Stream['name'];

export const STREAM_NAMES: readonly StreamName[] = STREAMS.map((s) => s.name);

const BY_NAME = new Map<string, Stream>(STREAMS.map((s) => [s.name, s]));

function isStreamName(name: string): name is StreamName {
  return BY_NAME.has(name);
}

/** Reads a comma-separated list of stream names, refusing any the catalog does not know. */
export function readStreamList(value: string): StreamName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !isStreamName(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `unknown stream ${unknown.join(', ') || '(none given)'}; known streams are ${STREAM_NAMES.join(', ')}`,
    );
  }
  return names as StreamName[];
}

export function streamByName(name: StreamName): Stream {
  const stream = BY_NAME.get(name);
  if (!stream) throw new Error(`unknown stream ${name}`);
  return stream;
}

/**
 * What every loaded row says about its load: the window (or piece) it came in, when, and in which
 * run. A load fills each from the query parameter of the same name without the underscore
 * (`loadParameter`).
 */
export const LOAD_COLUMNS = [
  { name: '_window_start', type: 'TIMESTAMP' },
  { name: '_window_end', type: 'TIMESTAMP' },
  { name: '_loaded_at', type: 'TIMESTAMP' },
  { name: '_run_id', type: 'STRING' },
] as const satisfies readonly { name: string; type: ColumnType }[];

/** `_window_start` → `window_start`: the parameter a load passes for a load column. */
export const loadParameter = (column: (typeof LOAD_COLUMNS)[number]): string => column.name.slice(1);

/** Columns every raw table carries after the catalog's typed columns. */
export const METADATA_COLUMNS = [
  { name: 'payload', type: 'JSON' },
  ...LOAD_COLUMNS,
] as const satisfies readonly { name: string; type: ColumnType }[];

/**
 * The raw column a stream's windows are cut on (the column of its source's `windowField`), or
 * `null` for a dimension, which is replaced whole.
 */
export function windowColumnOf(stream: StreamDefinition): string | null {
  const { source } = stream;
  if (source.kind !== 'export') return null;
  const column = stream.columns.find((c) => c.field === source.windowField);
  if (!column)
    throw new Error(`stream ${stream.name} has no column for its window field ${source.windowField}`);
  return column.name;
}

/** Raw table of a stream, inside the raw dataset: `email_send` → `email_send_raw`. */
export const rawTableName = (stream: StreamName): string => `${stream}_raw`;

/**
 * Records of one stream that failed validation, with their raw line, stream, window and reason:
 * `email_send` → `email_send_rejects`. One table per stream, so the load transactions of two
 * streams write disjoint tables: BigQuery cancels one of two transactions that mutate the same
 * table ("Conflicting transactions are cancelled"),
 * https://cloud.google.com/bigquery/docs/transactions#transaction_concurrency
 */
export const rejectsTableName = (stream: StreamName): string => `${stream}_rejects`;

/** The view of every stream's rejects (`per-stream-tables.ts`), the name people and readers use. */
export const REJECTS_VIEW = 'rejects';
export const REJECT_COLUMNS = [
  { name: 'stream', type: 'STRING' },
  { name: 'created_at', type: 'TIMESTAMP' },
  { name: 'line', type: 'STRING' },
  { name: 'reason', type: 'STRING' },
  ...LOAD_COLUMNS,
] as const satisfies readonly { name: string; type: ColumnType }[];
