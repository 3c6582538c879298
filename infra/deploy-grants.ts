/**
 * The grants a gen2 function deploy relies on at once, waited for until they are in effect
 * (deploy-steps/wait-grants.ts): the build account's project roles (it writes build logs, pushes
 * the image, reads the source archive; https://cloud.google.com/run/docs/configuring/services/build-service-account)
 * and the worker's access to the Iterable key. The check runs as each account, so the deployer is
 * granted `roles/iam.serviceAccountTokenCreator` on those two accounts only; it can already act as
 * them, which deploying a function that runs as them requires.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { GrantsReady } from './deploy-steps/grants-ready.js';

export interface DeployGrantsArgs {
  readonly project: string;
  readonly build: gcp.serviceaccount.Account;
  readonly worker: gcp.serviceaccount.Account;
  readonly secretId: pulumi.Input<string>;
  /** The grants to wait for (project roles, the secret's readers), waited on by the check itself. */
  readonly grants: readonly pulumi.Resource[];
}

/** Permissions behind the build account's roles in project-roles.ts. */
const BUILD_PERMISSIONS = [
  'logging.logEntries.create',
  'artifactregistry.repositories.uploadArtifacts',
  'storage.objects.get',
] as const;

export class DeployGrants extends pulumi.ComponentResource {
  /** Exists once every grant is in effect; depend on it. */
  readonly ready: GrantsReady;

  constructor(name: string, args: DeployGrantsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:DeployGrants', name, {}, opts);
    const deployer = gcp.organizations.getClientOpenIdUserInfoOutput({ parent: this });
    const deployerMember = deployer.email.apply((email) =>
      email.endsWith('.gserviceaccount.com') ? `serviceAccount:${email}` : `user:${email}`,
    );
    const tokenGrants = (['build', 'worker'] as const).map(
      (key) =>
        new gcp.serviceaccount.IAMMember(
          `${name}-deployer-token-creator-${key}`,
          {
            serviceAccountId: args[key].name,
            role: 'roles/iam.serviceAccountTokenCreator',
            member: deployerMember,
          },
          { parent: this },
        ),
    );
    const check = (
      account: gcp.serviceaccount.Account,
      url: pulumi.Input<string>,
      permissions: readonly string[],
    ) =>
      pulumi
        .all([account.email, url])
        .apply(([serviceAccount, u]) => ({ serviceAccount, url: u, permissions }));
    this.ready = new GrantsReady(
      `${name}-ready`,
      {
        checks: [
          check(
            args.build,
            `https://cloudresourcemanager.googleapis.com/v1/projects/${args.project}:testIamPermissions`,
            BUILD_PERMISSIONS,
          ),
          check(
            args.worker,
            pulumi.interpolate`https://secretmanager.googleapis.com/v1/projects/${args.project}/secrets/${args.secretId}:testIamPermissions`,
            ['secretmanager.versions.access'],
          ),
        ],
      },
      { parent: this, dependsOn: [...args.grants, ...tokenGrants] },
    );
    this.registerOutputs({});
  }
}
