/**
 * Iterable's organization-wide limits on export jobs, kept by every client that shares one
 * limiter: at most EXPORT_JOBS_AT_ONCE jobs held from start to completion, and start and file
 * listing requests each spaced EXPORT_JOB_REQUESTS_PER_SECOND apart.
 *
 * Locally every worker runs in one process and shares one limiter, and job windows go through
 * their own queue paced at the same limits (`local/routed-task-queue.ts`). Across instances on
 * GCP the mechanism is the same: a second Cloud Tasks queue for job windows at 1 dispatch a
 * second and 4 concurrent dispatches (infra/queue-kinds.ts), since Cloud Tasks already enforces
 * both across every worker instance with no lease to expire or clean up; each instance keeps a
 * limiter of its own for what it does within one task (`gcp/iterable-source.ts`).
 */
import { EXPORT_JOB_REQUESTS_PER_SECOND, EXPORT_JOBS_AT_ONCE } from './limits.js';
import { IntervalPacer, type Pacer } from './pacer.js';

export interface JobLimiter {
  /** Resolves with a release function once fewer than the limit of jobs are held. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Paces `POST /api/export/start`. */
  readonly starts: Pacer;
  /** Paces `GET /api/export/{jobId}/files`. */
  readonly listings: Pacer;
}

export class SharedJobLimiter implements JobLimiter {
  readonly starts: Pacer;
  readonly listings: Pacer;
  readonly #slots: number;
  #held = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(options: { slots?: number; starts?: Pacer; listings?: Pacer } = {}) {
    const interval = 1000 / EXPORT_JOB_REQUESTS_PER_SECOND;
    this.#slots = options.slots ?? EXPORT_JOBS_AT_ONCE;
    this.starts = options.starts ?? new IntervalPacer(interval);
    this.listings = options.listings ?? new IntervalPacer(interval);
  }

  /** Jobs held right now, for tests and figures. */
  get held(): number {
    return this.#held;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    while (this.#held >= this.#slots) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held--;
      this.#waiting.shift()?.();
    };
  }
}
