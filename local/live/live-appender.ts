/**
 * The stand-in subscription's write of fresh messages: DuckDB's Appender fills whole data chunks of
 * a live table, the way a BigQuery subscription writes each message's fields to the columns of the
 * same name and adds its metadata columns. On 30,000 webhooks this costs ~17–25 µs of CPU per row
 * against 27–46 µs for one `INSERT … SELECT unnest(from_json($batch))` per batch (bench/README.md
 * section 6): no SQL is planned, no JSON array is built and parsed again, and numbers go into the
 * chunk's typed arrays without a native call. Replayed messages go through live-insert.ts instead,
 * which skips those already committed.
 */
import {
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBTimestampTZValue,
  type DuckDBValue,
  DuckDBVector,
} from '@duckdb/node-api';
import {
  LIVE_DATASET,
  LIVE_EVENT_COLUMNS,
  LIVE_EVENTS_TABLE,
  LIVE_REJECT_COLUMNS,
  LIVE_REJECTS_TABLE,
} from '../../functions/src/live/live-tables.js';
import { LOCAL_SUBSCRIPTION } from './live-insert.js';

/** One message as published: field name → value, timestamps in epoch milliseconds. */
export type LiveMessage = Readonly<Record<string, string | number | null>>;

type Column = { readonly name: string; readonly type: string };

const TABLES = {
  events: { name: LIVE_EVENTS_TABLE, columns: LIVE_EVENT_COLUMNS },
  rejects: { name: LIVE_REJECTS_TABLE, columns: LIVE_REJECT_COLUMNS },
} as const satisfies Record<string, { name: string; columns: readonly Column[] }>;

/** A column's cell from a message; the metadata columns the subscription writes itself. */
function cellOf(column: Column): (message: LiveMessage) => DuckDBValue {
  if (column.name === 'subscription_name') return () => LOCAL_SUBSCRIPTION;
  if (column.name === 'attributes') return () => null;
  const name = column.name;
  if (column.type === 'TIMESTAMP')
    return (m) => {
      const ms = m[name];
      return ms === null || ms === undefined ? null : new DuckDBTimestampTZValue(BigInt(ms) * 1000n);
    };
  if (column.type === 'INT64')
    return (m) => {
      const n = m[name];
      return n === null || n === undefined ? null : BigInt(n);
    };
  return (m) => {
    const text = m[name];
    return text === null || text === undefined ? null : String(text);
  };
}

/**
 * Refuses a warehouse whose live tables differ from the declared columns, by name and order: the
 * DDL creates them from the same lists, but leaves alone a table an earlier version made, into
 * which the Appender (which fills columns by position) would write nothing or the wrong cells.
 * `npm run live` checks before it accepts a single event.
 */
export async function checkLiveTables(connection: DuckDBConnection): Promise<void> {
  for (const { name, columns } of Object.values(TABLES)) {
    const reader = await connection.runAndReadAll(
      `SELECT column_name FROM information_schema.columns
       WHERE table_schema = $schema AND table_name = $table ORDER BY ordinal_position`,
      { schema: LIVE_DATASET, table: name },
    );
    const found = reader.getRows().map(([column]) => String(column));
    const wanted = columns.map((c) => c.name);
    if (found.join(',') !== wanted.join(',')) {
      throw new Error(
        `${LIVE_DATASET}.${name} has the columns (${found.join(', ')}) where npm run live writes (${wanted.join(', ')}); drop the table to let npm run live create it again`,
      );
    }
  }
}

/**
 * Appends messages to a live table on `connection`, inside the caller's transaction. The table's
 * columns are the declared ones in their order (`checkLiveTables`).
 */
export async function appendLive(
  connection: DuckDBConnection,
  table: keyof typeof TABLES,
  messages: readonly LiveMessage[],
): Promise<void> {
  const { name, columns } = TABLES[table];
  const appender = await connection.createAppender(name, LIVE_DATASET);
  try {
    const types = columns.map((_, k) => appender.columnType(k));
    const cells = columns.map(cellOf);
    const chunkRows = DuckDBVector.standardSize();
    for (let from = 0; from < messages.length; from += chunkRows) {
      const rows = messages.slice(from, from + chunkRows);
      const chunk = DuckDBDataChunk.create(types, rows.length);
      for (const [k, cell] of cells.entries()) {
        const vector = chunk.getColumnVector(k);
        for (const [i, message] of rows.entries()) vector.setItem(i, cell(message));
        vector.flush();
      }
      appender.appendDataChunk(chunk);
    }
  } catch (error) {
    // Closing flushes: what was appended before the error must not reach the table.
    appender.clear();
    throw error;
  } finally {
    appender.closeSync();
  }
}
