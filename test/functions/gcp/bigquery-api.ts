/**
 * Just enough of the BigQuery REST API for the warehouse adapter's contract tests and the memory
 * benchmark's sink (`bench/bigquery-sink.ts`): tables insert/delete, media-upload load jobs, query
 * jobs and job polling. Jobs finish at once, with an error for the ones `fail` picks.
 */
import { type Handler, multipartParts, type RecordedRequest, type Reply } from './recording-server.js';

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

export interface BigQueryApi {
  readonly handler: Handler;
  /**
   * Answers a media upload from its metadata part (the job resource, as JSON text) alone, for a
   * server that streams the data part past rather than holding it as `handler` does.
   */
  readonly upload: (metadata: string) => Reply;
  readonly jobs: Map<string, JobResource>;
}

/** Media uploads of load jobs: https://cloud.google.com/bigquery/docs/reference/api-uploads */
export const UPLOAD_PATH = /^\/upload\/bigquery\/v2\/projects\/[^/]+\/jobs$/;

export type JobFailure = (job: Omit<JobResource, 'status'>) => string | null;

const error = (message: string) => ({ reason: 'invalidQuery', message });

export function bigQueryApi(fail: JobFailure = () => null): BigQueryApi {
  const jobs = new Map<string, JobResource>();
  const finish = (job: Omit<JobResource, 'status'>): JobResource => {
    const failure = fail(job);
    const done: JobResource = {
      ...job,
      // BigQuery reports the final error in errorResult and lists it in errors, which the client reads.
      status:
        failure === null
          ? { state: 'DONE' }
          : { state: 'DONE', errorResult: error(failure), errors: [error(failure)] },
    };
    jobs.set(job.jobReference.jobId, done);
    return done;
  };
  const upload = (metadata: string): Reply => ({ status: 200, body: finish(JSON.parse(metadata)) });
  const handler: Handler = (request: RecordedRequest) => {
    const { method, path } = request;
    if (method === 'POST' && /^\/bigquery\/v2\/projects\/[^/]+\/datasets\/[^/]+\/tables$/.test(path)) {
      return { status: 200, body: JSON.parse(request.body) };
    }
    if (method === 'DELETE' && /\/datasets\/[^/]+\/tables\/[^/]+$/.test(path)) return { status: 204 };
    if (method === 'POST' && UPLOAD_PATH.test(path)) return upload(multipartParts(request)[0] ?? '{}');
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
  return { handler, upload, jobs };
}
