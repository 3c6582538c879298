/**
 * Faults the simulator can inject, as a table: each kind says what it does to one request, so a
 * new kind is one row. Which requests fail is drawn from the seeded generator (rates) or forced
 * for the next n requests (`failNext`), and every injection is counted for the figures.
 */
import type { Random } from './random.js';

/** The kinds of request a fault can hit; each fault names those it applies to. */
export type Route = 'export' | 'dimension' | 'metrics' | 'forgotten' | 'jobStart' | 'jobFiles' | 'download';

const API: readonly Route[] = ['export', 'dimension', 'metrics', 'forgotten'];
/** Answers that also hit the export-jobs endpoints: the client retries them like any request. */
const API_AND_JOBS: readonly Route[] = [...API, 'jobStart', 'jobFiles'];

interface Answer {
  /** Answers at once with this status and Iterable's error body instead of the data. */
  readonly effect: 'answer';
  readonly status: number;
  readonly body: { readonly msg: string; readonly code: string; readonly params: null };
  /** Seconds for `Retry-After`, or `null` to send none (Iterable does not document the header). */
  readonly retryAfter: (random: Random) => number | null;
  /** Further requests for the same URL that fail the same way: an outage of one window. */
  readonly repeats?: number;
  readonly on: readonly Route[];
}

/** Spoils the body of a 200 answer (exports; a dimension's body is simply cut). */
interface Spoil {
  readonly effect: 'cutOff' | 'stall' | 'malformed' | 'invalidRecord';
  readonly on: readonly Route[];
}

/**
 * Does something to an export job: a start whose job ends truncated, a poll that finds its job
 * restarted (Running → Enqueued) or failed, a download whose link has expired.
 */
interface JobFault {
  readonly effect: 'truncate' | 'restart' | 'fail' | 'expire';
  readonly on: readonly Route[];
}

const error = (code: string, msg: string) => ({ msg, code, params: null });

export const FAULTS = {
  /** Over the export limit; half the answers say when to come back. */
  rateLimitBurst: {
    effect: 'answer',
    status: 429,
    body: error('RateLimitExceeded', 'Rate limit exceeded'),
    retryAfter: (random) => (random.chance(0.5) ? 1 : null),
    on: API_AND_JOBS,
  },
  /** Iterable's sporadic GenericError. */
  serverError: {
    effect: 'answer',
    status: 500,
    body: error('GenericError', 'An unexpected error occurred'),
    retryAfter: () => null,
    on: API_AND_JOBS,
  },
  /** A GenericError that persists for one window: its next requests fail too (observed). */
  windowOutage: {
    effect: 'answer',
    status: 500,
    body: error('GenericError', 'An unexpected error occurred'),
    retryAfter: () => null,
    repeats: 8,
    on: API_AND_JOBS,
  },
  /** The key stops working for a while (revoked, then replaced by an administrator). */
  revokedKey: {
    effect: 'answer',
    status: 401,
    body: error('BadApiKey', 'Invalid API key'),
    retryAfter: () => null,
    // Not on the jobs endpoints: a 401 there reads as a key without access to export jobs, and
    // the client falls back to streaming exports for good (the `jobsAccess` option plays that).
    on: API,
  },
  /** The body ends early: the connection resets after about half the records. */
  cutOff: { effect: 'cutOff', on: API },
  /** The body stops mid-stream for longer than a client should wait. */
  stall: { effect: 'stall', on: API },
  /** A line that is not JSON among the records. */
  malformed: { effect: 'malformed', on: API },
  /** A record with a wrongly typed field, or without `createdAt`. */
  invalidRecord: { effect: 'invalidRecord', on: API },
  /** The started job hits the 100 GB cap: it completes with `exportTruncated` and half its files. */
  exportTruncated: { effect: 'truncate', on: ['jobStart'] },
  /** The polled job had to restart: Running → Enqueued, progress kept (swagger, getExportFiles). */
  jobRestart: { effect: 'restart', on: ['jobFiles'] },
  /** The polled job failed; Iterable's failed jobs usually succeed when started again (observed). */
  jobFailed: { effect: 'fail', on: ['jobFiles'] },
  /** The pre-signed download link has expired (S3 answers 403 AccessDenied). */
  expiredLink: { effect: 'expire', on: ['download'] },
} as const satisfies Record<string, Answer | Spoil | JobFault>;

export type FaultKind = keyof typeof FAULTS;
export type FaultRates = Record<FaultKind, number>;
export const FAULT_KINDS = Object.keys(FAULTS) as FaultKind[];

const none = (): Record<FaultKind, number> =>
  Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

export class FaultInjector {
  /** Faults injected so far, by kind (a repeated outage counts each failed request). */
  readonly counts = none();
  readonly #rates = none();
  readonly #forced = none();
  readonly #outages = new Map<string, { kind: FaultKind; left: number }>();
  readonly #random: Random;

  constructor(random: Random) {
    this.#random = random;
  }

  /** Chance per request of each kind, from 0 to 1; kinds not named keep their rate. */
  set(rates: Partial<FaultRates>): void {
    for (const [kind, rate] of Object.entries(rates) as [FaultKind, number][]) {
      if (!(kind in FAULTS))
        throw new Error(`unknown fault ${kind}; known faults are ${FAULT_KINDS.join(', ')}`);
      if (!(rate >= 0 && rate <= 1))
        throw new Error(`fault rate for ${kind} must be within [0, 1], got ${rate}`);
      this.#rates[kind] = rate;
    }
  }

  /** The next `n` requests fail with `kind` (before any drawn fault); `n = 0` cancels. */
  failNext(kind: FaultKind, n: number): void {
    this.#forced[kind] = n;
  }

  /** Turns every fault off: rates, forced faults and outages in progress. */
  clear(): void {
    for (const kind of FAULT_KINDS) {
      this.#rates[kind] = 0;
      this.#forced[kind] = 0;
    }
    this.#outages.clear();
  }

  /** The fault for a request to `url` (path and query) of the `route` kind, if any. */
  draw(url: string, route: Route): FaultKind | null {
    const outage = this.#outages.get(url);
    if (outage) {
      if (--outage.left <= 0) this.#outages.delete(url);
      this.counts[outage.kind]++;
      return outage.kind;
    }
    const applies = (k: FaultKind) => (FAULTS[k].on as readonly Route[]).includes(route);
    const forced = FAULT_KINDS.find((k) => this.#forced[k] > 0 && applies(k));
    const kind =
      forced ??
      FAULT_KINDS.find((k) => this.#rates[k] > 0 && applies(k) && this.#random.chance(this.#rates[k]));
    if (kind === undefined) return null;
    if (forced) this.#forced[forced]--;
    this.counts[kind]++;
    const fault: Answer | Spoil | JobFault = FAULTS[kind];
    if ('repeats' in fault && fault.repeats) this.#outages.set(url, { kind, left: fault.repeats });
    return kind;
  }
}
