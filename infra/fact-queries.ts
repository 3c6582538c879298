/**
 * One BigQuery scheduled query per fact SQL file, run by its own service account (which may read
 * the raw dataset and write the analytics one), off the hour after the pipeline's runs.
 * https://cloud.google.com/bigquery/docs/scheduling-queries
 *
 * Scheduled queries sharing a schedule start together, so on their first run a fact query could
 * find the staging views of an earlier file missing. `pulumi up` therefore runs every file once,
 * in file order, as a query job: views and (still empty) tables exist before the first schedule.
 * A file's job id carries a hash of its SQL, so a changed file runs again on the next `pulumi up`.
 *
 * On every later run the files must still run in order (the reconciliation reads the campaign
 * facts, the facts read the staging views), so each file's schedule starts a few minutes after the
 * one before: the `from HH:MM` of the configured schedule, shifted by the file's position.
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

/** Minutes between the starts of consecutive files: a fact MERGE takes a minute or two. */
const STAGGER_MINUTES = 5;

/**
 * The schedule of the file at `position`: `every 5 hours from 00:45 to 23:45` becomes
 * `every 5 hours from 00:50 to 23:45` for the second file. A schedule without a `from HH:MM` cannot
 * be shifted and is refused, since its files would start together.
 */
function staggeredSchedule(schedule: string, position: number): string {
  const from = /\bfrom (\d{2}):(\d{2})\b/.exec(schedule);
  if (!from) {
    throw new Error(
      `factSchedule "${schedule}" has no "from HH:MM"; give one (e.g. "every 5 hours from 00:45 to 23:45") ` +
        'so the SQL files can start one after another',
    );
  }
  let minutes = Number(from[1]) * 60 + Number(from[2]);
  for (let n = 0; n < position; n++) {
    minutes += STAGGER_MINUTES;
    // The fan-out starts on the hour; the queries stay off it.
    if (minutes % 60 === 0) minutes += STAGGER_MINUTES;
  }
  const hhmm = `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return schedule.replace(from[0], `from ${hhmm}`);
}

export class FactQueries extends pulumi.ComponentResource {
  /** Scheduled query resource names, by SQL file key. */
  readonly configs: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: FactQueriesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:FactQueries', name, {}, opts);
    const configs: Record<string, pulumi.Output<string>> = {};
    let previous: gcp.bigquery.Job | null = null;
    for (const [position, query] of args.queries.entries()) {
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
          schedule: staggeredSchedule(args.schedule, position),
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
