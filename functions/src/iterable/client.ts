/**
 * Iterable's REST API as the pipeline's `IterableSource`: event exports streamed line by line
 * with constant memory, dimensions read page by page.
 *
 * Only opening a request is retried (429, 5xx, no answer). Once lines have gone downstream a
 * failure cannot be retried here: a body that ends early or a reset connection fails the whole
 * window (`IterableTruncatedError`), and the worker's replace of the window rolls back.
 */
import type { DimensionSource, ExportSource } from '../catalog.js';
import type { ForgottenSource, IterableSource } from '../ports.js';
import type { Interval } from '../time.js';
import {
  errorForStatus,
  IterableError,
  IterableRefusedError,
  IterableTimeoutError,
  IterableTruncatedError,
  IterableUnreachableError,
  type RequestContext,
} from './errors.js';
import { DIMENSION_MAX_PAGE_SIZE } from './limits.js';
import { ndjsonBatches } from './ndjson.js';
import { DEFAULT_RETRY, type RetryHooks, type RetryOptions, withRetry } from './retry.js';
import { formatExportTimestamp } from './timestamps.js';

export interface IterableClientOptions {
  /** Scheme and host only (`https://api.iterable.com`); the client appends `/api/…`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly retry?: Partial<RetryOptions>;
  /**
   * Longest silence tolerated, before the first byte or between chunks. Iterable may think for a
   * while before a large export starts streaming, hence minutes rather than seconds.
   */
  readonly idleTimeoutMs?: number;
  /** Logs each retry; see `RetryHooks`. */
  readonly onRetry?: RetryHooks['onRetry'];
}

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

/**
 * Causes that mean nothing answers at that address at all, as opposed to a connection that broke:
 * a wrong host, port or region. Socket errors by Node's `error.code` (libuv names), and undici's
 * "bad port" for a port fetch refuses to dial (fetch.spec.whatwg.org, "bad port").
 */
const REFUSED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'bad port']);

export interface RequestOptions {
  /** `Accept` header; JSON unless the endpoint answers otherwise (the metrics CSV). */
  readonly accept?: string;
  /** Runs before every attempt, retries included: pacing for endpoints with their own rate limit. */
  readonly beforeAttempt?: () => Promise<void>;
  /** GET unless said: the export-jobs endpoints start with a POST and cancel with a DELETE. */
  readonly method?: 'GET' | 'POST' | 'DELETE';
  /** A JSON body, sent as `application/json`. */
  readonly json?: unknown;
}

export class IterableClient implements IterableSource, ForgottenSource {
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #retry: RetryOptions;
  readonly #idleTimeoutMs: number;
  readonly #onRetry: RetryHooks['onRetry'];

  constructor(options: IterableClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.#onRetry = options.onRetry;
  }

  async *exportLines(source: ExportSource, window: Interval, signal?: AbortSignal): AsyncIterable<string[]> {
    const query = new URLSearchParams({
      dataTypeName: source.dataTypeName,
      startDateTime: formatExportTimestamp(window.start),
      endDateTime: formatExportTimestamp(window.end),
    });
    const { response, body, context, idle } = await this.#open('/api/export/data.json', query, {}, signal);
    let lines = 0;
    try {
      for await (const batch of ndjsonBatches(watched(body, idle))) {
        lines += batch.length;
        yield batch;
      }
    } catch (error) {
      if (error instanceof IterableError) throw error;
      throw new IterableTruncatedError(
        `the export ${context.request} from ${context.baseUrl} ended early after ${lines} lines ` +
          `(${describeCause(error)}); the window is retried whole`,
        { status: response.status, code: null, retryable: true },
        { cause: error },
      );
    } finally {
      idle.stop();
    }
  }

  async *dimensionLines(source: DimensionSource, signal?: AbortSignal): AsyncIterable<string[]> {
    for (let page = 1; ; page++) {
      const query = new URLSearchParams(
        source.paged ? { page: String(page), pageSize: String(DIMENSION_MAX_PAGE_SIZE) } : {},
      );
      const records = await this.#readList(source, query, signal);
      if (records.length > 0) yield records.map((r) => JSON.stringify(r));
      // Unpaged endpoints answer whole; paged ones end with a short page.
      if (!source.paged || records.length < DIMENSION_MAX_PAGE_SIZE) return;
    }
  }

  /**
   * The users the project has forgotten, as SHA-256 hex of the lower-cased, trimmed email
   * (`{hashedEmails: [...]}`) or user id (`{hashedUserIds: [...]}`); 3 requests/s, far above the
   * one request a run makes (swagger: GET /api/users/forgotten, /api/users/forgottenUserIds).
   */
  forgottenEmailHashes(signal?: AbortSignal): Promise<string[]> {
    return this.#readStrings('/api/users/forgotten', 'hashedEmails', signal);
  }

  forgottenUserIdHashes(signal?: AbortSignal): Promise<string[]> {
    return this.#readStrings('/api/users/forgottenUserIds', 'hashedUserIds', signal);
  }

  async #readStrings(path: string, key: string, signal?: AbortSignal): Promise<string[]> {
    const { text, context } = await this.getText(path, new URLSearchParams(), {}, signal);
    const list = (parseJson(text) as Record<string, unknown> | null)?.[key];
    if (!Array.isArray(list) || list.some((h) => typeof h !== 'string')) {
      throw new IterableError(`${context.request} from ${context.baseUrl} has no "${key}" list of strings`, {
        status: 200,
        code: null,
        retryable: true,
      });
    }
    return list as string[];
  }

  async #readList(source: DimensionSource, query: URLSearchParams, signal?: AbortSignal): Promise<unknown[]> {
    const { text, context } = await this.getText(source.path, query, {}, signal);
    const list = (parseJson(text) as Record<string, unknown> | null)?.[source.listKey];
    if (!Array.isArray(list)) {
      throw new IterableError(`${context.request} from ${context.baseUrl} has no "${source.listKey}" list`, {
        status: 200,
        code: null,
        retryable: true,
      });
    }
    return list;
  }

  /**
   * One request (a GET unless `options.method` says) read whole as text, with the same retries, idle timeout and errors as every other
   * request: the dimension lists, and the campaign metrics CSV.
   */
  async getText(
    path: string,
    query: URLSearchParams,
    options: RequestOptions = {},
    signal?: AbortSignal,
  ): Promise<{ text: string; context: RequestContext }> {
    const { response, context, idle } = await this.#open(path, query, options, signal);
    try {
      return { text: await response.text(), context };
    } catch (error) {
      throw new IterableTruncatedError(
        `${context.request} from ${context.baseUrl} ended early (${describeCause(error)})`,
        { status: response.status, code: null, retryable: true },
        { cause: error },
      );
    } finally {
      idle.stop();
    }
  }

  /** Sends one request and returns once a 2xx status arrived, retrying what a retry can fix. */
  async #open(path: string, query: URLSearchParams, options: RequestOptions, signal?: AbortSignal) {
    const search = query.size > 0 ? `?${query}` : '';
    const method = options.method ?? 'GET';
    const context: RequestContext = { baseUrl: this.baseUrl, request: `${method} ${path}${search}` };
    const json: Record<string, string> =
      options.json === undefined ? {} : { 'Content-Type': 'application/json' };
    const hooks: RetryHooks = { onRetry: this.#onRetry, ...(signal ? { signal } : {}) };
    return withRetry(
      async () => {
        await options.beforeAttempt?.();
        const idle = new IdleTimer(this.#idleTimeoutMs, context);
        const signals = signal ? [signal, idle.signal] : [idle.signal];
        try {
          const response = await fetch(`${this.baseUrl}${path}${search}`, {
            method,
            headers: { 'Api-Key': this.#apiKey, Accept: options.accept ?? 'application/json', ...json },
            ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
            signal: AbortSignal.any(signals),
          });
          if (response.ok && response.body) return { response, body: response.body, context, idle };
          const body = (await response.text()).replaceAll(this.#apiKey, '[redacted]');
          throw errorForStatus(response.status, body, response.headers.get('retry-after'), context);
        } catch (error) {
          idle.stop();
          if (error instanceof IterableError) throw error;
          if (idle.signal.aborted) throw idle.signal.reason;
          if (signal?.aborted) throw signal.reason;
          const cause = describeCause(error);
          const Unreachable = REFUSED_CODES.has(cause) ? IterableRefusedError : IterableUnreachableError;
          throw new Unreachable(
            `cannot reach Iterable at ${this.baseUrl} for ${context.request} (${cause}); ` +
              'check the network, and ITERABLE_REGION or ITERABLE_BASE_URL',
            { status: null, code: null, retryable: true },
            { cause: error },
          );
        }
      },
      this.#retry,
      hooks,
    );
  }
}

/** Aborts a request when nothing arrived for `ms`; every chunk that arrives resets it. */
class IdleTimer {
  readonly #controller = new AbortController();
  readonly #ms: number;
  readonly #context: RequestContext;
  #timer: NodeJS.Timeout;

  constructor(ms: number, context: RequestContext) {
    this.#ms = ms;
    this.#context = context;
    this.#timer = this.#arm();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  touch(): void {
    clearTimeout(this.#timer);
    this.#timer = this.#arm();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #arm(): NodeJS.Timeout {
    return setTimeout(() => {
      const { baseUrl, request } = this.#context;
      this.#controller.abort(
        new IterableTimeoutError(
          `Iterable at ${baseUrl} sent nothing for ${this.#ms / 1000} s on ${request}`,
          {
            status: null,
            code: null,
            retryable: true,
          },
        ),
      );
    }, this.#ms);
  }
}

async function* watched(body: AsyncIterable<Uint8Array>, idle: IdleTimer): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of body) {
      idle.touch();
      yield chunk;
    }
  } catch (error) {
    throw idle.signal.aborted ? idle.signal.reason : error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** `fetch` hides the socket error in `cause`; that is the part worth showing. */
function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause?.code ?? cause?.message ?? message;
}
