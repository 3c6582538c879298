/**
 * The bucket where the worker stages each window's rows before BigQuery loads them
 * (functions/src/gcp/staged-load.ts): parts uploaded resumably, read by one load job per staging
 * table, then deleted by the worker. What a crashed or timed-out worker leaves behind is deleted by
 * the lifecycle rule: a day is far past the worker's 30-minute limit, and Cloud Storage acts on a
 * met condition asynchronously, usually within a day
 * (https://cloud.google.com/storage/docs/lifecycle#expiration_time).
 *
 * The bucket lives where the datasets do: a load job reads Cloud Storage in the dataset's location
 * only, the US multi-region excepted
 * (https://cloud.google.com/bigquery/docs/batch-loading-data#data-locations). Soft delete is off:
 * every object is deleted minutes after it is written, and a 7-day retention would bill each
 * window's bytes for a week (https://cloud.google.com/storage/docs/soft-delete).
 *
 * The worker's only grant here is `roles/storage.objectUser` on this bucket: create the parts,
 * read them (the load job runs as the worker and needs `storage.objects.get`), delete them. No
 * bucket administration, no project-wide storage role.
 * https://cloud.google.com/storage/docs/access-control/iam-roles
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';

/** Days after which the lifecycle rule deletes a staged object the worker did not. */
export const STAGED_OBJECT_MAX_AGE_DAYS = 1;

export const LOAD_STAGING_ROLE = 'roles/storage.objectUser';

export interface LoadStagingArgs {
  readonly project: string;
  /** The datasets' location (`US`, `EU`, a region), which is also a bucket location. */
  readonly location: string;
  readonly namePrefix: string;
  /** The member that stages and loads windows: the worker's service account. */
  readonly worker: pulumi.Input<string>;
}

export class LoadStaging extends pulumi.ComponentResource {
  readonly bucket: pulumi.Output<string>;
  /** The worker's grant, for what must wait until it exists (the functions). */
  readonly grant: gcp.storage.BucketIAMMember;

  constructor(name: string, args: LoadStagingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:LoadStaging', name, {}, opts);
    const bucket = new gcp.storage.Bucket(
      `${name}-bucket`,
      {
        project: args.project,
        // Bucket names are global: the project id keeps this one unique.
        name: `${args.project}-${args.namePrefix}-load-staging`,
        location: args.location,
        uniformBucketLevelAccess: true,
        publicAccessPrevention: 'enforced',
        forceDestroy: true,
        softDeletePolicy: { retentionDurationSeconds: 0 },
        lifecycleRules: [{ action: { type: 'Delete' }, condition: { age: STAGED_OBJECT_MAX_AGE_DAYS } }],
      },
      { parent: this },
    );
    this.grant = new gcp.storage.BucketIAMMember(
      `${name}-worker`,
      { bucket: bucket.name, role: LOAD_STAGING_ROLE, member: args.worker },
      { parent: this },
    );
    this.bucket = bucket.name;
    this.registerOutputs({ bucket: this.bucket });
  }
}
