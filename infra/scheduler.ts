/**
 * The Cloud Scheduler job that starts each run: an authenticated POST to the fan-out with an
 * OIDC token of its own service account, the only one the fan-out accepts.
 * https://cloud.google.com/scheduler/docs/http-target-auth#using-oidc
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { FANOUT_TIMEOUT_SECONDS } from './functions.js';

export interface RunScheduleArgs {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly schedule: string;
  readonly timeZone: string;
  readonly fanoutUrl: pulumi.Input<string>;
  readonly invokerEmail: pulumi.Input<string>;
}

export class RunSchedule extends pulumi.ComponentResource {
  readonly jobName: pulumi.Output<string>;

  constructor(name: string, args: RunScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:RunSchedule', name, {}, opts);
    const job = new gcp.cloudscheduler.Job(
      `${name}-job`,
      {
        project: args.project,
        region: args.region,
        name: `${args.namePrefix}-fanout`,
        description: 'Plans the next windows of every stream and enqueues them (the fan-out)',
        schedule: args.schedule,
        timeZone: args.timeZone,
        // The fan-out only plans and enqueues; a run that fails is retried by the next one anyway.
        attemptDeadline: `${FANOUT_TIMEOUT_SECONDS}s`,
        retryConfig: { retryCount: 1, minBackoffDuration: '60s' },
        httpTarget: {
          uri: args.fanoutUrl,
          httpMethod: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: Buffer.from('{}').toString('base64'),
          oidcToken: { serviceAccountEmail: args.invokerEmail, audience: args.fanoutUrl },
        },
      },
      { parent: this },
    );
    this.jobName = job.name;
    this.registerOutputs({ jobName: this.jobName });
  }
}
