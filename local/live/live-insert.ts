/**
 * The SQL that stands in for the BigQuery subscription: one statement inserts a whole batch of
 * messages, passed as one JSON array, into a live table, with the metadata columns the
 * subscription's `writeMetadata` would add (a message id of our own, the publish time).
 */
import {
  LIVE_DATASET,
  LIVE_EVENT_FIELDS,
  LIVE_EVENTS_TABLE,
  LIVE_REJECT_FIELDS,
  LIVE_REJECTS_TABLE,
} from '../../functions/src/live/live-tables.js';
import { epochMsToTimestamp } from '../duckdb-load.js';

/** The stand-in's subscription, as `subscription_name` says on GCP. */
export const LOCAL_SUBSCRIPTION = 'local';

type Field = { readonly name: string; readonly type: string };

const read = (f: Field): string => {
  const text = `e->>'${f.name}'`;
  switch (f.type) {
    case 'TIMESTAMP':
      return epochMsToTimestamp(text);
    case 'INT64':
      return `CAST(${text} AS BIGINT)`;
    case 'JSON':
      return `CAST(${text} AS JSON)`;
    default:
      return text;
  }
};

const insert = (table: string, fields: readonly Field[], replay: boolean): string => {
  const metadata = ['subscription_name', 'message_id', 'publish_time'];
  const target = `${LIVE_DATASET}.${table}`;
  return [
    `INSERT INTO ${target} (${[...fields.map((f) => f.name), ...metadata].join(', ')})`,
    `SELECT ${fields.map(read).join(', ')}, '${LOCAL_SUBSCRIPTION}', e->>'message_id', ${epochMsToTimestamp("e->>'publish_time'")}`,
    'FROM (SELECT unnest(CAST(CAST($batch AS JSON) AS JSON[])) AS e)',
    // A replayed buffer may hold messages committed just before a crash: each is written once.
    ...(replay ? [`WHERE e->>'message_id' NOT IN (SELECT message_id FROM ${target})`] : []),
  ].join('\n');
};

/** Per live table, the insert of fresh messages and the one of a replayed buffer. */
export const INSERTS = {
  events: {
    fresh: insert(LIVE_EVENTS_TABLE, LIVE_EVENT_FIELDS, false),
    replay: insert(LIVE_EVENTS_TABLE, LIVE_EVENT_FIELDS, true),
  },
  rejects: {
    fresh: insert(LIVE_REJECTS_TABLE, LIVE_REJECT_FIELDS, false),
    replay: insert(LIVE_REJECTS_TABLE, LIVE_REJECT_FIELDS, true),
  },
} as const;
