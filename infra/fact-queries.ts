/**
 * One BigQuery scheduled query per fact SQL file, run by its own service account (which may read
 * the raw dataset and write the analytics one), off the hour after the pipeline's runs.
 * https://cloud.google.com/bigquery/docs/scheduling-queries
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { FactQuery } from './sql-files.js';

export interface FactQueriesArgs {
  readonly project: string;
  readonly location: string;
  readonly namePrefix: string;
  readonly schedule: string;
  readonly queries: readonly FactQuery[];
  readonly serviceAccountEmail: pulumi.Input<string>;
}

export class FactQueries extends pulumi.ComponentResource {
  /** Scheduled query resource names, by SQL file key. */
  readonly configs: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: FactQueriesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:FactQueries', name, {}, opts);
    const configs: Record<string, pulumi.Output<string>> = {};
    for (const query of args.queries) {
      const transfer = new gcp.bigquery.DataTransferConfig(
        `${name}-${query.key}`,
        {
          project: args.project,
          location: args.location,
          displayName: `${args.namePrefix} ${query.key}`,
          dataSourceId: 'scheduled_query',
          schedule: args.schedule,
          serviceAccountName: args.serviceAccountEmail,
          // The files write their own tables (MERGE / CREATE OR REPLACE), so no destination table.
          params: { query: query.sql },
        },
        { parent: this },
      );
      configs[query.key] = transfer.name;
    }
    this.configs = pulumi.output(configs);
    this.registerOutputs({ configs: this.configs });
  }
}
