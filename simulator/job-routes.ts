/**
 * The simulator's export-jobs endpoints (swagger: startExport, getExportFiles, cancelExport,
 * getExportJobs) and the pre-signed file downloads, over the jobs of `export-jobs.ts`.
 *
 * Start and files requests are limited to `requestsPerSecond` each (Iterable: "1 request/second,
 * per organization"); a project without access to export jobs answers every jobs endpoint with
 * the status of `access` (401, 403 or 404), as a key without the permission or a plan without
 * the feature would.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExportJobs } from './export-jobs.js';
import { FAULTS, type FaultInjector, type FaultKind } from './faults.js';
import type { SlidingWindowLimit } from './rate-limit.js';
import { BadRequest, exportRequest, sendJson } from './routes.js';
import type { RecordStore } from './store.js';

export type JobsAccess = 'allowed' | 401 | 403 | 404;

export interface JobRouteContext {
  readonly jobs: ExportJobs;
  readonly store: RecordStore;
  /** The data's clock: which records are visible when a job starts. */
  readonly clock: () => number;
  readonly faults: FaultInjector;
  readonly access: JobsAccess;
  readonly startLimit: SlidingWindowLimit;
  readonly filesLimit: SlidingWindowLimit;
  /** Scheme, host and port of the simulator, for download links. */
  readonly baseUrl: () => string;
  /** Answers 429 and returns `true` when `limit` has no slot left. */
  readonly limited: (res: ServerResponse, limit: SlidingWindowLimit) => boolean;
  /** Answers an injected error fault; returns `true` if the fault was one. */
  readonly answerFault: (res: ServerResponse, fault: FaultKind | null) => boolean;
}

/** Download links live under this path; they carry a token instead of the API key. */
export const DOWNLOAD_PATH = '/export-files';

const DENIED = {
  401: { msg: 'Invalid API key', code: 'BadApiKey', params: null },
  403: { msg: 'This API key lacks the permission for export jobs', code: 'Forbidden', params: null },
  404: { msg: 'No route for export jobs', code: 'NotFound', params: null },
} as const;

/** A download: no key, the token alone; an expired link answers S3's 403. */
export function handleDownload(ctx: JobRouteContext, url: URL, res: ServerResponse): void {
  const token = url.pathname.slice(DOWNLOAD_PATH.length + 1).split('/')[0] ?? '';
  const fault = ctx.faults.draw(url.pathname, 'download');
  const body = ctx.jobs.download(token);
  if (body === 'expired' || (body !== null && fault !== null && FAULTS[fault].effect === 'expire')) {
    res.writeHead(403, { 'content-type': 'application/xml' });
    return void res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
  }
  if (body === null) {
    res.writeHead(404, { 'content-type': 'application/xml' });
    return void res.end('<Error><Code>NoSuchKey</Code></Error>');
  }
  res.writeHead(200, { 'content-type': 'application/x-json-stream' }).end(body);
}

const JOB_PATH = /^\/api\/export\/(\d+)(\/files)?$/;

/** Whether the path is one of the jobs endpoints. */
export const isJobPath = (path: string): boolean =>
  path === '/api/export/start' || path === '/api/export/jobs' || JOB_PATH.test(path);

export async function handleJobRequest(
  ctx: JobRouteContext,
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  if (ctx.access !== 'allowed') return sendJson(res, ctx.access, DENIED[ctx.access]);
  const method = req.method ?? 'GET';
  if (url.pathname === '/api/export/start' && method === 'POST') return start(ctx, req, url, res);
  if (url.pathname === '/api/export/jobs' && method === 'GET')
    return sendJson(res, 200, { jobs: ctx.jobs.list() });
  const match = JOB_PATH.exec(url.pathname);
  const id = Number(match?.[1]);
  if (!match || !ctx.jobs.has(id)) {
    return sendJson(res, 404, { msg: `No export job ${match?.[1] ?? ''}`, code: 'NotFound', params: null });
  }
  if (match[2] && method === 'GET') {
    if (ctx.limited(res, ctx.filesLimit)) return;
    const fault = ctx.faults.draw(`${url.pathname}${url.search}`, 'jobFiles');
    if (ctx.answerFault(res, fault)) return;
    if (fault !== null && FAULTS[fault].effect === 'restart') ctx.jobs.restart(id);
    if (fault !== null && FAULTS[fault].effect === 'fail') ctx.jobs.fail(id);
    return sendJson(
      res,
      200,
      ctx.jobs.files(id, url.searchParams.get('startAfter'), `${ctx.baseUrl()}${DOWNLOAD_PATH}`),
    );
  }
  if (!match[2] && method === 'DELETE') {
    ctx.jobs.cancel(id);
    return sendJson(res, 200, { msg: `Cancelled export job ${id}`, code: 'Success', params: null });
  }
  return sendJson(res, 405, {
    msg: `${method} is not allowed on ${url.pathname}`,
    code: 'BadParams',
    params: null,
  });
}

async function start(
  ctx: JobRouteContext,
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const body = await readJson(req);
  if (ctx.limited(res, ctx.startLimit)) return;
  const fault = ctx.faults.draw(`${url.pathname}:${JSON.stringify(body)}`, 'jobStart');
  if (ctx.answerFault(res, fault)) return;
  if (body.outputFormat !== 'application/x-json-stream') {
    throw new BadRequest(400, 'BadParams', 'outputFormat must be application/x-json-stream (or text/csv)');
  }
  // The same parameters and parsing as the streaming export: one ground truth for both.
  const query = new URLSearchParams();
  for (const key of ['dataTypeName', 'startDateTime', 'endDateTime'] as const) {
    if (typeof body[key] === 'string') query.set(key, body[key]);
  }
  const { stream, range } = exportRequest(query);
  const lines = ctx.store.visibleLines(stream, range, ctx.clock());
  const truncate = fault !== null && FAULTS[fault].effect === 'truncate';
  sendJson(res, 200, { jobId: ctx.jobs.start(stream, range, lines, truncate) });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // Answered below, as Iterable answers a body it cannot read.
  }
  throw new BadRequest(400, 'BadJsonBody', 'the body must be a JSON object');
}
