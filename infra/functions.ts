/**
 * The gen2 functions, `fanout`, `worker`, `collector` and the daily `forget`, from one archive
 * (each runs its own entry point), each as its own service account. The fan-out, the worker and
 * the forget step are not callable without an OIDC token: `roles/run.invoker` on each function's
 * Cloud Run service goes to its one caller's service account only.
 * https://cloud.google.com/functions/docs/securing/authenticating#authenticating_function_to_function_calls
 * The collector is the exception: Iterable's system webhooks cannot carry an OIDC token, so its
 * service is invokable by `allUsers` and the collector checks the webhook's `Authorization`
 * header in code (functions/src/live/authorization.ts); the policy pack allows this one function.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { FUNCTION_NAMES } from '../functions/src/register.js';
import { NODE_MAJOR } from './bundle.js';
import type { FunctionEnv } from './function-env.js';

const RUNTIME = `nodejs${NODE_MAJOR}`;

/** The fan-out's time limit, which its scheduler job also waits for (infra/scheduler.ts). */
export const FANOUT_TIMEOUT_SECONDS = 540;

export interface FunctionsArgs {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly source: { readonly bucket: pulumi.Input<string>; readonly object: pulumi.Input<string> };
  /** Fully qualified id (`projects/…/serviceAccounts/…`) of the account Cloud Build runs as. */
  readonly buildServiceAccount: pulumi.Input<string>;
  readonly serviceAccounts: {
    readonly fanout: pulumi.Input<string>;
    readonly worker: pulumi.Input<string>;
    readonly forget: pulumi.Input<string>;
  };
  /** The one member allowed to call each function. */
  readonly invokers: {
    readonly fanout: pulumi.Input<string>;
    readonly worker: pulumi.Input<string>;
    readonly forget: pulumi.Input<string>;
  };
  readonly environment: FunctionEnv;
  readonly iterableKey: { readonly secretId: pulumi.Input<string>; readonly version: pulumi.Input<string> };
  readonly workerTimeoutSeconds: number;
  readonly workerMemory: string;
  readonly collector: {
    readonly serviceAccount: pulumi.Input<string>;
    /** Full topic names (`projects/…/topics/…`) it publishes to. */
    readonly eventsTopic: pulumi.Input<string>;
    readonly rejectsTopic: pulumi.Input<string>;
    readonly authorization: {
      readonly secretId: pulumi.Input<string>;
      readonly version: pulumi.Input<string>;
    };
  };
}

/** The member that makes a Cloud Run service public; granted to the collector alone. */
export const PUBLIC_INVOKER = 'allUsers';

export class Functions extends pulumi.ComponentResource {
  readonly fanoutUrl: pulumi.Output<string>;
  readonly workerUrl: pulumi.Output<string>;
  /** The worker's name, which is also its Cloud Run service's (where its logs and metrics live). */
  readonly workerName: pulumi.Output<string>;
  /** The fan-out's name and Cloud Run service, whose logs carry every stream's watermark lag. */
  readonly fanoutName: pulumi.Output<string>;
  /** The daily forget step (deletes the users Iterable has forgotten). */
  readonly forgetUrl: pulumi.Output<string>;
  /** Where Iterable's system webhooks are sent. */
  readonly collectorUrl: pulumi.Output<string>;

  constructor(name: string, args: FunctionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:Functions', name, {}, opts);
    const deploy = (
      entryPoint: keyof typeof FUNCTION_NAMES,
      serviceConfig: gcp.types.input.cloudfunctionsv2.FunctionServiceConfig,
    ) =>
      new gcp.cloudfunctionsv2.Function(
        `${name}-${entryPoint}`,
        {
          project: args.project,
          location: args.region,
          name: `${args.namePrefix}-${FUNCTION_NAMES[entryPoint]}`,
          buildConfig: {
            runtime: RUNTIME,
            entryPoint: FUNCTION_NAMES[entryPoint],
            serviceAccount: args.buildServiceAccount,
            source: { storageSource: { bucket: args.source.bucket, object: args.source.object } },
          },
          serviceConfig: {
            // Reachable from Cloud Tasks and Cloud Scheduler, which call over the internet; the
            // invoker grant below is what keeps everyone else out.
            ingressSettings: 'ALLOW_ALL',
            allTrafficOnLatestRevision: true,
            ...serviceConfig,
          },
        },
        // A component's dependsOn reaches the engine only through its children's own.
        { parent: this, dependsOn: opts?.dependsOn ?? [] },
      );

    const worker = deploy('worker', {
      serviceAccountEmail: args.serviceAccounts.worker,
      // Cloud Tasks waits at most 30 minutes for an HTTP task (config.ts bounds it).
      timeoutSeconds: args.workerTimeoutSeconds,
      availableMemory: args.workerMemory,
      // One load per instance: a window streams through memory and holds one Iterable export.
      maxInstanceRequestConcurrency: 1,
      environmentVariables: { ...args.environment },
      secretEnvironmentVariables: [
        {
          key: 'ITERABLE_API_KEY',
          projectId: args.project,
          secret: args.iterableKey.secretId,
          version: args.iterableKey.version,
        },
      ],
    });
    const workerUrl = worker.serviceConfig.apply((c) => c?.uri ?? '');
    // Reads Iterable's forgotten lists and deletes by DML: one short job a day, one at a time.
    const forget = deploy('forget', {
      serviceAccountEmail: args.serviceAccounts.forget,
      timeoutSeconds: FANOUT_TIMEOUT_SECONDS,
      availableMemory: '512Mi',
      maxInstanceCount: 1,
      environmentVariables: { ...args.environment },
      secretEnvironmentVariables: [
        {
          key: 'ITERABLE_API_KEY',
          projectId: args.project,
          secret: args.iterableKey.secretId,
          version: args.iterableKey.version,
        },
      ],
    });
    const fanout = deploy('fanout', {
      serviceAccountEmail: args.serviceAccounts.fanout,
      timeoutSeconds: FANOUT_TIMEOUT_SECONDS,
      availableMemory: '512Mi',
      maxInstanceCount: 1,
      environmentVariables: { ...args.environment, WORKER_URL: workerUrl },
    });

    const invoker = (key: keyof FunctionsArgs['invokers'], fn: gcp.cloudfunctionsv2.Function) =>
      new gcp.cloudrunv2.ServiceIamMember(
        `${name}-${key}-invoker`,
        {
          project: args.project,
          location: args.region,
          name: fn.name,
          role: 'roles/run.invoker',
          member: args.invokers[key],
        },
        { parent: this },
      );
    invoker('worker', worker);
    invoker('fanout', fanout);
    invoker('forget', forget);

    const collector = deploy('collector', {
      serviceAccountEmail: args.collector.serviceAccount,
      // A webhook is answered once Pub/Sub confirms it, in milliseconds; a minute is generous.
      timeoutSeconds: 60,
      availableMemory: '512Mi',
      // One vCPU serves many webhooks at once: each waits on Pub/Sub, not on the CPU
      // (concurrency above 1 needs at least 1 vCPU: https://cloud.google.com/run/docs/about-concurrency).
      availableCpu: '1',
      maxInstanceRequestConcurrency: 80,
      environmentVariables: {
        ...args.environment,
        LIVE_EVENTS_TOPIC: args.collector.eventsTopic,
        LIVE_REJECTS_TOPIC: args.collector.rejectsTopic,
      },
      secretEnvironmentVariables: [
        {
          key: 'WEBHOOK_AUTHORIZATION',
          projectId: args.project,
          secret: args.collector.authorization.secretId,
          version: args.collector.authorization.version,
        },
      ],
    });
    new gcp.cloudrunv2.ServiceIamMember(
      `${name}-collector-invoker`,
      {
        project: args.project,
        location: args.region,
        // The name as a plain string, not the function's output: the policy pack recognises this
        // one public grant by it, and an output can still be unknown when a preview is checked.
        name: `${args.namePrefix}-${FUNCTION_NAMES.collector}`,
        role: 'roles/run.invoker',
        member: PUBLIC_INVOKER,
      },
      { parent: this, dependsOn: [collector] },
    );

    this.workerUrl = workerUrl;
    this.workerName = worker.name;
    this.fanoutName = fanout.name;
    this.fanoutUrl = fanout.serviceConfig.apply((c) => c?.uri ?? '');
    this.forgetUrl = forget.serviceConfig.apply((c) => c?.uri ?? '');
    this.collectorUrl = collector.serviceConfig.apply((c) => c?.uri ?? '');
    this.registerOutputs({
      collectorUrl: this.collectorUrl,
      fanoutUrl: this.fanoutUrl,
      workerUrl: this.workerUrl,
      workerName: this.workerName,
      fanoutName: this.fanoutName,
      forgetUrl: this.forgetUrl,
    });
  }
}
