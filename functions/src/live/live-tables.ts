/**
 * The live half of the warehouse, declared once: the `iterable_live` dataset the webhook collector
 * feeds (through Pub/Sub on GCP, through a local stand-in on a laptop), and the raw dataset's
 * `loaded_edges` table that says, per stream, up to where the exports have taken over.
 * The BigQuery tables (infra/live.ts), the DuckDB DDL (local/duckdb-ddl.ts) and the SQL checks
 * all derive from these lists.
 */
import type { ColumnType, StreamName } from '../catalog.js';

export const LIVE_DATASET = 'iterable_live';
export const LIVE_EVENTS_TABLE = 'events';
export const LIVE_REJECTS_TABLE = 'rejects';

/** Live rows expire with their day's partition: by then the exports have long covered them. */
export const LIVE_PARTITION_EXPIRATION_DAYS = 7;

interface LiveColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/**
 * What the collector publishes for one event, one message field per column (the BigQuery
 * subscription writes fields to the columns of the same name). Iterable's `messageId` is
 * `iterable_message_id` because `message_id` is the Pub/Sub message id the subscription writes
 * itself (`PUBSUB_METADATA_COLUMNS`).
 * `event_key` identifies the event across deliveries: Iterable may deliver a webhook twice and
 * Pub/Sub may write a message twice (at-least-once), and both copies carry the same key.
 */
export const LIVE_EVENT_FIELDS = [
  { name: 'stream', type: 'STRING' },
  { name: 'event_name', type: 'STRING' },
  { name: 'created_at', type: 'TIMESTAMP' },
  { name: 'email', type: 'STRING' },
  { name: 'user_id', type: 'STRING' },
  { name: 'campaign_id', type: 'INT64' },
  { name: 'template_id', type: 'INT64' },
  { name: 'iterable_message_id', type: 'STRING' },
  { name: 'payload', type: 'JSON' },
  { name: 'event_key', type: 'STRING' },
  { name: 'received_at', type: 'TIMESTAMP' },
] as const satisfies readonly LiveColumn[];

/** A body the collector refused (authenticated, but not a readable webhook), kept to be looked at. */
export const LIVE_REJECT_FIELDS = [
  { name: 'received_at', type: 'TIMESTAMP' },
  { name: 'reason', type: 'STRING' },
  { name: 'body', type: 'STRING' },
] as const satisfies readonly LiveColumn[];

/**
 * Columns a BigQuery subscription with `writeMetadata` adds to every row.
 * https://cloud.google.com/pubsub/docs/bigquery#properties_subscription
 */
export const PUBSUB_METADATA_COLUMNS = [
  { name: 'subscription_name', type: 'STRING' },
  { name: 'message_id', type: 'STRING' },
  { name: 'publish_time', type: 'TIMESTAMP' },
  { name: 'attributes', type: 'JSON' },
] as const satisfies readonly LiveColumn[];

export const LIVE_EVENT_COLUMNS = [...LIVE_EVENT_FIELDS, ...PUBSUB_METADATA_COLUMNS] as const;
export const LIVE_REJECT_COLUMNS = [...LIVE_REJECT_FIELDS, ...PUBSUB_METADATA_COLUMNS] as const;

/**
 * Per export stream, the end of the furthest window the exports have loaded (exclusive): every
 * event created before it is counted from the raw table, every live event at or after it from
 * `iterable_live.events`. Written in the same transaction as the window it moves past, into the
 * stream's own one-row table (`email_send` → `email_send_loaded_edge`), so two streams'
 * transactions never write the same table; readers use the `loaded_edges` view over them all
 * (`per-stream-tables.ts`).
 */
export const LOADED_EDGES_VIEW = 'loaded_edges';
export const loadedEdgeTableName = (stream: StreamName): string => `${stream}_loaded_edge`;
export const LOADED_EDGE_COLUMNS = [
  { name: 'stream', type: 'STRING' },
  { name: 'loaded_edge', type: 'TIMESTAMP' },
  { name: 'updated_at', type: 'TIMESTAMP' },
] as const satisfies readonly LiveColumn[];

type FieldName = (typeof LIVE_EVENT_FIELDS)[number]['name'];

/** One event as the collector publishes it: timestamps as epoch milliseconds, `payload` as JSON text. */
export type LiveEvent = { readonly [K in FieldName]: string | number | null } & {
  readonly event_name: string;
  readonly created_at: number;
  readonly payload: string;
  readonly event_key: string;
  readonly received_at: number;
};

export interface LiveReject {
  readonly received_at: number;
  readonly reason: string;
  readonly body: string;
}
