/**
 * One BigQuery scheduled query per fact SQL file, run by its own service account (which may read
 * the raw dataset and write the analytics one), off the hour after the pipeline's runs.
 * https://cloud.google.com/bigquery/docs/scheduling-queries
 *
 * Scheduled queries sharing a schedule start together, so on their first run a fact query could
 * find the staging views of an earlier file missing. `pulumi up` therefore runs every file once,
 * in file order, each waited for (deploy-steps/sql-setup.ts): views and (still empty) tables exist
 * before the first schedule, and a changed file runs them all again on the next `pulumi up`.
 *
 * The transfer service runs each scheduled query as our service account by minting its tokens:
 * its service agent (`service-<project number>@gcp-sa-bigquerydatatransfer…`) needs
 * `roles/iam.serviceAccountTokenCreator` on it before a config is created, as the provider's
 * scheduled-query example grants first (hashicorp/terraform-provider-google, example
 * `bigquery_data_transfer_config_scheduled_query`: `depends_on = [google_project_iam_member.permissions]`;
 * https://cloud.google.com/bigquery/docs/enable-transfer-service#service_agent). The agent is
 * created lazily, so it is created here (`ServiceIdentity`) before it is granted anything.
 *
 * On every later run the files must still run in order (the reconciliation reads the campaign
 * facts, the facts read the staging views), so each file's schedule starts a few minutes after the
 * one before: the `from HH:MM` of the configured schedule, shifted by the file's position.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { SqlSetup } from './deploy-steps/sql-setup.js';
import type { FactQuery } from './sql-files.js';

export interface FactQueriesArgs {
  readonly project: string;
  readonly location: string;
  readonly namePrefix: string;
  readonly schedule: string;
  readonly queries: readonly FactQuery[];
  /**
   * Scheduled after `queries` but never run at deploy: BigQuery ML cannot train a model before
   * there is data (the ARIMA_PLUS detector, anomalyDetector = arima_plus).
   */
  readonly scheduledOnly?: readonly FactQuery[];
  readonly serviceAccountEmail: pulumi.Input<string>;
  /** Fully qualified id (`projects/…/serviceAccounts/…`) of the same account. */
  readonly serviceAccountId: pulumi.Input<string>;
  /** Pub/Sub topics notified when a file's run completes, by file key (the notifier's trigger). */
  readonly notificationTopics?: Readonly<Record<string, pulumi.Input<string>>>;
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
    const setup = new SqlSetup(
      `${name}-setup`,
      {
        project: args.project,
        location: args.location,
        jobPrefix: `${args.namePrefix}_setup_`,
        files: args.queries,
      },
      { parent: this },
    );
    const agent = new gcp.projects.ServiceIdentity(
      `${name}-transfer-agent`,
      { project: args.project, service: 'bigquerydatatransfer.googleapis.com' },
      { parent: this },
    );
    const agentGrant = new gcp.serviceaccount.IAMMember(
      `${name}-transfer-agent-token-creator`,
      {
        serviceAccountId: args.serviceAccountId,
        role: 'roles/iam.serviceAccountTokenCreator',
        member: agent.member,
      },
      { parent: this },
    );
    for (const [position, query] of [...args.queries, ...(args.scheduledOnly ?? [])].entries()) {
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
          notificationPubsubTopic: args.notificationTopics?.[query.key],
        },
        { parent: this, dependsOn: [setup, agent, agentGrant] },
      );
      configs[query.key] = transfer.name;
    }
    this.configs = pulumi.output(configs);
    this.registerOutputs({ configs: this.configs });
  }
}
