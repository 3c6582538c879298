/** The Google APIs the stack uses, enabled before anything that needs them. */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';

const REQUIRED_APIS = [
  'artifactregistry.googleapis.com',
  'bigquery.googleapis.com',
  'bigquerydatatransfer.googleapis.com',
  'cloudbuild.googleapis.com',
  'cloudfunctions.googleapis.com',
  'cloudscheduler.googleapis.com',
  'cloudtasks.googleapis.com',
  'firestore.googleapis.com',
  'iam.googleapis.com',
  'logging.googleapis.com',
  'monitoring.googleapis.com',
  'pubsub.googleapis.com',
  'run.googleapis.com',
  'secretmanager.googleapis.com',
  'storage.googleapis.com',
] as const;

export interface ProjectApisArgs {
  readonly project: string;
}

export class ProjectApis extends pulumi.ComponentResource {
  /** Depend on these to run after every API is on. */
  readonly services: readonly gcp.projects.Service[];

  constructor(name: string, args: ProjectApisArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:ProjectApis', name, {}, opts);
    this.services = REQUIRED_APIS.map(
      (service) =>
        new gcp.projects.Service(
          `${name}-${service.split('.')[0]}`,
          // Leaving an API on at destroy spares other workloads of the project that use it.
          { project: args.project, service, disableOnDestroy: false },
          { parent: this },
        ),
    );
    this.registerOutputs({});
  }
}
