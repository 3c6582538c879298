/**
 * The project-level roles of each service account: only those that cannot be granted on a single
 * resource (BigQuery jobs, Firestore documents, build logs and images). Everything else is granted
 * on the resource itself, next to it: dataset, secret, queue, Cloud Run service.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { type Identity, memberOf } from './service-accounts.js';

const PROJECT_ROLES: Readonly<Partial<Record<Identity, readonly string[]>>> = {
  // Firestore IAM is per project; the functions touch only documents of the pipeline's database.
  // The fan-out also queries the raw dataset for the campaigns to reconcile (BigQuery jobs are
  // per project; what they read is granted on the dataset).
  fanout: ['roles/datastore.user', 'roles/bigquery.jobUser'],
  worker: ['roles/datastore.user', 'roles/bigquery.jobUser'],
  // What a custom build service account needs (https://cloud.google.com/run/docs/configuring/services/build-service-account).
  build: ['roles/logging.logWriter', 'roles/artifactregistry.writer', 'roles/storage.objectAdmin'],
  factQueries: ['roles/bigquery.jobUser'],
};

export interface ProjectRolesArgs {
  readonly project: string;
  readonly accounts: Readonly<Record<Identity, gcp.serviceaccount.Account>>;
}

export class ProjectRoles extends pulumi.ComponentResource {
  constructor(name: string, args: ProjectRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:ProjectRoles', name, {}, opts);
    for (const [identity, roles] of Object.entries(PROJECT_ROLES) as [Identity, readonly string[]][]) {
      for (const role of roles) {
        new gcp.projects.IAMMember(
          `${name}-${identity}-${role.replace('roles/', '').replaceAll('.', '-')}`,
          { project: args.project, role, member: memberOf(args.accounts[identity]) },
          { parent: this },
        );
      }
    }
    this.registerOutputs({});
  }
}
