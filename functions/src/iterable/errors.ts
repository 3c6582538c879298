/**
 * Everything that can go wrong talking to Iterable, as one base error with subclasses built from
 * a status → class table. Each says whether a retry can help and, for 429, how long to wait.
 * Messages state what happened and how to fix it; they never contain the API key.
 */

import {
  CAMPAIGN_METRICS_REQUESTS_PER_MINUTE,
  EXPORT_JOB_REQUESTS_PER_SECOND,
  ITERABLE_EXPORTS_PER_MINUTE,
} from './limits.js';

export interface IterableErrorDetails {
  /** HTTP status Iterable answered with; `null` when no answer arrived. */
  readonly status: number | null;
  /** Iterable's error code from the body (`BadApiKey`, `RateLimitExceeded`, …) when it sent one. */
  readonly code: string | null;
  readonly retryable: boolean;
  /** From a `Retry-After` header, when Iterable sent one. */
  readonly retryAfterMs?: number | null;
}

export class IterableError extends Error {
  readonly status: number | null;
  readonly code: string | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;

  constructor(message: string, details: IterableErrorDetails, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.status = details.status;
    this.code = details.code;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs ?? null;
  }
}

/** 401/403: the key is wrong, revoked, lacks export permission, or belongs to the other region. */
export class IterableAuthError extends IterableError {}
/** 400/404/414: Iterable refuses the request itself; repeating it cannot help. */
export class IterableRequestError extends IterableError {}
/** 429: over the endpoint's limit (`limitOf`); retry after `retryAfterMs` or a backoff. */
export class IterableRateLimitError extends IterableError {}
/** 5xx: Iterable's sporadic `GenericError`; usually gone on the next attempt. */
export class IterableServerError extends IterableError {}
/** The body ended early or the connection reset mid-stream: the window failed as a whole. */
export class IterableTruncatedError extends IterableError {}
/** No answer at all: DNS, refused or reset connection before a status arrived. */
export class IterableUnreachableError extends IterableError {}
/**
 * Nothing listens at the address (`ECONNREFUSED`) or the name does not resolve (`ENOTFOUND`):
 * usually a wrong base URL or region, so it gets only a short retry budget (`RetryOptions`).
 */
export class IterableRefusedError extends IterableUnreachableError {}
/** Iterable went quiet for longer than the client's idle timeout. */
export class IterableTimeoutError extends IterableError {}

/** What the caller was doing, for messages: the request (no key in it) and where it went. */
export interface RequestContext {
  readonly baseUrl: string;
  /** `GET /api/export/data.json?dataTypeName=emailSend&…`: path and query only. */
  readonly request: string;
}

interface ErrorBody {
  readonly code: string | null;
  readonly msg: string | null;
}

type StatusRule = {
  readonly matches: (status: number) => boolean;
  readonly build: (
    status: number,
    body: ErrorBody,
    context: RequestContext,
    retryAfterMs: number | null,
  ) => IterableError;
};

const said = (body: ErrorBody): string => (body.msg ? `: ${body.msg}` : '');
const codeOf = (status: number, body: ErrorBody): string => `${status}${body.code ? ` ${body.code}` : ''}`;

/**
 * The limit a 429 ran into, named by the endpoint the request went to (limits.ts): the export jobs'
 * endpoints allow 1 request a second per organization each (swagger: startExport, getExportFiles),
 * the campaign totals 10 a minute, the streaming export 4 a minute per project.
 */
const ENDPOINT_LIMITS: readonly { readonly path: RegExp; readonly limit: string }[] = [
  {
    path: /^\S+ \/api\/export\/(start|\d+\/files)\b/,
    limit:
      `export jobs' starts and file listings are each limited to ${EXPORT_JOB_REQUESTS_PER_SECOND} request a second ` +
      'per organization, shared by every client of the organization',
  },
  {
    path: /^\S+ \/api\/campaigns\/metrics\b/,
    limit: `campaign metrics are limited to ${CAMPAIGN_METRICS_REQUESTS_PER_MINUTE} requests a minute`,
  },
];

const limitOf = (request: string): string =>
  ENDPOINT_LIMITS.find((e) => e.path.test(request))?.limit ??
  `exports are limited to ${ITERABLE_EXPORTS_PER_MINUTE} per minute per project, shared by every data type and every client of the project`;

/** Status → error class. The first rule that matches wins; anything unlisted is not retried. */
const STATUS_RULES: readonly StatusRule[] = [
  {
    matches: (s) => s === 401 || s === 403,
    build: (status, body, { baseUrl, request }) =>
      new IterableAuthError(
        `Iterable at ${baseUrl} refused the API key (${codeOf(status, body)}) for ${request}. ` +
          'A key only works in its own data centre and event exports need a server-side key: check ' +
          'ITERABLE_API_KEY, and ITERABLE_REGION (US or EU) or ITERABLE_BASE_URL.',
        { status, code: body.code, retryable: false },
      ),
  },
  {
    matches: (s) => s === 429,
    build: (status, body, { baseUrl, request }, retryAfterMs) =>
      new IterableRateLimitError(
        `Iterable at ${baseUrl} rate-limited ${request} (${codeOf(status, body)}); ${limitOf(request)}.`,
        { status, code: body.code, retryable: true, retryAfterMs },
      ),
  },
  {
    matches: (s) => s >= 500,
    build: (status, body, { baseUrl, request }) =>
      new IterableServerError(
        `Iterable at ${baseUrl} failed ${request} (${codeOf(status, body)}${said(body)})`,
        {
          status,
          code: body.code,
          retryable: true,
        },
      ),
  },
  {
    matches: (s) => s === 404,
    build: (status, body, { baseUrl, request }) =>
      new IterableRequestError(
        `${baseUrl} has no ${request} (${codeOf(status, body)}); ITERABLE_BASE_URL must be the ` +
          'scheme and host of an Iterable-compatible API only, e.g. https://api.iterable.com',
        { status, code: body.code, retryable: false },
      ),
  },
  {
    matches: () => true,
    build: (status, body, { baseUrl, request }) =>
      new IterableRequestError(
        `Iterable at ${baseUrl} rejected ${request} (${codeOf(status, body)}${said(body)})`,
        {
          status,
          code: body.code,
          retryable: false,
        },
      ),
  },
];

/** Builds the error for a non-2xx answer from its status, body text and `Retry-After` header. */
export function errorForStatus(
  status: number,
  bodyText: string,
  retryAfter: string | null,
  context: RequestContext,
  now = Date.now(),
): IterableError {
  const body = parseErrorBody(bodyText);
  const rule = STATUS_RULES.find((r) => r.matches(status)) as StatusRule;
  return rule.build(status, body, context, parseRetryAfter(retryAfter, now));
}

function parseErrorBody(text: string): ErrorBody {
  try {
    const value = JSON.parse(text) as { code?: unknown; msg?: unknown };
    return {
      code: typeof value.code === 'string' ? value.code : null,
      msg: typeof value.msg === 'string' ? value.msg.slice(0, 300) : null,
    };
  } catch {
    return { code: null, msg: null };
  }
}

/**
 * `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3); a date in the past
 * means "now". Anything unreadable is ignored and the caller backs off on its own.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
