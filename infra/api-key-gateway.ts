/**
 * The way in for API-key callers (a spreadsheet cannot mint a Google ID token every hour): an API
 * Gateway in front of the private `api` function, created only when `apiKeySha256` is set. The
 * gateway calls the function with an ID token of its own service account, the only other member
 * granted roles/run.invoker on it; the function itself stays closed to the public (no `allUsers`
 * grant anywhere), and its code refuses every request without a known key (401/403), whichever
 * way it came. https://cloud.google.com/api-gateway/docs/get-started-cloud-run
 *
 * The gateway passes every path to the function (`x-google-allow: all`,
 * https://cloud.google.com/api-gateway/docs/oasv2-extensions#x-google-allow): the function's own
 * router and OpenAPI 3.1 document define the routes, so the two cannot drift. The key travels in
 * `X-API-Key`, which the gateway forwards as it is; it overwrites only `Authorization` with its
 * token for the backend (the caller's moves to `X-Forwarded-Authorization`).
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';

export interface ApiKeyGatewayArgs {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  /** The `api` function's Cloud Run service (its name) and URL. */
  readonly service: pulumi.Input<string>;
  readonly url: pulumi.Input<string>;
}

/**
 * API Gateway reads OpenAPI 2.0 (https://cloud.google.com/api-gateway/docs/openapi-overview). The
 * backend's address is the function's URL, with the request's path appended
 * (`APPEND_PATH_TO_ADDRESS`); the ID token's audience is that address by default
 * (https://cloud.google.com/api-gateway/docs/oasv2-extensions#x-google-backend).
 */
export function gatewayDocument(title: string, url: string): string {
  return JSON.stringify({
    swagger: '2.0',
    info: { title, version: '1.0.0' },
    schemes: ['https'],
    produces: ['application/json', 'text/csv'],
    'x-google-allow': 'all',
    'x-google-backend': { address: url, path_translation: 'APPEND_PATH_TO_ADDRESS', deadline: 60 },
    paths: {
      '/v1/health': {
        get: { operationId: 'health', responses: { 200: { description: 'each stream’s watermark' } } },
      },
    },
  });
}

const GATEWAY_APIS = [
  'apigateway.googleapis.com',
  'servicemanagement.googleapis.com',
  'servicecontrol.googleapis.com',
] as const;

export class ApiKeyGateway extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: ApiKeyGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:ApiKeyGateway', name, {}, opts);
    // Only this component uses them, so it enables them
    // (https://cloud.google.com/api-gateway/docs/get-started-cloud-run#enabling_required_services).
    const services = GATEWAY_APIS.map(
      (service) =>
        new gcp.projects.Service(
          `${name}-${service.split('.')[0]}`,
          { project: args.project, service, disableOnDestroy: false },
          { parent: this },
        ),
    );
    const account = new gcp.serviceaccount.Account(
      `${name}-identity`,
      {
        project: args.project,
        accountId: `${args.namePrefix}-api-gateway`.slice(0, 30),
        displayName: 'API Gateway for API-key callers: invokes the analytics API function',
      },
      { parent: this },
    );
    const invoker = new gcp.cloudrunv2.ServiceIamMember(
      `${name}-invoker`,
      {
        project: args.project,
        location: args.region,
        name: args.service,
        role: 'roles/run.invoker',
        member: pulumi.interpolate`serviceAccount:${account.email}`,
      },
      { parent: this },
    );
    const api = new gcp.apigateway.Api(
      `${name}-api`,
      { project: args.project, apiId: `${args.namePrefix}-analytics` },
      { parent: this, dependsOn: services },
    );
    // A config cannot change in place: a changed one is created under a new id, then swapped in.
    const config = new gcp.apigateway.ApiConfig(
      `${name}-config`,
      {
        project: args.project,
        api: api.apiId,
        apiConfigIdPrefix: `${args.namePrefix}-`,
        openapiDocuments: [
          {
            document: {
              path: 'openapi.json',
              contents: pulumi
                .output(args.url)
                .apply((url) =>
                  Buffer.from(gatewayDocument(`${args.namePrefix} analytics API`, url)).toString('base64'),
                ),
            },
          },
        ],
        gatewayConfig: { backendConfig: { googleServiceAccount: account.email } },
      },
      { parent: this, dependsOn: [invoker] },
    );
    const gateway = new gcp.apigateway.Gateway(
      `${name}-gateway`,
      {
        project: args.project,
        region: args.region,
        gatewayId: `${args.namePrefix}-analytics`,
        apiConfig: config.id,
      },
      { parent: this },
    );
    this.url = pulumi.interpolate`https://${gateway.defaultHostname}`;
    this.registerOutputs({ url: this.url });
  }
}
