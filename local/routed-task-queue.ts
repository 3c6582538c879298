/**
 * Two local task queues in front of one worker, as deployed: windows read by streaming exports
 * go through a queue paced at Iterable's export limit (4 a minute), windows read by export jobs
 * through one paced at the jobs' limits (1 start a second, at most 4 jobs at once). Each task
 * goes to the queue of the mode its window is read in (`pipeline/export-mode.ts`).
 */

import type { ExportMode } from '../functions/src/iterable/export-modes.js';
import { EXPORT_JOB_REQUESTS_PER_SECOND, EXPORT_JOBS_AT_ONCE } from '../functions/src/iterable/limits.js';
import { splitByExportMode } from '../functions/src/pipeline/export-mode.js';
import type { EnqueueResult, QueuedTask, TaskQueue } from '../functions/src/ports.js';
import { LocalTaskQueue, type QueueSummary } from './task-queue.js';
import type { LocalTaskQueueOptions } from './task-queue-options.js';

/** The jobs queue's pace: one task starts at most one job at a time, held until it completes. */
export const JOBS_QUEUE_PACE = {
  maxDispatchesPerMinute: 60 * EXPORT_JOB_REQUESTS_PER_SECOND,
  maxConcurrentDispatches: EXPORT_JOBS_AT_ONCE,
} as const;

export class RoutedTaskQueue implements TaskQueue {
  readonly #stream: LocalTaskQueue;
  readonly #jobs: LocalTaskQueue;
  /** Tasks created in the jobs queue: windows read by export jobs. */
  jobTasks = 0;

  constructor(
    url: string,
    options: Partial<LocalTaskQueueOptions>,
    jobsOptions: Partial<LocalTaskQueueOptions>,
    private readonly mode: ExportMode | null,
    private readonly now: () => number,
  ) {
    this.#stream = new LocalTaskQueue(url, options);
    this.#jobs = new LocalTaskQueue(url, {
      ...options,
      ...JOBS_QUEUE_PACE,
      queueName: 'local-jobs',
      ...jobsOptions,
    });
  }

  async enqueue(tasks: readonly QueuedTask[]): Promise<EnqueueResult> {
    const { stream, jobs } = splitByExportMode(tasks, this.mode, this.now());
    const [a, b] = await Promise.all([this.#stream.enqueue(stream), this.#jobs.enqueue(jobs)]);
    this.jobTasks += b.created;
    return { created: a.created + b.created, existing: a.existing + b.existing };
  }

  async drain(): Promise<QueueSummary> {
    const [a, b] = await Promise.all([this.#stream.drain(), this.#jobs.drain()]);
    return {
      created: a.created + b.created,
      existing: a.existing + b.existing,
      succeeded: a.succeeded + b.succeeded,
      failed: a.failed + b.failed,
      dispatches: a.dispatches + b.dispatches,
      attempts: a.attempts + b.attempts,
      failedTasks: [...a.failedTasks, ...b.failedTasks],
    };
  }

  close(): void {
    this.#stream.close();
    this.#jobs.close();
  }
}
