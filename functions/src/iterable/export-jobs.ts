/**
 * One range of one stream read through Iterable's asynchronous export jobs instead of the
 * streaming export: start a job, poll it with backoff until it completes, list its files page by
 * page and download them (`job-files.ts`). Iterable's behaviour, from its swagger and from
 * Estuary's connector, which loads through these jobs (shared/iterable-api.md):
 *
 * - `POST /api/export/start` `{dataTypeName, outputFormat, startDateTime, endDateTime}` → `{jobId}`;
 *   the job's state is read from `GET /api/export/{jobId}/files`, the only status endpoint.
 * - States come as the swagger's `Enqueued`/`Running`/`Completed`/`Failed` or lower-case
 *   (observed); a running job may go back to enqueued after a restart and keeps its progress, so
 *   that is simply more waiting.
 * - A failed job usually succeeds when started again: Estuary resubmits up to 3 times.
 * - `exportTruncated` means the 100 GB cap cut the output: the range is halved and each half is a
 *   job of its own (Estuary does the same), before a single line goes downstream.
 *
 * Every record is yielded as a raw JSON line, exactly as `exportLines` yields them, so the worker's
 * validation, normalisation and replace of the window are the same in both modes.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ExportSource } from '../catalog.js';
import type { Interval } from '../time.js';
import type { IterableClient } from './client.js';
import { IterableError, IterableServerError, IterableTimeoutError } from './errors.js';
import { downloadJobFiles, type FileListing } from './job-files.js';
import type { JobLimiter } from './job-limiter.js';
import { formatExportTimestamp } from './timestamps.js';

export interface ExportJobOptions {
  /** First wait between polls; it doubles up to `maxPollMs`. */
  readonly pollMs: number;
  readonly maxPollMs: number;
  /**
   * Longest time from the first start to the last completion of the jobs of one range (starts,
   * polls, their pacing and retries, resubmits and truncated halves included), so one
   * attempt ends within the worker's limit (Cloud Tasks waits at most 30 minutes for an HTTP
   * task) with room for the downloads. A job still unfinished then is cancelled, never left to
   * outlive the attempt, and the window fails as a timeout, which the ledger counts as a cut, so
   * the window is split before its next attempt (`pipeline/split.ts`).
   */
  readonly maxWaitMs: number;
  /** Files downloaded at once: 4 × ≤ 10 MB buffered at most. */
  readonly parallelDownloads: number;
  /** Starts of a range whose job keeps failing before the window fails (Estuary: 3). */
  readonly resubmits: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock the wait budget is measured on. */
  readonly now: () => number;
}

export const DEFAULT_EXPORT_JOB_OPTIONS: ExportJobOptions = {
  pollMs: 1000,
  maxPollMs: 30_000,
  maxWaitMs: 20 * 60_000,
  parallelDownloads: 4,
  resubmits: 3,
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
  now: Date.now,
};

/** Shortest range halved on `exportTruncated`; below it the export cannot be made to fit. */
const MIN_TRUNCATED_RANGE_MS = 60_000;

/** When the jobs of one range must be done, shared by its resubmits and halves. */
interface WaitBudget {
  readonly startedAt: number;
  readonly deadline: number;
}

interface FilesPage {
  readonly jobState: string;
  readonly exportTruncated: boolean;
  readonly files: readonly { readonly file: string; readonly url: string }[];
}

export class ExportJobsClient {
  readonly #client: IterableClient;
  readonly #limiter: JobLimiter;
  readonly #options: ExportJobOptions;
  /** Jobs started, for figures. */
  started = 0;

  constructor(client: IterableClient, limiter: JobLimiter, options: Partial<ExportJobOptions> = {}) {
    this.#client = client;
    this.#limiter = limiter;
    this.#options = { ...DEFAULT_EXPORT_JOB_OPTIONS, ...options };
  }

  /**
   * The range's records, through as many jobs as truncation needs. Every job completes before
   * the first line is yielded, so a refusal (no access to export jobs) surfaces before any.
   */
  async *lines(source: ExportSource, range: Interval, signal?: AbortSignal): AsyncIterable<string[]> {
    const startedAt = this.#options.now();
    const budget = { startedAt, deadline: startedAt + this.#options.maxWaitMs };
    const jobs = await this.#completedJobs(source, range, budget, signal);
    for (const jobId of jobs) {
      yield* downloadJobFiles(this.#listing(jobId, signal), this.#options.parallelDownloads, signal);
    }
  }

  async #completedJobs(
    source: ExportSource,
    range: Interval,
    budget: WaitBudget,
    signal?: AbortSignal,
  ): Promise<number[]> {
    const { jobId, truncated } = await this.#runJob(source, range, budget, signal);
    if (!truncated) return [jobId];
    if (range.end - range.start <= MIN_TRUNCATED_RANGE_MS) {
      throw new IterableError(
        `the export job ${jobId} of ${source.dataTypeName} for ${describe(range)} was truncated at ` +
          "Iterable's 100 GB cap even for a range this short; it cannot be loaded by export jobs: " +
          'set ITERABLE_EXPORT_MODE=stream',
        { status: 200, code: null, retryable: false },
      );
    }
    // Whole seconds, as Iterable takes them; halves of an aligned window stay aligned.
    const middle = range.start + Math.floor((range.end - range.start) / 2000) * 1000;
    return [
      ...(await this.#completedJobs(source, { start: range.start, end: middle }, budget, signal)),
      ...(await this.#completedJobs(source, { start: middle, end: range.end }, budget, signal)),
    ];
  }

  /** Starts a job for the range and waits for it, starting it again when it fails. */
  async #runJob(
    source: ExportSource,
    range: Interval,
    budget: WaitBudget,
    signal?: AbortSignal,
  ): Promise<{ jobId: number; truncated: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const release = await this.#limiter.acquire(signal);
      try {
        const jobId = await this.#start(source, range, signal);
        const page = await this.#await(jobId, budget, signal);
        if (page !== 'failed') return { jobId, truncated: page.exportTruncated };
        if (attempt >= this.#options.resubmits) {
          throw new IterableServerError(
            `the export job of ${source.dataTypeName} for ${describe(range)} failed ${attempt + 1} times ` +
              `at ${this.#client.baseUrl}; the window is retried later`,
            { status: 200, code: null, retryable: true },
          );
        }
      } finally {
        release();
      }
    }
  }

  async #start(source: ExportSource, range: Interval, signal?: AbortSignal): Promise<number> {
    const { text, context } = await this.#client.getText(
      '/api/export/start',
      new URLSearchParams(),
      {
        method: 'POST',
        json: {
          dataTypeName: source.dataTypeName,
          outputFormat: 'application/x-json-stream',
          startDateTime: formatExportTimestamp(range.start),
          endDateTime: formatExportTimestamp(range.end),
        },
        beforeAttempt: () => this.#limiter.starts.wait(signal),
      },
      signal,
    );
    const jobId = (parse(text) as { jobId?: unknown } | null)?.jobId;
    if (typeof jobId !== 'number') {
      throw new IterableError(`${context.request} at ${context.baseUrl} answered no jobId`, {
        status: 200,
        code: null,
        retryable: true,
      });
    }
    this.started++;
    return jobId;
  }

  /** Polls until the job completes (its first page) or fails; cancels it when giving up. */
  async #await(jobId: number, budget: WaitBudget, signal?: AbortSignal): Promise<FilesPage | 'failed'> {
    const { pollMs, maxPollMs, sleep, now } = this.#options;
    for (let wait = pollMs; ; wait = Math.min(wait * 2, maxPollMs)) {
      const page = await this.#page(jobId, null, signal).catch(async (error: unknown) => {
        await this.#cancel(jobId);
        throw error;
      });
      const state = page.jobState.toLowerCase();
      if (state === 'completed') return page;
      if (state === 'failed' || state === 'cancelled' || state === 'cancelling') return 'failed';
      if (now() >= budget.deadline) {
        await this.#cancel(jobId);
        throw new IterableTimeoutError(
          `the export job ${jobId} at ${this.#client.baseUrl} was still ${state} after ${Math.round((now() - budget.startedAt) / 1000)} s ` +
            'of waiting for the jobs of its range; ' +
            'it is cancelled and the window is split before its next attempt',
          { status: null, code: null, retryable: true },
        );
      }
      await sleep(Math.min(wait, Math.max(0, budget.deadline - now())), signal);
    }
  }

  async #page(jobId: number, startAfter: string | null, signal?: AbortSignal): Promise<FilesPage> {
    const query = new URLSearchParams(startAfter === null ? {} : { startAfter });
    const { text, context } = await this.#client.getText(
      `/api/export/${jobId}/files`,
      query,
      { beforeAttempt: () => this.#limiter.listings.wait(signal) },
      signal,
    );
    const page = parse(text) as Partial<FilesPage> | null;
    if (typeof page?.jobState !== 'string' || !Array.isArray(page.files)) {
      throw new IterableError(`${context.request} at ${context.baseUrl} answered no jobState and files`, {
        status: 200,
        code: null,
        retryable: true,
      });
    }
    return { jobState: page.jobState, exportTruncated: page.exportTruncated === true, files: page.files };
  }

  /** Every file of a completed job, paged with `startAfter` until a page comes back empty. */
  #listing(jobId: number, signal?: AbortSignal): FileListing {
    return async () => {
      const files: { file: string; url: string }[] = [];
      for (let after: string | null = null; ; ) {
        const page = await this.#page(jobId, after, signal);
        if (page.files.length === 0) return files;
        files.push(...page.files);
        after = page.files[page.files.length - 1]?.file ?? null;
      }
    };
  }

  /** Best effort: a job left running only holds one of the organization's four slots longer. */
  async #cancel(jobId: number): Promise<void> {
    await this.#client
      .getText(`/api/export/${jobId}`, new URLSearchParams(), { method: 'DELETE' })
      .catch(() => undefined);
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const describe = (range: Interval): string =>
  `[${new Date(range.start).toISOString()}, ${new Date(range.end).toISOString()})`;
