/**
 * Spaces request starts at least `intervalMs` apart, for endpoints with a per-minute limit that
 * a retry with backoff should not have to discover by hitting 429s. Each caller reserves its slot
 * synchronously, so concurrent callers queue up instead of starting together.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface Pacer {
  /** Resolves when the next request may start. */
  wait(signal?: AbortSignal): Promise<void>;
}

export interface PacerClock {
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const REAL_CLOCK: PacerClock = {
  now: Date.now,
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
};

export class IntervalPacer implements Pacer {
  #next = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: PacerClock = REAL_CLOCK,
  ) {}

  async wait(signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.intervalMs;
    if (at > now) await this.clock.sleep(at - now, signal);
  }
}

/** Lets every request through at once: for tests against a local server. */
export const NO_PACING: Pacer = { wait: async () => {} };
