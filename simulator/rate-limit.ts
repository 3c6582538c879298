/**
 * Iterable's export limit as Iterable enforces it: at most `perMinute` requests in any sliding
 * minute per project, shared by all data types; the rest get 429 (shared/iterable-api.md).
 */
import { MINUTE } from '../functions/src/time.js';

export class SlidingWindowLimit {
  readonly #perMinute: number;
  readonly #now: () => number;
  readonly #accepted: number[] = [];

  constructor(perMinute: number, now: () => number = Date.now) {
    if (!(perMinute > 0))
      throw new Error(`a rate limit needs a positive number of requests per minute, got ${perMinute}`);
    this.#perMinute = perMinute;
    this.#now = now;
  }

  /** Takes a slot and returns 0, or returns how many milliseconds until one frees up. */
  take(): number {
    const now = this.#now();
    while (this.#accepted.length > 0 && (this.#accepted[0] as number) <= now - MINUTE) this.#accepted.shift();
    if (this.#accepted.length < this.#perMinute) {
      this.#accepted.push(now);
      return 0;
    }
    return (this.#accepted[0] as number) + MINUTE - now;
  }
}
