/**
 * The daily forget task: a Cloud Scheduler job POSTing to the `forget` function with an OIDC
 * token of the scheduler's service account, the only one the function accepts. Iterable keeps its
 * forgotten list current; once a day bounds how long a forgotten user's rows stay in the warehouse
 * (plus BigQuery's time travel and fail-safe windows, docs/deploy.md).
 * https://cloud.google.com/scheduler/docs/http-target-auth#using-oidc
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { FANOUT_TIMEOUT_SECONDS } from './functions.js';

export interface ForgetScheduleArgs {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly schedule: string;
  readonly timeZone: string;
  readonly forgetUrl: pulumi.Input<string>;
  readonly invokerEmail: pulumi.Input<string>;
}

export class ForgetSchedule extends pulumi.ComponentResource {
  readonly jobName: pulumi.Output<string>;

  constructor(name: string, args: ForgetScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:ForgetSchedule', name, {}, opts);
    const job = new gcp.cloudscheduler.Job(
      `${name}-job`,
      {
        project: args.project,
        region: args.region,
        name: `${args.namePrefix}-forget`,
        description: 'Deletes every row of the users Iterable has forgotten (GDPR/CCPA), and audits it',
        schedule: args.schedule,
        timeZone: args.timeZone,
        attemptDeadline: `${FANOUT_TIMEOUT_SECONDS}s`,
        // A failed run deleted nothing (one transaction); retry within the day.
        retryConfig: { retryCount: 3, minBackoffDuration: '300s' },
        httpTarget: {
          uri: args.forgetUrl,
          httpMethod: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: Buffer.from('{}').toString('base64'),
          oidcToken: { serviceAccountEmail: args.invokerEmail, audience: args.forgetUrl },
        },
      },
      { parent: this },
    );
    this.jobName = job.name;
    this.registerOutputs({ jobName: this.jobName });
  }
}
