/**
 * Per-stream figures of one local run, counted from the queue's events as tasks finish: windows
 * planned, done and failed, rows and rejects loaded. The ledger cannot give them for long runs: it
 * forgets windows a retention period behind the watermark.
 */
import type { StreamName } from '../functions/src/catalog.js';
import type { FanoutResult } from '../functions/src/pipeline/fanout.js';
import type { QueueEvent } from './task-queue-options.js';

export interface StreamTally {
  readonly stream: StreamName;
  planned: number;
  done: number;
  failed: number;
  rows: number;
  rejects: number;
  /** Milliseconds from the run's start to the stream's last finished window. */
  elapsedMs: number;
  lastError: string | null;
}

/** The worker's answer to a task it completed (`pipeline/load-window.ts`). */
interface WorkerAnswer {
  readonly outcome?: string;
  readonly counts?: { readonly rows?: number; readonly rejects?: number };
}

export class RunTally {
  readonly #streams = new Map<StreamName, StreamTally>();
  readonly #startedAt: number;
  readonly #now: () => number;

  constructor(startedAt: number, now: () => number = Date.now) {
    this.#startedAt = startedAt;
    this.#now = now;
  }

  planned(plan: FanoutResult): void {
    for (const s of plan.streams) this.#of(s.stream).planned += s.windows;
  }

  /** Feeds one queue event; pass it as the queue's `onEvent`. */
  readonly record = (event: QueueEvent): void => {
    if (event.type !== 'succeeded' && event.type !== 'failed') return;
    const tally = this.#of(event.payload.stream);
    tally.elapsedMs = this.#now() - this.#startedAt;
    const answer = parse(event.body);
    // A task that can never succeed is answered 2xx so the queue stops; it still failed.
    if (event.type === 'failed' || answer.outcome === 'failed-permanently' || answer.outcome === 'rejected') {
      tally.failed += 1;
      tally.lastError = errorOf(event.body);
      return;
    }
    tally.done += 1;
    tally.rows += answer.counts?.rows ?? 0;
    tally.rejects += answer.counts?.rejects ?? 0;
  };

  streams(): readonly StreamTally[] {
    return [...this.#streams.values()];
  }

  #of(stream: StreamName): StreamTally {
    const known = this.#streams.get(stream);
    if (known) return known;
    const fresh = {
      stream,
      planned: 0,
      done: 0,
      failed: 0,
      rows: 0,
      rejects: 0,
      elapsedMs: 0,
      lastError: null,
    };
    this.#streams.set(stream, fresh);
    return fresh;
  }
}

function parse(body: string): WorkerAnswer {
  try {
    return JSON.parse(body) as WorkerAnswer;
  } catch {
    return {};
  }
}

/** The worker answers failures as `{"error": "…"}`; anything else (no answer at all) is kept as is. */
function errorOf(body: string): string {
  const parsed = parse(body) as { error?: unknown };
  return typeof parsed.error === 'string' ? parsed.error : body;
}
