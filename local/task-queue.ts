/**
 * The local task queue: an in-process stand-in for a Cloud Tasks queue with an HTTP target. Each
 * task is POSTed as JSON to the worker with Cloud Tasks' headers; a 2xx answer completes it, any
 * other answer (or none) is retried with Cloud Tasks' backoff until `maxAttempts`, and dispatches
 * are paced so the worker never calls Iterable's export API faster than its limit.
 * https://cloud.google.com/tasks/docs/creating-http-target-tasks#handler
 */
import type { EnqueueResult, QueuedTask, TaskQueue, WindowTask } from '../functions/src/ports.js';
import {
  backoffMs,
  DEFAULT_QUEUE_OPTIONS,
  type LocalTaskQueueOptions,
  type QueueEvent,
  retryAfterMs,
} from './task-queue-options.js';

export interface FailedTask {
  readonly name: string;
  readonly payload: WindowTask;
  readonly attempts: number;
  /** The last answer's status, or `null` when the last dispatch got none (refused, timed out). */
  readonly status: number | null;
  readonly body: string;
}

export interface QueueSummary {
  readonly created: number;
  readonly existing: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Requests sent, retries included: what the rate limit counts (Cloud Tasks' `dispatchCount`). */
  readonly dispatches: number;
  /** Requests the worker answered (Cloud Tasks' `responseCount`); the rest got no answer. */
  readonly attempts: number;
  readonly failedTasks: readonly FailedTask[];
}

interface Task {
  readonly name: string;
  readonly payload: WindowTask;
  readonly order: number;
  readyAt: number;
  dispatches: number;
  /** Answers that were not 5xx: Cloud Tasks' `X-CloudTasks-TaskExecutionCount`. */
  executions: number;
  lastStatus: number | null;
}

/** Cloud Tasks task ids: letters, digits, hyphens and underscores, at most 500 characters. */
const TASK_ID = /^[A-Za-z0-9_-]{1,500}$/;
/** Bodies of failed answers are kept for reports; a bound keeps a chatty worker from filling memory. */
const MAX_BODY_CHARS = 2000;

/** An epoch-millisecond clock that never goes back, for pacing and for the ETA header alike. */
const now = (): number => performance.timeOrigin + performance.now();

export class LocalTaskQueue implements TaskQueue {
  readonly options: LocalTaskQueueOptions;
  private readonly known = new Map<string, Task>();
  private readonly waiting: Task[] = [];
  private readonly inFlight = new Set<AbortController>();
  private readonly failedTasks: FailedTask[] = [];
  private readonly drains: { resolve: (s: QueueSummary) => void; reject: (e: Error) => void }[] = [];
  private counts = { created: 0, existing: 0, succeeded: 0, failed: 0, dispatches: 0, attempts: 0 };
  private nextDispatchAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly url: string,
    options: Partial<LocalTaskQueueOptions> = {},
  ) {
    this.options = { ...DEFAULT_QUEUE_OPTIONS, ...options };
    if (!(this.options.maxDispatchesPerMinute > 0) || !(this.options.maxConcurrentDispatches >= 1)) {
      throw new Error('maxDispatchesPerMinute must be above 0 and maxConcurrentDispatches at least 1');
    }
  }

  /** Adds tasks; a name the queue has seen before, even long finished, adds nothing. */
  async enqueue(tasks: readonly QueuedTask[]): Promise<EnqueueResult> {
    if (this.closed) throw new Error('the task queue is closed');
    const invalid = tasks.find((t) => !TASK_ID.test(t.name));
    if (invalid)
      throw new Error(`task name ${JSON.stringify(invalid.name)} is not a valid Cloud Tasks task id`);
    let created = 0;
    for (const { name, payload, notBefore } of tasks) {
      if (this.known.has(name)) continue;
      const task: Task = {
        name,
        payload,
        order: this.known.size,
        readyAt: Math.max(now(), notBefore ?? 0),
        dispatches: 0,
        executions: 0,
        lastStatus: null,
      };
      this.known.set(name, task);
      this.waiting.push(task);
      created += 1;
    }
    this.counts.created += created;
    this.counts.existing += tasks.length - created;
    this.pump();
    return { created, existing: tasks.length - created };
  }

  /** Resolves once no task waits or is in flight; rejects if the queue is closed before that. */
  drain(): Promise<QueueSummary> {
    if (this.idle()) return Promise.resolve(this.summary());
    return new Promise((resolve, reject) => this.drains.push({ resolve, reject }));
  }

  summary(): QueueSummary {
    return { ...this.counts, failedTasks: [...this.failedTasks] };
  }

  /** Stops the timer and aborts requests in flight; unfinished tasks are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const controller of this.inFlight) controller.abort();
    const unfinished = this.waiting.length + this.inFlight.size;
    for (const d of this.drains.splice(0))
      d.reject(new Error(`the task queue was closed with ${unfinished} tasks unfinished`));
  }

  private idle(): boolean {
    return this.waiting.length === 0 && this.inFlight.size === 0;
  }

  /**
   * Dispatches every task that may go now, then sleeps until the next one may. Dispatches are at
   * least 60 s / maxDispatchesPerMinute apart, so no 60-second span ever holds more than the limit.
   */
  private pump(): void {
    while (!this.closed && this.inFlight.size < this.options.maxConcurrentDispatches) {
      const next = this.waiting.reduce<Task | undefined>(
        (best, t) =>
          !best || t.readyAt < best.readyAt || (t.readyAt === best.readyAt && t.order < best.order)
            ? t
            : best,
        undefined,
      );
      if (!next) return;
      const at = Math.max(next.readyAt, this.nextDispatchAt);
      const t = now();
      if (at > t) {
        this.wakeAt(at, t);
        return;
      }
      this.waiting.splice(this.waiting.indexOf(next), 1);
      this.nextDispatchAt = t + 60_000 / this.options.maxDispatchesPerMinute;
      void this.dispatch(next);
    }
  }

  private wakeAt(at: number, t: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    // Timers may fire a little early; pump() then finds it is not time yet and waits again.
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    }, at - t);
  }

  private async dispatch(task: Task): Promise<void> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const attempt = task.dispatches + 1;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'Google-Cloud-Tasks',
      'X-CloudTasks-QueueName': this.options.queueName,
      'X-CloudTasks-TaskName': task.name,
      'X-CloudTasks-TaskRetryCount': String(task.dispatches),
      'X-CloudTasks-TaskExecutionCount': String(task.executions),
      'X-CloudTasks-TaskETA': (task.readyAt / 1000).toFixed(6),
    };
    if (task.lastStatus !== null) headers['X-CloudTasks-TaskPreviousResponse'] = String(task.lastStatus);
    task.dispatches = attempt;
    this.counts.dispatches += 1;
    this.emit({ type: 'dispatched', name: task.name, payload: task.payload, attempt });
    let status: number | null = null;
    let body: string;
    let retryAfter: string | null = null;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(task.payload),
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(this.options.dispatchDeadlineMs)]),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      body = (await response.text()).slice(0, MAX_BODY_CHARS);
    } catch (error) {
      body = describeFailure(error);
    } finally {
      this.inFlight.delete(controller);
    }
    if (this.closed) return;
    this.settle(task, attempt, status, body, retryAfter);
    this.pump();
    if (this.idle()) for (const d of this.drains.splice(0)) d.resolve(this.summary());
  }

  private settle(
    task: Task,
    attempt: number,
    status: number | null,
    body: string,
    retryAfter: string | null,
  ): void {
    const event = { name: task.name, payload: task.payload, attempt };
    if (status !== null) this.counts.attempts += 1;
    if (status !== null && status < 500) task.executions += 1;
    task.lastStatus = status;
    if (status !== null && status >= 200 && status < 300) {
      this.counts.succeeded += 1;
      this.emit({ type: 'succeeded', ...event, status, body });
    } else if (attempt >= this.options.maxAttempts) {
      this.counts.failed += 1;
      this.failedTasks.push({ name: task.name, payload: task.payload, attempts: attempt, status, body });
      this.emit({ type: 'failed', ...event, status, body });
    } else {
      const t = now();
      const asked = Math.min(retryAfterMs(status, retryAfter, t), this.options.maxRetryAfterMs);
      const delayMs = Math.max(backoffMs(attempt, this.options), asked);
      task.readyAt = t + delayMs;
      this.waiting.push(task);
      this.emit({ type: 'retrying', ...event, status, body, delayMs });
    }
  }

  private emit(event: QueueEvent): void {
    this.options.onEvent?.(event);
  }
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `no answer (${error.name}: ${error.message}${cause})`;
}
