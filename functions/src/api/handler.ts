/**
 * The API's HTTP handler, the same on GCP (registered with the Functions Framework) and on a
 * laptop (`npm run api`, a plain node:http server): authenticate, match a route, validate every
 * parameter, answer from the cache or the warehouse, as JSON or CSV with an ETag. Every error is
 * a problem detail; nothing a caller sent is logged.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { API_KEY_HEADER, type ApiAuth, authenticate } from './auth.js';
import { TtlCache } from './cache.js';
import { toCsv } from './csv.js';
import { type Format, negotiate } from './negotiate.js';
import { OPENAPI_PATH, openApiDocument } from './openapi.js';
import { ApiProblem, invalidParameters } from './problem.js';
import type { Answer, Route, RouteContext } from './route.js';
import { ROUTES } from './routes.js';

export interface ApiDeps extends RouteContext {
  readonly auth: ApiAuth;
  readonly now: () => number;
  readonly log: Logger;
}

export interface ApiSettings {
  /** How long an answer is served from memory (and `Cache-Control: max-age`). */
  readonly cacheSeconds: number;
  /** Answers kept per instance. */
  readonly cacheEntries: number;
}

interface Representation {
  readonly type: string;
  readonly body: string;
  readonly etag: string;
}

type Cached = Answer & { readonly representations: Partial<Record<Format, Representation>> };

const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
};

function represent(cached: Cached, format: Format): Representation {
  const made = cached.representations[format];
  if (made) return made;
  const body =
    format === 'json' ? JSON.stringify(cached.body) : toCsv(cached.table.columns, cached.table.rows);
  const representation = { type: CONTENT_TYPES[format], body, etag: etagOf(body) };
  cached.representations[format] = representation;
  return representation;
}

/** `If-None-Match`: a list of entity tags or `*`; weak tags compare by their opaque part (RFC 9110 §13.1.2). */
const matches = (header: string | undefined, etag: string) =>
  (header ?? '').split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });

const PATTERNS = ROUTES.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
}));

function match(pathname: string): { route: Route; params: Record<string, string> } {
  for (const { route, pattern } of PATTERNS) {
    const found = pattern.exec(pathname);
    if (found) {
      const params = Object.fromEntries(
        Object.entries(found.groups ?? {}).map(([k, v]) => [k, safeDecode(v, k)]),
      );
      return { route, params };
    }
  }
  throw new ApiProblem('not-found', `no route ${pathname}; the routes are listed in ${OPENAPI_PATH}`);
}

function safeDecode(text: string, parameter: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalidParameters([{ parameter, message: 'not valid percent-encoding' }]);
  }
}

/** Each parameter once: a repeated one is ambiguous (which value wins differs by framework). */
function singleValues(search: URLSearchParams): Record<string, string> {
  const values: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [name, value] of search) {
    if (Object.hasOwn(values, name)) repeated.push(name);
    values[name] = value;
  }
  if (repeated.length > 0) {
    throw invalidParameters(
      [...new Set(repeated)].map((parameter) => ({
        parameter,
        message: 'given more than once; give it once',
      })),
    );
  }
  return values;
}

export function apiHandler(deps: ApiDeps, settings: ApiSettings) {
  const cache = new TtlCache<Cached>(settings.cacheSeconds * 1000, settings.cacheEntries);
  const openApi = JSON.stringify(openApiDocument(ROUTES));
  const openApiRepresentation = { type: CONTENT_TYPES.json, body: openApi, etag: etagOf(openApi) };
  const cacheControl = `private, max-age=${settings.cacheSeconds}`;

  function send(req: IncomingMessage, res: ServerResponse, representation: Representation): void {
    res.setHeader('ETag', representation.etag);
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('Vary', `Accept, Authorization, ${API_KEY_HEADER}`);
    if (matches(req.headers['if-none-match'], representation.etag)) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', representation.type);
    res.end(req.method === 'HEAD' ? undefined : representation.body);
  }

  function fail(res: ServerResponse, problem: ApiProblem, instance: string): void {
    res.statusCode = problem.status;
    res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    if (problem.type === 'method-not-allowed') res.setHeader('Allow', 'GET, HEAD');
    if (problem.type === 'missing-credentials') res.setHeader('WWW-Authenticate', 'ApiKey');
    res.end(JSON.stringify(problem.body(instance)));
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://api.invalid');
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        throw new ApiProblem('method-not-allowed', `${req.method ?? 'this method'} is not allowed; use GET`);
      }
      authenticate(deps.auth, req.headers[API_KEY_HEADER]);
      if (url.pathname === OPENAPI_PATH) {
        send(req, res, openApiRepresentation);
        return;
      }
      const { route, params } = match(url.pathname);
      const now = deps.now();
      const prepared = route.prepare(singleValues(url.searchParams), params, now);
      const format = negotiate(prepared.format, req.headers.accept);
      let cached = cache.get(prepared.key, now);
      if (cached === undefined) {
        cached = { ...(await prepared.run(deps)), representations: {} };
        cache.set(prepared.key, cached, now);
      }
      send(req, res, represent(cached, format));
    } catch (error) {
      if (error instanceof ApiProblem) {
        fail(res, error, url.pathname);
        return;
      }
      deps.log({
        severity: 'ERROR',
        message: `api ${url.pathname} failed: ${error instanceof Error ? error.message : String(error)}`,
      });
      fail(
        res,
        new ApiProblem('query-failed', 'the answer could not be read; the function log says why'),
        url.pathname,
      );
    }
  };
}
