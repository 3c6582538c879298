/**
 * The Iterable simulator: an HTTP server speaking the parts of Iterable's API the pipeline reads
 * (exports, dimensions, campaign metrics), over a seeded data set it can report exactly (ground
 * truth), with Iterable's export limit and injectable faults. It listens on loopback only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STREAMS, type StreamName } from '../functions/src/catalog.js';
import {
  CAMPAIGN_METRICS_REQUESTS_PER_MINUTE,
  ITERABLE_EXPORTS_PER_MINUTE,
} from '../functions/src/iterable/limits.js';
import { type ExportJobOptions, ExportJobs } from './export-jobs.js';
import { FAULTS, FaultInjector, type FaultKind } from './faults.js';
import { type DatasetOptions, generateDataset } from './generate.js';
import {
  DOWNLOAD_PATH,
  handleDownload,
  handleJobRequest,
  isJobPath,
  type JobRouteContext,
  type JobsAccess,
} from './job-routes.js';
import { Random, seedOf } from './random.js';
import { SlidingWindowLimit } from './rate-limit.js';
import {
  BadRequest,
  dimensionBody,
  exportRequest,
  metricsCsv,
  type Spoil,
  sendJson,
  streamExport,
} from './routes.js';
import type { Range } from './store.js';

export interface SimulatorOptions extends DatasetOptions {
  /** The key requests must carry in `Api-Key`; anything else gets Iterable's 401. */
  readonly apiKey: string;
  /** Export requests allowed per sliding minute; Iterable's is 4. Tests and the demo raise it. */
  readonly exportsPerMinute?: number;
  /** `/api/campaigns/metrics` requests per minute; Iterable's is 10. */
  readonly metricsPerMinute?: number;
  readonly host?: string;
  readonly port?: number;
  /** The simulator's clock: records delayed by `late` are exported once it passes their time. */
  readonly clock?: () => number;
  /** A share of the records shows up in exports only up to `maxDelayMs` after its `createdAt`. */
  readonly late?: { readonly share: number; readonly maxDelayMs: number };
  /** How long a `stall` fault holds the body; make it longer than the client's idle timeout. */
  readonly stallMs?: number;
  /**
   * A user-id based project: its forgotten users are listed by user id only, and the email list
   * answers an error (shared/iterable-api.md, "Forgotten users"). A hybrid project, with both
   * lists, when absent.
   */
  readonly userIdBased?: boolean;
  /** Export jobs: file and export size caps, page size, link lifetime, running time, clock. */
  readonly exportJobs?: Partial<ExportJobOptions>;
  /** `allowed`, or the status every jobs endpoint answers: a key or plan without export jobs. */
  readonly jobsAccess?: JobsAccess;
  /** Starts, and file listings, allowed per second each; Iterable's is 1 per organization. */
  readonly jobRequestsPerSecond?: number;
}

export interface SimulatorStats {
  /** Export requests answered with data. */
  exports: number;
  /** Requests refused by the export or metrics rate limit itself. */
  rateLimited: number;
  /** Records that show up in exports only some time after their `createdAt`. */
  readonly delayed: number;
  /** Export jobs started. */
  readonly jobs: () => number;
  readonly faults: Record<FaultKind, number>;
}

export interface Simulator {
  /** Scheme, host and port, no trailing slash: what `ITERABLE_BASE_URL` takes. */
  readonly url: string;
  readonly truth: {
    /** The exact lines served for a stream's records with `createdAt` in `[start, end)`. */
    lines(stream: StreamName, range: Range): string[];
    /** A dimension's records as served (each `JSON.stringify`s to the line the pipeline stores). */
    dimension(stream: StreamName): readonly object[];
    /** How many records an export stream holds in all. */
    count(stream: StreamName): number;
    /** The hashes `GET /api/users/forgotten` (email) or `/api/users/forgottenUserIds` lists. */
    forgotten(kind: 'email' | 'user_id'): string[];
  };
  readonly faults: Pick<FaultInjector, 'set' | 'failNext' | 'clear'>;
  readonly stats: SimulatorStats;
  /**
   * Forgets users (by email or user id) as Iterable does on a GDPR/CCPA request: their records
   * leave the exports (unless `stillExported`) and their hashes join the forgotten lists.
   * Returns how many records were removed.
   */
  forgetUsers(identifiers: readonly string[], options?: { stillExported?: boolean }): number;
  /** Adds a record, served from now on, as an exact line (placed by its `createdAt`, or `at`). */
  addRecord(stream: StreamName, line: string, at?: number): void;
  close(): Promise<void>;
}

/** A hybrid project (emails and user ids) answers both lists; a user-id based one the second only. */
const FORGOTTEN_LISTS = new Map<string, 'email' | 'user_id'>([
  ['/api/users/forgotten', 'email'],
  ['/api/users/forgottenUserIds', 'user_id'],
]);

const INVALID_KEY = { msg: 'Invalid API key', code: 'BadApiKey', params: null };

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const store = generateDataset(options);
  const clock = options.clock ?? Date.now;
  const delayed = options.late
    ? store.delay(new Random(seedOf('late', options.seed)), options.late.share, options.late.maxDelayMs)
    : 0;
  const random = new Random(seedOf('faults', options.seed));
  const faults = new FaultInjector(random);
  const exportLimit = new SlidingWindowLimit(options.exportsPerMinute ?? ITERABLE_EXPORTS_PER_MINUTE);
  const metricsLimit = new SlidingWindowLimit(
    options.metricsPerMinute ?? CAMPAIGN_METRICS_REQUESTS_PER_MINUTE,
  );
  const jobs = new ExportJobs(options.exportJobs);
  const stats: SimulatorStats = {
    exports: 0,
    rateLimited: 0,
    delayed,
    faults: faults.counts,
    jobs: () => jobs.started,
  };
  const dimensions = new Map(
    STREAMS.flatMap((s) =>
      s.source.kind === 'dimension' ? [[s.source.path, { stream: s.name, ...s.source }] as const] : [],
    ),
  );

  const limited = (res: ServerResponse, limit: SlidingWindowLimit): boolean => {
    const waitMs = limit.take();
    if (waitMs === 0) return false;
    stats.rateLimited++;
    sendJson(
      res,
      429,
      { msg: 'Rate limit exceeded', code: 'RateLimitExceeded', params: null },
      {
        'retry-after': String(Math.ceil(waitMs / 1000)),
      },
    );
    return true;
  };

  const answerFault = (res: ServerResponse, fault: FaultKind | null): boolean => {
    if (fault === null) return false;
    const effect = FAULTS[fault];
    if (effect.effect !== 'answer') return false;
    const retryAfter = effect.retryAfter(random);
    sendJson(
      res,
      effect.status,
      effect.body,
      retryAfter === null ? {} : { 'retry-after': String(retryAfter) },
    );
    return true;
  };
  const perSecond = options.jobRequestsPerSecond ?? 1;
  let baseUrl = '';
  const jobRoutes: JobRouteContext = {
    jobs,
    store,
    clock,
    faults,
    access: options.jobsAccess ?? 'allowed',
    startLimit: new SlidingWindowLimit(perSecond, Date.now, 1000),
    filesLimit: new SlidingWindowLimit(perSecond, Date.now, 1000),
    baseUrl: () => baseUrl,
    limited,
    answerFault,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname.startsWith(`${DOWNLOAD_PATH}/`)) return handleDownload(jobRoutes, url, res);
    if (req.headers['api-key'] !== options.apiKey) return sendJson(res, 401, INVALID_KEY);
    if (isJobPath(url.pathname)) return handleJobRequest(jobRoutes, req, url, res);
    const isExport = url.pathname === '/api/export/data.json';
    const isMetrics = url.pathname === '/api/campaigns/metrics';
    const forgottenKind = FORGOTTEN_LISTS.get(url.pathname);
    const dimension = dimensions.get(url.pathname);
    if (req.method !== 'GET' || !(isExport || isMetrics || dimension || forgottenKind)) {
      return sendJson(res, 404, {
        msg: `No route for ${req.method} ${url.pathname}`,
        code: 'NotFound',
        params: null,
      });
    }
    const request = isExport ? exportRequest(url.searchParams) : null;
    // Dimension endpoints allow 100 requests/s: more than a client paging one page at a time reaches.
    const limit = isExport ? exportLimit : isMetrics ? metricsLimit : null;
    if (limit && limited(res, limit)) return;
    const route = isExport ? 'export' : isMetrics ? 'metrics' : forgottenKind ? 'forgotten' : 'dimension';
    const fault = faults.draw(`${url.pathname}${url.search}`, route);
    if (answerFault(res, fault)) return;
    if (request) {
      stats.exports++;
      const lines = store.visibleLines(request.stream, request.range, clock());
      const spoil =
        fault === null || FAULTS[fault].effect === 'answer' ? null : (FAULTS[fault].effect as Spoil);
      return streamExport(
        res,
        lines,
        request.range,
        seedOf(url.search, options.seed),
        spoil,
        options.stallMs ?? 5000,
      );
    }
    if (forgottenKind === 'email' && options.userIdBased) {
      return sendJson(res, 400, {
        msg: 'Forgotten emails are not listed in a user-id based project',
        code: 'BadParams',
        params: null,
      });
    }
    if (forgottenKind) {
      const key = forgottenKind === 'email' ? 'hashedEmails' : 'hashedUserIds';
      return sendJson(res, 200, { [key]: store.forgotten(forgottenKind) });
    }
    if (isMetrics) {
      const csv = metricsCsv(store, url.searchParams);
      return void res.writeHead(200, { 'content-type': 'text/csv' }).end(csv);
    }
    if (dimension) {
      const body = dimensionBody(
        store.dimension(dimension.stream),
        dimension.listKey,
        dimension.paged,
        url.searchParams,
        url.pathname,
      );
      if (fault === 'cutOff')
        return void res.writeHead(200).end(JSON.stringify(body).slice(0, 40), () => res.destroy());
      return sendJson(res, 200, body);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof BadRequest)
        return sendJson(res, error.status, { msg: error.message, code: error.code, params: null });
      if (!res.headersSent) sendJson(res, 500, { msg: String(error), code: 'GenericError', params: null });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  return {
    url: baseUrl,
    truth: {
      lines: (stream, range) => store.lines(stream, range),
      dimension: (stream) => store.dimension(stream),
      count: (stream) => store.count(stream),
      forgotten: (kind) => store.forgotten(kind),
    },
    forgetUsers: (identifiers, forgetOptions) => store.forget(identifiers, forgetOptions),
    faults,
    stats,
    addRecord: (stream, line, at) => store.add(stream, line, at),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
