/**
 * Iterable as the worker reads it when export jobs are on: streaming exports and dimensions from
 * the REST client, and `jobLines` through export jobs. A project or key without access to export
 * jobs (the jobs endpoints answer 401, 403 or 404: a key without the permission, a plan without
 * the feature, a server that speaks only the streaming export) falls back to streaming exports
 * for good, with one WARNING line, instead of failing every window.
 */
import type { DimensionSource, ExportSource } from '../catalog.js';
import type { Logger } from '../log.js';
import type { IterableSource } from '../ports.js';
import type { Interval } from '../time.js';
import type { IterableClient } from './client.js';
import { IterableError } from './errors.js';
import { type ExportJobOptions, ExportJobsClient } from './export-jobs.js';
import type { ExportMode } from './export-modes.js';
import { type JobLimiter, SharedJobLimiter } from './job-limiter.js';

const NO_ACCESS = new Set([401, 403, 404]);

export class JobModeSource implements IterableSource {
  readonly #client: IterableClient;
  readonly #jobs: ExportJobsClient;
  readonly #log: Logger;
  #streamingOnly = false;

  constructor(client: IterableClient, jobs: ExportJobsClient, log: Logger) {
    this.#client = client;
    this.#jobs = jobs;
    this.#log = log;
  }

  /** Whether export jobs were refused and every window now streams. */
  get streamingOnly(): boolean {
    return this.#streamingOnly;
  }

  exportLines(source: ExportSource, window: Interval, signal?: AbortSignal): AsyncIterable<string[]> {
    return this.#client.exportLines(source, window, signal);
  }

  dimensionLines(source: DimensionSource, signal?: AbortSignal): AsyncIterable<string[]> {
    return this.#client.dimensionLines(source, signal);
  }

  async *jobLines(source: ExportSource, window: Interval, signal?: AbortSignal): AsyncIterable<string[]> {
    if (this.#streamingOnly) return yield* this.#client.exportLines(source, window, signal);
    const lines = this.#jobs.lines(source, window, signal)[Symbol.asyncIterator]();
    let first: IteratorResult<string[]>;
    try {
      // Every job of the range completes before its first line, so a refusal comes here or never.
      first = await lines.next();
    } catch (error) {
      if (!(error instanceof IterableError && error.status !== null && NO_ACCESS.has(error.status)))
        throw error;
      this.#fallBack(error);
      return yield* this.#client.exportLines(source, window, signal);
    }
    if (first.done) return;
    yield first.value;
    yield* { [Symbol.asyncIterator]: () => lines };
  }

  #fallBack(error: IterableError): void {
    if (this.#streamingOnly) return;
    this.#streamingOnly = true;
    this.#log({
      severity: 'WARNING',
      message:
        `Iterable at ${this.#client.baseUrl} refused export jobs (${error.status}${error.code ? ` ${error.code}` : ''}); ` +
        'every window is read by streaming exports instead, at 4 a minute. Give the key export ' +
        'permission, or set ITERABLE_EXPORT_MODE=stream to skip trying.',
      status: error.status,
    });
  }
}

/**
 * The worker's Iterable: the client alone when streaming is forced, else the client with export
 * jobs. One limiter per process: every worker sharing this source shares the jobs' limits.
 */
export function workerSource(
  client: IterableClient,
  mode: ExportMode | null,
  log: Logger,
  options: { readonly limiter?: JobLimiter; readonly jobs?: Partial<ExportJobOptions> } = {},
): IterableSource {
  if (mode === 'stream') return client;
  const jobs = new ExportJobsClient(client, options.limiter ?? new SharedJobLimiter(), options.jobs);
  return new JobModeSource(client, jobs, log);
}
