/**
 * BigQuery schemas of the raw dataset, derived from the catalog only. The Pulumi program creates
 * the tables from these fields and the warehouse adapter stages its loads with them, so the two
 * can never disagree about a column.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableFieldSchema
 */
import { CAMPAIGN_METRICS_TABLE_COLUMNS } from '../campaign-metrics-table.js';
import { type ColumnType, METADATA_COLUMNS, REJECT_COLUMNS, type StreamDefinition } from '../catalog.js';
import { FORGOTTEN_USERS_COLUMNS } from '../forget-tables.js';

export interface TableField {
  readonly name: string;
  readonly type: ColumnType;
  readonly mode: 'NULLABLE' | 'REQUIRED';
}

const field = (name: string, type: ColumnType): TableField => ({ name, type, mode: 'NULLABLE' });

/**
 * A raw table's fields: the stream's catalog columns, then `payload` and the load metadata.
 * Every field is NULLABLE, even `created_at`: the catalog's `required` is enforced by the worker
 * (a record without it is rejected), and BigQuery cannot relax REQUIRED later without a rewrite.
 */
export const rawTableFields = (stream: StreamDefinition): readonly TableField[] =>
  [...stream.columns, ...METADATA_COLUMNS].map((c) => field(c.name, c.type));

export const rejectTableFields: readonly TableField[] = REJECT_COLUMNS.map((c) => field(c.name, c.type));

export const campaignMetricsTableFields: readonly TableField[] = CAMPAIGN_METRICS_TABLE_COLUMNS.map((c) =>
  field(c.name, c.type),
);

/** The rejects are filed by the time their window is cut on (`created_at` of the reject). */
export const PARTITION_FIELD = 'created_at';
/** Analysts filter and join facts on the campaign first. */
export const CLUSTER_FIELDS = ['campaign_id'] as const;

export const forgottenUsersTableFields: readonly TableField[] = FORGOTTEN_USERS_COLUMNS.map((c) =>
  field(c.name, c.type),
);
