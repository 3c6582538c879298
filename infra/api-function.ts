/**
 * The `api` gen2 function: the analytics API (/v1) over the fact tables, read-only. It runs as its
 * own service account, which may only read the analytics dataset, run query jobs and read the
 * watermarks (Firestore IAM is per project). Callers need roles/run.invoker on its Cloud Run
 * service and an ID token (https://cloud.google.com/run/docs/authenticating/developers); the grant
 * goes to the members listed in `apiInvokers`, never to allUsers or allAuthenticatedUsers, so a
 * request without a token is refused by Cloud Run itself (401/403) before it reaches the code.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { FUNCTION_NAMES } from '../functions/src/register.js';
import { NODE_MAJOR } from './bundle.js';
import type { FunctionEnv } from './function-env.js';

/** Members that may be granted the invoker role (https://cloud.google.com/iam/docs/principal-identifiers). */
const MEMBER = /^(user|group|serviceAccount|domain|principal|principalSet):[^\s,]+$/;

/** `apiInvokers` as a list of IAM members; public members and malformed ones are refused. */
export function readApiInvokers(value: string | undefined): string[] {
  const members = (value ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  for (const member of members) {
    if (!MEMBER.test(member)) {
      throw new Error(
        `config apiInvokers: ${JSON.stringify(member)} is not an IAM member the API may be opened to; ` +
          'use user:…, group:…, serviceAccount:… or domain:… (never allUsers or allAuthenticatedUsers)',
      );
    }
  }
  return members;
}

export interface ApiFunctionArgs {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly source: { readonly bucket: pulumi.Input<string>; readonly object: pulumi.Input<string> };
  readonly buildServiceAccount: pulumi.Input<string>;
  readonly analyticsDatasetId: pulumi.Input<string>;
  /** The members allowed to call it (IAM principal identifiers). */
  readonly invokers: readonly string[];
  /** Comma-separated SHA-256 digests of API keys; every request then needs one too. */
  readonly apiKeySha256: string | undefined;
  readonly environment: FunctionEnv;
}

export class ApiFunction extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  /** The Cloud Run service behind the function, for invoker grants. */
  readonly serviceName: pulumi.Output<string>;
  readonly serviceAccountEmail: pulumi.Output<string>;

  constructor(name: string, args: ApiFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:ApiFunction', name, {}, opts);
    const account = new gcp.serviceaccount.Account(
      `${name}-identity`,
      {
        project: args.project,
        accountId: `${args.namePrefix}-api`.slice(0, 30),
        displayName: 'Analytics API function: reads the fact tables',
      },
      { parent: this },
    );
    const member = pulumi.interpolate`serviceAccount:${account.email}`;
    const roles = [
      new gcp.bigquery.DatasetIamMember(
        `${name}-analytics-viewer`,
        {
          project: args.project,
          datasetId: args.analyticsDatasetId,
          role: 'roles/bigquery.dataViewer',
          member,
        },
        { parent: this },
      ),
      ...['roles/bigquery.jobUser', 'roles/datastore.viewer'].map(
        (role) =>
          new gcp.projects.IAMMember(
            `${name}-${role.replace('roles/', '').replaceAll('.', '-')}`,
            { project: args.project, role, member },
            { parent: this },
          ),
      ),
    ];

    const fn = new gcp.cloudfunctionsv2.Function(
      `${name}-function`,
      {
        project: args.project,
        location: args.region,
        name: `${args.namePrefix}-${FUNCTION_NAMES.api}`,
        buildConfig: {
          runtime: `nodejs${NODE_MAJOR}`,
          entryPoint: FUNCTION_NAMES.api,
          serviceAccount: args.buildServiceAccount,
          source: { storageSource: { bucket: args.source.bucket, object: args.source.object } },
        },
        serviceConfig: {
          serviceAccountEmail: account.email,
          // Callers come from the internet (gcloud, scripts, spreadsheets); the invoker grant keeps
          // everyone else out.
          ingressSettings: 'ALLOW_ALL',
          allTrafficOnLatestRevision: true,
          availableMemory: '512Mi',
          timeoutSeconds: 60,
          // Requests mostly wait on BigQuery, so one instance serves many at once and shares its cache.
          maxInstanceRequestConcurrency: 80,
          availableCpu: '1',
          maxInstanceCount: 10,
          environmentVariables: {
            ...args.environment,
            ...(args.apiKeySha256 ? { API_KEY_SHA256: args.apiKeySha256 } : {}),
          },
        },
      },
      // A component's dependsOn reaches the engine only through its children's own.
      { parent: this, dependsOn: [...roles, ...(Array.isArray(opts?.dependsOn) ? opts.dependsOn : [])] },
    );

    for (const invoker of args.invokers) {
      new gcp.cloudrunv2.ServiceIamMember(
        `${name}-invoker-${invoker.replace(/[^A-Za-z0-9-]/g, '-')}`,
        {
          project: args.project,
          location: args.region,
          name: fn.name,
          role: 'roles/run.invoker',
          member: invoker,
        },
        { parent: this },
      );
    }

    this.url = fn.serviceConfig.apply((c) => c?.uri ?? '');
    this.serviceName = fn.name;
    this.serviceAccountEmail = account.email;
    this.registerOutputs({ url: this.url, serviceAccountEmail: this.serviceAccountEmail });
  }
}
