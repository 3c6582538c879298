/**
 * The task queue on Cloud Tasks: one HTTP task per window, POSTed to the worker with an OIDC token
 * of the invoker service account (the worker accepts no unauthenticated calls). Task names are
 * the pipeline's deterministic names, so a repeated fan-out creates nothing: Cloud Tasks answers
 * ALREADY_EXISTS for a name in the queue, or executed or deleted within the last hours.
 * https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks/create
 */
import { createHash } from 'node:crypto';
import type { CloudTasksClient } from '@google-cloud/tasks';
import { ConfigError } from '../config.js';
import type { ExportMode } from '../iterable/export-modes.js';
import { splitByExportMode } from '../pipeline/export-mode.js';
import type { EnqueueResult, QueuedTask, TaskQueue, WindowTask } from '../ports.js';

export interface CloudTasksQueueOptions {
  /** `projects/<project>/locations/<region>/queues/<queue>`. */
  readonly queuePath: string;
  /** `null` where no task is ever enqueued (the worker's own instance): enqueueing then throws. */
  readonly workerUrl: string | null;
  /**
   * Path on the worker the tasks go to (the campaign metrics tasks' `/campaign-metrics`); the
   * token's audience stays the worker's URL, which is what Cloud Run checks.
   * https://cloud.google.com/run/docs/authenticating/service-to-service
   */
  readonly path?: string;
  /** The service account whose OIDC token the worker receives; it alone may invoke the worker. */
  readonly invokerServiceAccount: string;
  /**
   * How long Cloud Tasks waits for the worker's answer: at most 30 minutes for HTTP targets, and
   * the default is only 10 (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#Task.FIELDS.dispatch_deadline).
   */
  readonly dispatchDeadlineSeconds: number;
  /** createTask calls in flight at once; a backfill enqueues hundreds of tasks. */
  readonly concurrency?: number;
}

/** gRPC ALREADY_EXISTS, and its HTTP form on the REST transport. */
const ALREADY_EXISTS = new Set([6, 409]);

/** Task ids: letters, digits, hyphens and underscores, at most 500 characters (see the link above). */
const MAX_TASK_ID = 500;

export function taskId(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_');
  if (safe.length <= MAX_TASK_ID) return safe;
  // Cut names keep a hash of the whole, so two long names never collapse into one task.
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${safe.slice(0, MAX_TASK_ID - hash.length - 1)}-${hash}`;
}

const isAlreadyExists = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  ALREADY_EXISTS.has(Number((error as { code?: unknown }).code));

export class CloudTasksQueue<P = WindowTask> implements TaskQueue<P> {
  constructor(
    private readonly client: CloudTasksClient,
    private readonly options: CloudTasksQueueOptions,
  ) {}

  async enqueue(tasks: readonly QueuedTask<P>[]): Promise<EnqueueResult> {
    const { workerUrl } = this.options;
    if (workerUrl === null) {
      throw new ConfigError(
        'WORKER_URL is not set, so tasks have nowhere to go; set it on the fan-out function',
      );
    }
    const outcomes: boolean[] = [];
    const pending = [...tasks];
    const lanes = Array.from(
      { length: Math.min(this.options.concurrency ?? 8, pending.length) },
      async () => {
        for (let task = pending.shift(); task; task = pending.shift())
          outcomes.push(await this.create(task, workerUrl));
      },
    );
    await Promise.all(lanes);
    const created = outcomes.filter(Boolean).length;
    return { created, existing: outcomes.length - created };
  }

  /** Creates one task; `false` when a task of that name already exists. */
  private async create(task: QueuedTask<P>, workerUrl: string): Promise<boolean> {
    const { queuePath, invokerServiceAccount, dispatchDeadlineSeconds } = this.options;
    try {
      await this.client.createTask({
        parent: queuePath,
        task: {
          name: `${queuePath}/tasks/${taskId(task.name)}`,
          dispatchDeadline: { seconds: dispatchDeadlineSeconds },
          ...(task.notBefore === undefined
            ? {}
            : { scheduleTime: { seconds: Math.ceil(task.notBefore / 1000) } }),
          httpRequest: {
            httpMethod: 'POST',
            url:
              this.options.path === undefined
                ? workerUrl
                : `${workerUrl.replace(/\/$/, '')}${this.options.path}`,
            headers: { 'Content-Type': 'application/json' },
            body: Buffer.from(JSON.stringify(task.payload)),
            oidcToken: { serviceAccountEmail: invokerServiceAccount, audience: workerUrl },
          },
        },
      });
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
  }
}

/**
 * Window tasks split between two queues by the way each window is read, as the worker will read it
 * (`pipeline/export-mode.ts`, the same choice on both sides): streamed windows to the window queue
 * at Iterable's 4 exports a minute, windows read by export jobs to the export jobs queue at the
 * jobs' 1 start a second and 4 jobs at once. Cloud Tasks enforces each queue's rate and
 * concurrency across every worker instance, which no limiter inside one instance can. A window
 * only ages while it waits, so the worker may read a window of the window queue by a job (it
 * crossed the 2 days in the queue), never the reverse; at 4 tasks a minute that adds at most a
 * few jobs, which Iterable queues behind the 4 it runs rather than refuses (swagger: startExport,
 * "Additional requests are queued").
 */
export class ExportModeRoutedQueue implements TaskQueue {
  /** Tasks created in the export jobs queue: windows read by export jobs, for the plan's estimate. */
  jobTasks = 0;

  constructor(
    private readonly queues: { readonly stream: TaskQueue; readonly jobs: TaskQueue | null },
    private readonly mode: ExportMode | null,
    private readonly now: () => number,
  ) {}

  async enqueue(tasks: readonly QueuedTask[]): Promise<EnqueueResult> {
    const { stream: streamTasks, jobs: jobTasks } = splitByExportMode(tasks, this.mode, this.now());
    const { jobs } = this.queues;
    if (jobs === null && jobTasks.length > 0) {
      throw new ConfigError(
        `EXPORT_JOBS_QUEUE is not set, so ${jobTasks.length} windows read by export jobs have no queue; ` +
          'the Pulumi program sets it (infra/function-env.ts): run `pulumi up` again, or set ITERABLE_EXPORT_MODE=stream',
      );
    }
    const [streamed, viaJobs] = await Promise.all([
      this.queues.stream.enqueue(streamTasks),
      jobs === null ? { created: 0, existing: 0 } : jobs.enqueue(jobTasks),
    ]);
    this.jobTasks += viaJobs.created;
    return { created: streamed.created + viaJobs.created, existing: streamed.existing + viaJobs.existing };
  }
}
