/**
 * The Iterable key in Secret Manager. The worker reads it as an environment variable pinned to the
 * version created here, so rotating the key (`pulumi config set --secret iterableApiKey …` and
 * `pulumi up`) makes a new version and redeploys the worker onto it.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';

export interface IterableSecretArgs {
  readonly project: string;
  readonly namePrefix: string;
  readonly apiKey: pulumi.Output<string>;
  /** Members that may read the key, by role name: the worker's service account alone. */
  readonly readers: Readonly<Record<string, pulumi.Input<string>>>;
}

export class IterableSecret extends pulumi.ComponentResource {
  readonly secretId: pulumi.Output<string>;
  readonly version: pulumi.Output<string>;

  constructor(name: string, args: IterableSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:IterableSecret', name, {}, opts);
    const secret = new gcp.secretmanager.Secret(
      `${name}-secret`,
      { project: args.project, secretId: `${args.namePrefix}-api-key`, replication: { auto: {} } },
      { parent: this },
    );
    const version = new gcp.secretmanager.SecretVersion(
      `${name}-version`,
      { secret: secret.id, secretData: args.apiKey },
      { parent: this },
    );
    for (const [reader, member] of Object.entries(args.readers)) {
      new gcp.secretmanager.SecretIamMember(
        `${name}-reader-${reader}`,
        {
          project: args.project,
          secretId: secret.secretId,
          role: 'roles/secretmanager.secretAccessor',
          member,
        },
        { parent: this },
      );
    }
    this.secretId = secret.secretId;
    this.version = version.version;
    this.registerOutputs({ secretId: this.secretId, version: this.version });
  }
}
