/**
 * One BigQuery scheduled query per fact SQL file, run by its own service account (which may read
 * the raw dataset and write the analytics one), off the hour after the pipeline's runs.
 * https://cloud.google.com/bigquery/docs/scheduling-queries
 *
 * Scheduled queries sharing a schedule start together, so on their first run a fact query could
 * find the staging views of an earlier file missing. `pulumi up` therefore runs every file once,
 * in file order, as a query job: views and (still empty) tables exist before the first schedule.
 * A file's job id carries a hash of its SQL, so a changed file runs again on the next `pulumi up`.
 */
import { createHash } from 'node:crypto';
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
    let previous: gcp.bigquery.Job | null = null;
    for (const query of args.queries) {
      const hash = createHash('sha256').update(query.sql).digest('hex').slice(0, 12);
      const setup: gcp.bigquery.Job = new gcp.bigquery.Job(
        `${name}-${query.key}-setup`,
        {
          project: args.project,
          location: args.location,
          jobId: `${args.namePrefix}_setup_${query.key}_${hash}`,
          // Scripts with DDL refuse any disposition, and the provider sends defaults unless they
          // are blank (https://github.com/pulumi/pulumi-gcp/issues/632).
          query: { query: query.sql, useLegacySql: false, createDisposition: '', writeDisposition: '' },
        },
        { parent: this, dependsOn: previous ? [previous] : [] },
      );
      previous = setup;
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
        { parent: this, dependsOn: [setup] },
      );
      configs[query.key] = transfer.name;
    }
    this.configs = pulumi.output(configs);
    this.registerOutputs({ configs: this.configs });
  }
}
