/**
 * Iterable's asynchronous export jobs, simulated over the same records the streaming export
 * serves (swagger: `POST /api/export/start`, `GET /api/export/{jobId}/files`,
 * `DELETE /api/export/{jobId}`; shared/iterable-api.md, "Asynchronous export jobs"):
 *
 * - A job takes a snapshot of its range's visible records when it starts, and splits them into
 *   JSONL files of at most `maxFileBytes` (Iterable: 10 MB), named so they sort in order.
 * - At most `maxRunning` jobs (Iterable: 4 per organization) run at once; the rest wait enqueued.
 *   A running job completes `runMs` after it started running, on the jobs clock.
 * - A job whose output exceeds `maxExportBytes` (Iterable: 100 GB) completes with
 *   `exportTruncated: true` and only the files within the cap.
 * - Files are listed as the job runs (swagger: "Files are added to the list as the export job is
 *   running"), `filesPageSize` a page, after `startAfter`.
 * - Download URLs carry no key and expire `linkTtlMs` (Iterable: 30 minutes) after they are listed.
 */
import { randomBytes } from 'node:crypto';
import type { StreamName } from '../functions/src/catalog.js';
import type { Range } from './store.js';

export const JOB_STATES = ['Enqueued', 'Running', 'Completed', 'Failed', 'Cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface ExportJobOptions {
  readonly maxRunning: number;
  readonly runMs: number;
  readonly maxFileBytes: number;
  readonly maxExportBytes: number;
  readonly filesPageSize: number;
  readonly linkTtlMs: number;
  /** The jobs' own clock (running time, link expiry), apart from the data's clock. */
  readonly clock: () => number;
}

export const DEFAULT_EXPORT_JOB_OPTIONS: ExportJobOptions = {
  maxRunning: 4,
  runMs: 50,
  maxFileBytes: 10 * 1024 * 1024,
  maxExportBytes: 100 * 1024 ** 3,
  filesPageSize: 100,
  linkTtlMs: 30 * 60_000,
  clock: Date.now,
};

interface Job {
  readonly id: number;
  readonly stream: StreamName;
  readonly range: Range;
  readonly files: readonly { readonly name: string; readonly body: string }[];
  readonly truncated: boolean;
  state: JobState;
  runningSince: number | null;
  /** Running time accumulated before a restart: a restarted job keeps its progress (swagger). */
  doneMs: number;
  /** When it last went back to enqueued: it runs again only once the clock has moved on. */
  restartedAt: number | null;
}

export interface FilesPage {
  readonly jobId: number;
  readonly jobState: JobState;
  readonly exportTruncated: boolean;
  readonly files: readonly { readonly file: string; readonly url: string }[];
}

export class ExportJobs {
  readonly #options: ExportJobOptions;
  readonly #jobs = new Map<number, Job>();
  readonly #links = new Map<string, { jobId: number; file: string; expiresAt: number }>();
  #nextId = 1000;
  /** Jobs started in all, for figures. */
  started = 0;

  constructor(options: Partial<ExportJobOptions> = {}) {
    this.#options = { ...DEFAULT_EXPORT_JOB_OPTIONS, ...options };
  }

  /** Starts a job over `lines` (the range's records visible now); `truncate` forces the cap. */
  start(stream: StreamName, range: Range, lines: readonly string[], truncate: boolean): number {
    const id = this.#nextId++;
    const { files, truncated } = this.#split(id, lines);
    this.#jobs.set(id, {
      id,
      stream,
      range,
      files: truncate ? files.slice(0, Math.ceil(files.length / 2)) : files,
      truncated: truncated || truncate,
      state: 'Enqueued',
      runningSince: null,
      doneMs: 0,
      restartedAt: null,
    });
    this.started++;
    this.#advance();
    return id;
  }

  has(id: number): boolean {
    return this.#jobs.has(id);
  }

  state(id: number): JobState {
    this.#advance();
    return this.#job(id).state;
  }

  /** A restart: a running job goes back to enqueued, keeping the time it already ran. */
  restart(id: number): void {
    const job = this.#job(id);
    if (job.state !== 'Running' || job.runningSince === null) return;
    job.doneMs += this.#options.clock() - job.runningSince;
    job.runningSince = null;
    job.restartedAt = this.#options.clock();
    job.state = 'Enqueued';
  }

  fail(id: number): void {
    const job = this.#job(id);
    if (job.state === 'Running' || job.state === 'Enqueued') job.state = 'Failed';
    this.#advance();
  }

  cancel(id: number): void {
    const job = this.#job(id);
    if (job.state === 'Running' || job.state === 'Enqueued') job.state = 'Cancelled';
    this.#advance();
  }

  /** One page of the job's files after `startAfter`, each with a fresh link under `linkBase`. */
  files(id: number, startAfter: string | null, linkBase: string): FilesPage {
    this.#advance();
    const job = this.#job(id);
    const listed = job.files.slice(0, this.#listedCount(job));
    const after = startAfter === null ? listed : listed.filter((f) => f.name > startAfter);
    const page = after.slice(0, this.#options.filesPageSize);
    const expiresAt = this.#options.clock() + this.#options.linkTtlMs;
    return {
      jobId: id,
      jobState: job.state,
      exportTruncated: job.state === 'Completed' && job.truncated,
      files: page.map((f) => {
        const token = randomBytes(12).toString('hex');
        this.#links.set(token, { jobId: id, file: f.name, expiresAt });
        return { file: f.name, url: `${linkBase}/${token}/${f.name}` };
      }),
    };
  }

  /** The file a download token names, `'expired'`, or `null` for a token never issued. */
  download(token: string): string | 'expired' | null {
    const link = this.#links.get(token);
    if (!link) return null;
    if (this.#options.clock() >= link.expiresAt) return 'expired';
    return this.#job(link.jobId).files.find((f) => f.name === link.file)?.body ?? null;
  }

  /** Jobs by state, for figures and the jobs listing. */
  list(): { jobId: number; jobState: JobState; dataTypeName: StreamName }[] {
    this.#advance();
    return [...this.#jobs.values()].map((j) => ({ jobId: j.id, jobState: j.state, dataTypeName: j.stream }));
  }

  #job(id: number): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new Error(`no export job ${id}`);
    return job;
  }

  /** Files listed so far: all once completed, a share by running time while it runs. */
  #listedCount(job: Job): number {
    if (job.state === 'Completed') return job.files.length;
    if (job.state !== 'Running' || job.runningSince === null) return 0;
    const ran = job.doneMs + this.#options.clock() - job.runningSince;
    return Math.floor((job.files.length * Math.min(ran, this.#options.runMs)) / (this.#options.runMs + 1));
  }

  /** Completes the jobs whose time is up, then promotes the oldest enqueued into free slots. */
  #advance(): void {
    const now = this.#options.clock();
    let running = 0;
    for (const job of this.#jobs.values()) {
      if (job.state !== 'Running' || job.runningSince === null) continue;
      if (job.doneMs + now - job.runningSince >= this.#options.runMs) job.state = 'Completed';
      else running++;
    }
    for (const job of this.#jobs.values()) {
      if (running >= this.#options.maxRunning) break;
      if (job.state !== 'Enqueued' || job.restartedAt === now) continue;
      job.state = 'Running';
      job.runningSince = now;
      running++;
    }
  }

  #split(
    id: number,
    lines: readonly string[],
  ): { files: { name: string; body: string }[]; truncated: boolean } {
    const files: { name: string; body: string }[] = [];
    let body = '';
    let bodyBytes = 0;
    let total = 0;
    let truncated = false;
    const flush = () => {
      if (body === '') return;
      files.push({ name: `file-${id}-${String(files.length).padStart(6, '0')}.json`, body });
      body = '';
      bodyBytes = 0;
    };
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      if (total + bytes > this.#options.maxExportBytes) {
        truncated = true;
        break;
      }
      if (bodyBytes > 0 && bodyBytes + bytes > this.#options.maxFileBytes) flush();
      body += `${line}\n`;
      bodyBytes += bytes;
      total += bytes;
    }
    flush();
    return { files, truncated };
  }
}
