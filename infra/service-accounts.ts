/**
 * One service account per identity, so each holds only the roles its own job needs:
 * the functions, the function builds, the two callers (Cloud Tasks → worker,
 * Cloud Scheduler → fan-out), the scheduled queries and the live tables' writer.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';

export const IDENTITIES = {
  fanout: 'Fan-out function: plans windows, enqueues tasks',
  worker: 'Worker function: loads one window into BigQuery',
  build: 'Cloud Build of the two functions',
  tasksInvoker: 'Cloud Tasks OIDC identity calling the worker',
  schedulerInvoker: 'Cloud Scheduler OIDC identity calling the fan-out',
  factQueries: 'Scheduled queries building the fact tables',
  collector: 'Collector function: publishes Iterable webhooks to Pub/Sub',
  liveWriter: 'BigQuery subscriptions writing webhooks to iterable_live',
} as const;

export type Identity = keyof typeof IDENTITIES;

export interface ServiceAccountsArgs {
  readonly project: string;
  readonly namePrefix: string;
}

export class ServiceAccounts extends pulumi.ComponentResource {
  readonly accounts: Readonly<Record<Identity, gcp.serviceaccount.Account>>;

  constructor(name: string, args: ServiceAccountsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:ServiceAccounts', name, {}, opts);
    const entries = Object.entries(IDENTITIES).map(([identity, description]) => {
      // Account ids: 6–30 lowercase letters, digits and hyphens (https://cloud.google.com/iam/docs/service-accounts-create#creating).
      const accountId =
        `${args.namePrefix}-${identity.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`.slice(0, 30);
      const account = new gcp.serviceaccount.Account(
        `${name}-${identity}`,
        { project: args.project, accountId, displayName: description, description },
        { parent: this },
      );
      return [identity, account] as const;
    });
    this.accounts = Object.fromEntries(entries) as Record<Identity, gcp.serviceaccount.Account>;
    this.registerOutputs({});
  }
}

export const memberOf = (account: gcp.serviceaccount.Account): pulumi.Output<string> =>
  pulumi.interpolate`serviceAccount:${account.email}`;
