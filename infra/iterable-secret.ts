/**
 * A secret shared with Iterable, in Secret Manager: the API key the worker sends, or the webhook
 * `Authorization` header the collector expects. The function reads it as an environment variable
 * pinned to the version created here, so rotating it (`pulumi config set --secret …` and
 * `pulumi up`) makes a new version and redeploys the function onto it.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';

export interface IterableSecretArgs {
  readonly project: string;
  readonly namePrefix: string;
  /** The secret's value (the API key, or the webhook header). */
  readonly apiKey: pulumi.Output<string>;
  /** The secret's id after the name prefix; `api-key` when absent. */
  readonly suffix?: string;
  /** Members that may read the secret, by role name: the one function's service account. */
  readonly readers: Readonly<Record<string, pulumi.Input<string>>>;
}

export class IterableSecret extends pulumi.ComponentResource {
  readonly secretId: pulumi.Output<string>;
  readonly version: pulumi.Output<string>;

  constructor(name: string, args: IterableSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:IterableSecret', name, {}, opts);
    const secret = new gcp.secretmanager.Secret(
      `${name}-secret`,
      {
        project: args.project,
        secretId: `${args.namePrefix}-${args.suffix ?? 'api-key'}`,
        replication: { auto: {} },
      },
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
