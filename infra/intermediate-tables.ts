/**
 * The fact build's intermediate tables (sql/05, 06, 15), created by the Pulumi program partitioned
 * and clustered on their keys, so that a scheduled run reads only what it rebuilds:
 *   - partitioned by day on the date the build replaces from (`event_on`), so the DELETE of the
 *     lookback's dates and every `event_on >= DATE(events_from)` read touch those partitions only
 *     (`events_from` is a script variable: BigQuery prunes on it, never on a subquery);
 *   - clustered on the keys the facts read them by (campaign, recipient, user, message), so a read
 *     of the affected keys' rows skips the blocks of other keys.
 * The lifetime tables (one row per key, the totals of the settled dates) have no date to partition
 * on and are clustered only.
 *   https://cloud.google.com/bigquery/docs/querying-partitioned-tables
 *   https://cloud.google.com/bigquery/docs/querying-clustered-tables
 * The columns are those of the file's `CREATE TABLE IF NOT EXISTS`, read from it, so the SQL stays
 * their one definition: the scheduled query finds the table already there, and DuckDB, which has
 * no partitions, creates it from the same statement. DDL's `PARTITION BY` / `CLUSTER BY` would
 * fork the file between the engines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { declaredTables } from '../sql/declared-tables.js';
import type { TableSpec } from './raw-tables.js';

export interface IntermediateTable {
  readonly table: string;
  /** The sql/ file whose CREATE TABLE declares the columns. */
  readonly file: string;
  /** DATE or TIMESTAMP column of the day partitions; null for a table of one row per key. */
  readonly partitionField: string | null;
  /** At most 4 columns, the one filtered on most first (BigQuery prunes blocks in this order). */
  readonly clusterings: readonly string[];
  readonly description: string;
}

export const INTERMEDIATE_TABLES: readonly IntermediateTable[] = [
  {
    table: 'campaign_recipient_daily',
    file: '05_campaign_recipient_daily.sql',
    partitionField: 'event_on',
    clusterings: ['campaign_id', 'user_key'],
    description: 'Events per campaign, recipient and date: the lifetime totals of the campaign facts',
  },
  {
    table: 'campaign_recipient_lifetime',
    file: '05_campaign_recipient_lifetime.sql',
    partitionField: null,
    clusterings: ['campaign_id', 'user_key'],
    description:
      'Totals per campaign and recipient over the settled dates: the campaign facts add the rebuilt dates to them',
  },
  {
    table: 'user_profiles',
    file: '05_user_profiles.sql',
    // user_engagement_fact finds the profiles updated since the rebuild start by this column.
    partitionField: 'profile_updated_at',
    clusterings: ['user_key'],
    description: 'The latest profile per user key (upserted from users_raw)',
  },
  {
    table: 'user_daily',
    file: '06_user_daily.sql',
    partitionField: 'event_on',
    clusterings: ['user_key'],
    description: 'Events per user and date: the lifetime counts of user_engagement_fact',
  },
  {
    table: 'user_lifetime',
    file: '06_user_lifetime.sql',
    partitionField: null,
    clusterings: ['user_key'],
    description:
      'Totals per user over the settled dates: user_engagement_fact adds the rebuilt dates to them',
  },
  {
    table: 'email_message_daily',
    file: '15_email_message_daily.sql',
    partitionField: 'event_on',
    clusterings: ['message_id', 'campaign_id'],
    description: 'Events per message and date: the send cohorts of email_send_cohort_fact',
  },
  {
    table: 'campaign_recipient_last_send',
    file: '15_email_message_daily.sql',
    partitionField: null,
    clusterings: ['campaign_id', 'user_key'],
    description:
      "Each recipient's latest send of a campaign over the settled dates: what a purchase is credited to",
  },
];

/** BigQuery's names of the types the intermediate tables use. */
const TYPES = new Set(['STRING', 'INT64', 'FLOAT64', 'BOOL', 'DATE', 'TIMESTAMP', 'JSON']);

interface Field {
  readonly name: string;
  readonly type: string;
  readonly mode: 'NULLABLE';
}

/** The columns of `CREATE TABLE IF NOT EXISTS iterable_analytics.<table> (…)` in `sql`. */
export function declaredColumns(sql: string, table: string): Field[] {
  const declared = declaredTables(sql).find((t) => t.table === `iterable_analytics.${table}`);
  if (!declared) throw new Error(`no CREATE TABLE IF NOT EXISTS iterable_analytics.${table} (…) found`);
  return declared.columns.map(({ name, type }) => {
    if (!TYPES.has(type)) {
      throw new Error(
        `${table}: cannot read the column "${name} ${type}" (name and one of ${[...TYPES].join(', ')})`,
      );
    }
    return { name, type, mode: 'NULLABLE' };
  });
}

export function intermediateTableSpecs(sqlDir: string): TableSpec[] {
  return INTERMEDIATE_TABLES.map((t) => {
    const fields = declaredColumns(readFileSync(join(sqlDir, t.file), 'utf8'), t.table);
    const keys = t.partitionField === null ? t.clusterings : [t.partitionField, ...t.clusterings];
    for (const key of keys) {
      if (!fields.some((f) => f.name === key)) throw new Error(`${t.table} has no column ${key} (${t.file})`);
    }
    return {
      tableId: t.table,
      description: t.description,
      schema: JSON.stringify(fields),
      ...(t.partitionField === null ? {} : { timePartitioning: { type: 'DAY', field: t.partitionField } }),
      clusterings: [...t.clusterings],
    };
  });
}
