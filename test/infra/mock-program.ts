/**
 * Runs the Pulumi program under `pulumi.runtime.setMocks`, with no CLI and no cloud: mocks first,
 * then the program is imported, and every resource it registers is recorded with its inputs.
 * Computed outputs a real provider would fill (emails, URLs, versions) get plausible values.
 */
import * as pulumi from '@pulumi/pulumi';

export const PROJECT = 'test-project';
export const API_KEY = 'iterable-key-that-must-stay-secret';
/** Who runs `pulumi up`, as the provider's client identity lookup reports it. */
export const DEPLOYER = 'deployer@example.com';
export const WEBHOOK_AUTHORIZATION = 'webhook-header-that-must-stay-secret';
export const PROJECT_NUMBER = '123456789';

export interface MockResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** Names of the resources the engine is told this one waits for (explicit and through inputs). */
  readonly dependsOn: readonly string[];
  /** Inputs whose change replaces the resource, and whether the old one goes first. */
  readonly replaceOnChanges: readonly string[];
  readonly deleteBeforeReplace: boolean;
}

const computed = (type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> => {
  switch (type) {
    case 'gcp:serviceaccount/account:Account': {
      const email = `${String(inputs.accountId)}@${PROJECT}.iam.gserviceaccount.com`;
      return {
        email,
        name: `projects/${PROJECT}/serviceAccounts/${email}`,
        member: `serviceAccount:${email}`,
      };
    }
    case 'gcp:cloudfunctionsv2/function:Function': {
      const uri = `https://${String(inputs.name)}-x7.a.run.app`;
      return {
        url: uri,
        serviceConfig: { ...(inputs.serviceConfig as object), uri, service: String(inputs.name) },
      };
    }
    case 'gcp:secretmanager/secretVersion:SecretVersion':
      return { version: '1', name: `${String(inputs.secret)}/versions/1` };
    case 'gcp:projects/serviceIdentity:ServiceIdentity': {
      const email = `service-123@gcp-sa-${String(inputs.service).split('.')[0]}.iam.gserviceaccount.com`;
      return { email, member: `serviceAccount:${email}` };
    }
    case 'gcp:apigateway/gateway:Gateway':
      return { defaultHostname: `${String(inputs.gatewayId)}-1a2b3c4d.ew.gateway.dev` };
    case 'gcp:monitoring/dashboard:Dashboard':
      return { id: `projects/123/dashboards/${name}` };
    default:
      return {};
  }
};

export interface MockedProgram {
  readonly resources: readonly MockResource[];
  readonly outputs: Record<string, unknown>;
}

/** A stack output's value. */
export const outputValue = <T>(output: pulumi.Output<T>): Promise<T> =>
  new Promise((resolve) => output.apply(resolve));

/** The part of the engine's register request the mocks do not pass on: what a resource waits for. */
interface RegisterRequest {
  getName(): string;
  getDependenciesList(): string[];
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
}
interface Monitor {
  registerResource(request: RegisterRequest, callback: unknown): void;
}

export async function runProgram(config: Record<string, string> = {}): Promise<MockedProgram> {
  const resources: MockResource[] = [];
  const dependencies = new Map<
    string,
    Pick<MockResource, 'dependsOn' | 'replaceOnChanges' | 'deleteBeforeReplace'>
  >();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = args.inputs as Record<string, unknown>;
        resources.push({
          type: args.type,
          name: args.name,
          inputs,
          dependsOn: dependencies.get(args.name)?.dependsOn ?? [],
          replaceOnChanges: dependencies.get(args.name)?.replaceOnChanges ?? [],
          deleteBeforeReplace: dependencies.get(args.name)?.deleteBeforeReplace ?? false,
        });
        const extra = computed(args.type, args.name, inputs);
        return {
          id: String(extra.id ?? `${args.name}-id`),
          state: { name: inputs.name ?? args.name, ...inputs, ...extra },
        };
      },
      call: (args) =>
        args.token === 'gcp:organizations/getClientOpenIdUserInfo:getClientOpenIdUserInfo'
          ? { email: DEPLOYER }
          : args.token === 'gcp:organizations/getProject:getProject'
            ? { ...(args.inputs as Record<string, unknown>), number: PROJECT_NUMBER }
            : (args.inputs as Record<string, unknown>),
    },
    'iterable-bigquery-pipeline',
    'test',
    false,
  );
  // Dependencies (URNs, ending in `::<name>`) reach the engine in the register request only.
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    dependencies.set(request.getName(), {
      dependsOn: request.getDependenciesList().map((urn) => urn.slice(urn.lastIndexOf('::') + 2)),
      replaceOnChanges: request.getReplaceonchangesList(),
      deleteBeforeReplace: request.getDeletebeforereplace(),
    });
    register(request, callback);
  };
  pulumi.runtime.setAllConfig(
    {
      'gcp:project': PROJECT,
      'gcp:region': 'europe-west1',
      'iterable-bigquery-pipeline:iterableApiKey': API_KEY,
      'iterable-bigquery-pipeline:webhookAuthorization': WEBHOOK_AUTHORIZATION,
      'iterable-bigquery-pipeline:alertEmail': 'data-team@example.com',
      ...config,
    },
    ['iterable-bigquery-pipeline:iterableApiKey', 'iterable-bigquery-pipeline:webhookAuthorization'],
  );
  const program = (await import('../../infra/index.js')) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    outputs[key] = pulumi.Output.isInstance(value)
      ? await outputValue(value as pulumi.Output<unknown>)
      : value;
  }
  return { resources, outputs };
}
