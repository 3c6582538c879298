/**
 * Just enough of the BigQuery REST API for the warehouse adapter's contract tests and the memory
 * benchmark's sink (`bench/bigquery-sink.ts`): tables insert/delete, load jobs from Cloud Storage
 * URIs, query jobs and job polling. Jobs finish at once, with an error for the ones `fail` picks;
 * a load job whose source object does not exist fails as BigQuery's does.
 */
import type { Handler, RecordedRequest } from './recording-server.js';

export interface JobResource {
  readonly jobReference: { readonly jobId: string; readonly projectId?: string; readonly location?: string };
  readonly configuration: {
    readonly load?: Record<string, unknown>;
    readonly query?: { readonly query: string; readonly queryParameters?: unknown[] } & Record<
      string,
      unknown
    >;
  };
  readonly status: {
    readonly state: 'DONE';
    readonly errorResult?: { reason: string; message: string };
    readonly errors?: readonly { reason: string; message: string }[];
  };
}

/** What a load job read from one source object, as the Cloud Storage fake holds it (gcs-api.ts). */
export interface LoadSource {
  readonly size: number;
  readonly lines: number;
  /** `null` when the store only counts. */
  readonly text: string | null;
}

/** A load job that ran, with what it read, in the order of its `sourceUris`. */
export interface LoadRun {
  readonly job: JobResource;
  readonly sources: readonly LoadSource[];
}

export interface BigQueryApi {
  readonly handler: Handler;
  readonly jobs: Map<string, JobResource>;
  readonly loads: LoadRun[];
}

export type JobFailure = (job: Omit<JobResource, 'status'>) => string | null;

/** Looks up a `gs://` URI in the Cloud Storage fake: `undefined` when no such object exists. */
export type SourceObjects = (uri: string) => LoadSource | undefined;

const error = (message: string) => ({ reason: 'invalidQuery', message });

export function bigQueryApi(
  fail: JobFailure = () => null,
  objects: SourceObjects = () => undefined,
): BigQueryApi {
  const jobs = new Map<string, JobResource>();
  const loads: LoadRun[] = [];
  const finish = (job: Omit<JobResource, 'status'>): JobResource => {
    const uris = (job.configuration.load?.sourceUris as string[] | undefined) ?? [];
    const sources = uris.map(objects);
    const missing = uris.find((_, k) => sources[k] === undefined);
    const failure = missing !== undefined ? `Not found: URI ${missing}` : fail(job);
    const done: JobResource = {
      ...job,
      // BigQuery reports the final error in errorResult and lists it in errors, which the client reads.
      status:
        failure === null
          ? { state: 'DONE' }
          : { state: 'DONE', errorResult: error(failure), errors: [error(failure)] },
    };
    jobs.set(job.jobReference.jobId, done);
    if (job.configuration.load && failure === null) {
      loads.push({ job: done, sources: sources as LoadSource[] });
    }
    return done;
  };
  const handler: Handler = (request: RecordedRequest) => {
    const { method, path } = request;
    if (method === 'POST' && /^\/bigquery\/v2\/projects\/[^/]+\/datasets\/[^/]+\/tables$/.test(path)) {
      return { status: 200, body: JSON.parse(request.body) };
    }
    if (method === 'DELETE' && /\/datasets\/[^/]+\/tables\/[^/]+$/.test(path)) return { status: 204 };
    if (method === 'POST' && /^\/bigquery\/v2\/projects\/[^/]+\/jobs$/.test(path)) {
      return { status: 200, body: finish(JSON.parse(request.body)) };
    }
    const polled = /^\/bigquery\/v2\/projects\/[^/]+\/jobs\/([^/]+)$/.exec(path)?.[1];
    if (method === 'GET' && polled) {
      const job = jobs.get(polled);
      return job
        ? { status: 200, body: job }
        : { status: 404, body: { error: { code: 404, message: 'no job' } } };
    }
    return { status: 404, body: { error: { code: 404, message: `not in this fake: ${method} ${path}` } } };
  };
  return { handler, jobs, loads };
}
