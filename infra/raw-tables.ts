/**
 * The raw dataset's tables as Pulumi arguments, derived from the catalog: one `<stream>_raw` per
 * stream with its typed schema (the per-stream rejects and their view: infra/per-stream-tables.ts). Event tables are partitioned by day of
 * `created_at`, so a window's replace touches only its days, and clustered on `campaign_id`.
 * https://cloud.google.com/bigquery/docs/partitioned-tables#date_timestamp_partitioned_tables
 */
import type * as gcp from '@pulumi/gcp';
import { CAMPAIGN_METRICS_TABLE } from '../functions/src/campaign-metrics-table.js';
import { rawTableName, STREAMS, type Stream, windowColumnOf } from '../functions/src/catalog.js';
import { FORGOTTEN_USERS_TABLE } from '../functions/src/forget-tables.js';
import {
  CLUSTER_FIELDS,
  campaignMetricsTableFields,
  forgottenUsersTableFields,
  PARTITION_FIELD,
  rawTableFields,
  type TableField,
} from '../functions/src/gcp/raw-schema.js';

export type TableSpec = Pick<
  gcp.bigquery.TableArgs,
  'tableId' | 'description' | 'schema' | 'timePartitioning' | 'clusterings'
>;

const schema = (fields: readonly TableField[]): string => JSON.stringify(fields);

const dayPartitions = { type: 'DAY', field: PARTITION_FIELD } as const;

export function rawTableSpec(stream: Stream): TableSpec {
  const base = {
    tableId: rawTableName(stream.name),
    description: `${stream.description}: raw rows as loaded from Iterable (${stream.name})`,
    schema: schema(rawTableFields(stream)),
  };
  // Partitioned on the column windows are cut on (`created_at`, `profile_updated_at` for users),
  // so a window's replace touches only its days.
  const windowColumn = windowColumnOf(stream);
  return windowColumn === null
    ? base
    : {
        ...base,
        timePartitioning: { type: 'DAY', field: windowColumn },
        clusterings: stream.columns.some((c) => c.name === CLUSTER_FIELDS[0])
          ? [...CLUSTER_FIELDS]
          : ['email'],
      };
}

/** Each stream's rejects table is partitioned by day of the reject's `created_at`, as windows are cut. */
export const REJECTS_LAYOUT: Pick<TableSpec, 'timePartitioning'> = { timePartitioning: dayPartitions };

/** Iterable's own campaign totals, which `campaign_reconciliation` compares the facts with. */
export const CAMPAIGN_METRICS_SPEC: TableSpec = {
  tableId: CAMPAIGN_METRICS_TABLE,
  description: "Iterable's per-campaign totals (GET /api/campaigns/metrics) over the loaded range",
  schema: schema(campaignMetricsTableFields),
};

/** Who was forgotten (by hash only), when, and how many rows of theirs each table lost. */
export const FORGOTTEN_USERS_SPEC: TableSpec = {
  tableId: FORGOTTEN_USERS_TABLE,
  description: "Users forgotten on Iterable's GDPR/CCPA list: SHA-256 hash, tables and rows deleted, when",
  schema: schema(forgottenUsersTableFields),
};

/** Every raw table, keyed by stream name (and `campaign_metrics`, …), never by position. */
export const RAW_TABLE_SPECS: Readonly<Record<string, TableSpec>> = {
  ...Object.fromEntries(STREAMS.map((s) => [s.name, rawTableSpec(s)])),
  campaign_metrics: CAMPAIGN_METRICS_SPEC,
  [FORGOTTEN_USERS_TABLE]: FORGOTTEN_USERS_SPEC,
};
