/**
 * Iterable's export limit as Iterable enforces it: at most `perMinute` requests in any sliding
 * minute per project, shared by all data types; the rest get 429 (shared/iterable-api.md).
 */
import { MINUTE } from '../functions/src/time.js';

export class SlidingWindowLimit {
  readonly #perMinute: number;
  readonly #now: () => number;
  readonly #accepted: number[] = [];
  readonly #windowMs: number;

  /** `windowMs` other than a minute serves limits per second (the export-jobs endpoints). */
  constructor(perMinute: number, now: () => number = Date.now, windowMs = MINUTE) {
    if (!(perMinute > 0))
      throw new Error(`a rate limit needs a positive number of requests per minute, got ${perMinute}`);
    this.#perMinute = perMinute;
    this.#now = now;
    this.#windowMs = windowMs;
  }

  /** Takes a slot and returns 0, or returns how many milliseconds until one frees up. */
  take(): number {
    const now = this.#now();
    while (this.#accepted.length > 0 && (this.#accepted[0] as number) <= now - this.#windowMs)
      this.#accepted.shift();
    if (this.#accepted.length < this.#perMinute) {
      this.#accepted.push(now);
      return 0;
    }
    return (this.#accepted[0] as number) + this.#windowMs - now;
  }
}
