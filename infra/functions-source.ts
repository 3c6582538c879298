/**
 * The functions' source archive in Cloud Storage, named by the bundle's content hash: a code
 * change uploads a new object, which changes the functions' source and so redeploys them; an
 * unchanged bundle changes nothing.
 *
 * The bucket has no age-based lifecycle rule: one would delete the live archive of functions whose
 * code has not changed for that long, and the next rebuild of them would find no source. Old
 * archives go anyway: an object's name cannot change in place (`name` is ForceNew in
 * hashicorp/terraform-provider-google `resource_storage_bucket_object.go`), so a new archive name
 * replaces the resource, and Pulumi deletes the old object once the new one exists. The policy
 * rule `source-bucket-keeps-live-archive` keeps such a rule from coming back.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { FunctionsBundle } from './bundle.js';

export interface FunctionsSourceArgs {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly bundle: FunctionsBundle;
}

export class FunctionsSource extends pulumi.ComponentResource {
  readonly bucket: pulumi.Output<string>;
  readonly object: pulumi.Output<string>;

  constructor(name: string, args: FunctionsSourceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:FunctionsSource', name, {}, opts);
    const bucket = new gcp.storage.Bucket(
      `${name}-bucket`,
      {
        project: args.project,
        // Bucket names are global: the project id keeps this one unique.
        name: `${args.project}-${args.namePrefix}-functions-source`,
        location: args.region,
        uniformBucketLevelAccess: true,
        publicAccessPrevention: 'enforced',
        forceDestroy: true,
      },
      { parent: this },
    );
    const archive = new pulumi.asset.AssetArchive(
      Object.fromEntries(
        Object.entries(args.bundle.files).map(([file, text]) => [file, new pulumi.asset.StringAsset(text)]),
      ),
    );
    const object = new gcp.storage.BucketObject(
      `${name}-archive`,
      { bucket: bucket.name, name: `functions-${args.bundle.hash.slice(0, 16)}.zip`, source: archive },
      { parent: this },
    );
    this.bucket = bucket.name;
    this.object = object.name;
    this.registerOutputs({ bucket: this.bucket, object: this.object });
  }
}
