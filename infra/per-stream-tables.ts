/**
 * One BigQuery table per stream and the view of the shared name over them (the rejects, the loaded
 * edges; functions/src/per-stream-tables.ts says why). The view names its tables in full, as a
 * view's query must, and waits for them: BigQuery checks a view's query when it is created.
 * https://cloud.google.com/bigquery/docs/views#view_limitations
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { type PerStreamTables, unionViewQuery } from '../functions/src/per-stream-tables.js';
import type { TableSpec } from './raw-tables.js';

export interface PerStreamTablesArgs {
  readonly project: string;
  readonly datasetId: pulumi.Input<string>;
  readonly deletionProtection: boolean;
  /** Partitioning and clustering of each stream's table, if any. */
  readonly layout: Pick<TableSpec, 'timePartitioning' | 'clusterings'>;
}

/** A BigQuery schema of nullable fields (https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableFieldSchema). */
const schema = (tables: PerStreamTables): string =>
  JSON.stringify(tables.columns.map((c) => ({ name: c.name, type: c.type, mode: 'NULLABLE' })));

/** Creates the tables (resources keyed by stream) and the view; returns the view. */
export function perStreamTables(
  name: string,
  tables: PerStreamTables,
  args: PerStreamTablesArgs,
  opts: pulumi.CustomResourceOptions,
): gcp.bigquery.Table {
  const common = {
    project: args.project,
    datasetId: args.datasetId,
    deletionProtection: args.deletionProtection,
  };
  const streamTables = tables.tables.map(
    (t) =>
      new gcp.bigquery.Table(
        `${name}-${t.stream}`,
        {
          ...common,
          ...args.layout,
          tableId: t.table,
          description: `${tables.description} (${t.stream})`,
          schema: schema(tables),
        },
        opts,
      ),
  );
  return new gcp.bigquery.Table(
    name,
    {
      ...common,
      tableId: tables.view,
      description: `${tables.description}: every stream, one table per stream underneath`,
      view: {
        query: pulumi
          .output(args.datasetId)
          .apply((dataset) => unionViewQuery(tables, (t) => `\`${args.project}.${dataset}.${t}\``)),
        useLegacySql: false,
      },
    },
    { ...opts, dependsOn: streamTables },
  );
}
