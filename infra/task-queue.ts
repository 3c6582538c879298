/**
 * A Cloud Tasks queue between fan-out and worker, one per Iterable limit: the window queue
 * dispatches at Iterable's export limit (4/minute, the same constant the local queue paces itself
 * with), the campaign metrics queue at the limit of `GET /api/campaigns/metrics` (10/minute), each
 * one request per task; the export jobs queue at the jobs' limits (1 start a second, 4 jobs at
 * once), each task holding one job. So the workers call each endpoint no more often than Iterable
 * allows, however many tasks a backfill enqueues. For exports two exceptions can briefly
 * go over: a window cut off twice is loaded in pieces within its task (pipeline/split.ts), one
 * export per piece, and the client retries a failed request a few times in-process
 * (iterable/retry.ts). Iterable's 429 then sends the task back through the queue.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { QUEUE_KINDS, type QueueKind } from './queue-kinds.js';

export interface TaskQueueArgs {
  readonly project: string;
  readonly region: string;
  /** The deployment's name prefix; the queue is `<prefix>-<kind's suffix>`. */
  readonly namePrefix: string;
  /**
   * Which Iterable limit the queue keeps to (queue-kinds.ts). Cloud Tasks' rate is per second, so
   * 4 exports/minute is one task every 15 s (maxDispatchesPerSecond 4/60); maxConcurrentDispatches
   * bounds the tasks in flight at once (`rateLimits` of pulumi-gcp's `cloudtasks.Queue`, from
   * terraform-provider-google google/services/cloudtasks/resource_cloud_tasks_queue.go:
   * max_dispatches_per_second, max_concurrent_dispatches).
   * https://cloud.google.com/tasks/docs/configuring-queues#rate
   */
  readonly kind: QueueKind;
  readonly maxConcurrentDispatches: number;
  readonly maxAttempts: number;
  /**
   * The first retry's wait and how often it doubles; by default a minute, doubling 4 times
   * (Iterable's limits are per minute, and a 429's Retry-After can ask for longer).
   */
  readonly retry?: { readonly minBackoff: string; readonly maxDoublings: number };
  /** Who creates tasks (the fan-out's service account). */
  readonly enqueuer: pulumi.Input<string>;
  /** The service account whose OIDC token tasks carry; the enqueuer must be allowed to act as it. */
  readonly invokerAccountId: pulumi.Input<string>;
}

export class TaskQueue extends pulumi.ComponentResource {
  /** `projects/<project>/locations/<region>/queues/<name>`, as the Cloud Tasks API names it. */
  readonly path: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: TaskQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:TaskQueue', name, {}, opts);
    const queue = new gcp.cloudtasks.Queue(
      `${name}-queue`,
      {
        project: args.project,
        location: args.region,
        name: `${args.namePrefix}-${QUEUE_KINDS[args.kind].suffix}`,
        rateLimits: {
          maxDispatchesPerSecond: QUEUE_KINDS[args.kind].requestsPerMinute / 60,
          maxConcurrentDispatches: args.maxConcurrentDispatches,
        },
        // A failed load waits minBackoff, doubling maxDoublings times, then hourly up to
        // maxAttempts (pulumi-gcp QueueRetryConfig, terraform-provider-google's
        // google_cloud_tasks_queue retry_config). https://cloud.google.com/tasks/docs/configuring-queues#retry
        retryConfig: {
          maxAttempts: args.maxAttempts,
          minBackoff: args.retry?.minBackoff ?? '60s',
          maxBackoff: '3600s',
          maxDoublings: args.retry?.maxDoublings ?? 4,
        },
        stackdriverLoggingConfig: { samplingRatio: 1 },
      },
      { parent: this },
    );
    new gcp.cloudtasks.QueueIamMember(
      `${name}-enqueuer`,
      {
        project: args.project,
        location: args.region,
        name: queue.name,
        role: 'roles/cloudtasks.enqueuer',
        member: args.enqueuer,
      },
      { parent: this },
    );
    // Creating a task that carries another account's OIDC token needs actAs on that account.
    // https://cloud.google.com/tasks/docs/creating-http-target-tasks#sa
    new gcp.serviceaccount.IAMMember(
      `${name}-act-as-invoker`,
      {
        serviceAccountId: args.invokerAccountId,
        role: 'roles/iam.serviceAccountUser',
        member: args.enqueuer,
      },
      { parent: this },
    );
    this.path = pulumi.interpolate`projects/${args.project}/locations/${args.region}/queues/${queue.name}`;
    this.name = queue.name;
    this.registerOutputs({ path: this.path, name: this.name });
  }
}
