/**
 * Faults the simulator can inject, as a table: each kind says what it does to one request, so a
 * new kind is one row. Which requests fail is drawn from the seeded generator (rates) or forced
 * for the next n requests (`failNext`), and every injection is counted for the tests' figures.
 */
import type { Random } from './random.js';

interface Answer {
  /** Answers at once with this status and Iterable's error body instead of the data. */
  readonly effect: 'answer';
  readonly status: number;
  readonly body: { readonly msg: string; readonly code: string; readonly params: null };
  /** Seconds for `Retry-After`, or `null` to send none (Iterable does not document the header). */
  readonly retryAfter: (random: Random) => number | null;
}

interface CutOff {
  /** Streams part of the body, then resets the connection: the export "ends early". */
  readonly effect: 'cutOff';
}

export const FAULTS = {
  rateLimitBurst: {
    effect: 'answer',
    status: 429,
    body: { msg: 'Rate limit exceeded', code: 'RateLimitExceeded', params: null },
    retryAfter: (random) => (random.chance(0.5) ? 1 : null),
  },
  serverError: {
    effect: 'answer',
    status: 500,
    body: { msg: 'An unexpected error occurred', code: 'GenericError', params: null },
    retryAfter: () => null,
  },
  cutOff: { effect: 'cutOff' },
} as const satisfies Record<string, Answer | CutOff>;

export type FaultKind = keyof typeof FAULTS;
export type FaultRates = Record<FaultKind, number>;
export const FAULT_KINDS = Object.keys(FAULTS) as FaultKind[];

const none = (): Record<FaultKind, number> =>
  Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

export class FaultInjector {
  /** Faults injected so far, by kind. */
  readonly counts = none();
  readonly #rates = none();
  readonly #forced = none();
  readonly #random: Random;

  constructor(random: Random) {
    this.#random = random;
  }

  /** Chance per request of each kind, from 0 to 1; kinds not named keep their rate. */
  set(rates: Partial<FaultRates>): void {
    for (const [kind, rate] of Object.entries(rates) as [FaultKind, number][]) {
      if (!(rate >= 0 && rate <= 1))
        throw new Error(`fault rate for ${kind} must be within [0, 1], got ${rate}`);
      this.#rates[kind] = rate;
    }
  }

  /** The next `n` requests fail with `kind` (before any drawn fault); `n = 0` cancels. */
  failNext(kind: FaultKind, n: number): void {
    this.#forced[kind] = n;
  }

  /** The fault for the request being answered, if any. */
  draw(): FaultKind | null {
    const forced = FAULT_KINDS.find((k) => this.#forced[k] > 0);
    const kind = forced ?? FAULT_KINDS.find((k) => this.#rates[k] > 0 && this.#random.chance(this.#rates[k]));
    if (kind === undefined) return null;
    if (forced) this.#forced[forced]--;
    this.counts[kind]++;
    return kind;
  }
}
