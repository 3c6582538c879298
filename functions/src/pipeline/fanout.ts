/**
 * Fan-out: for each stream, plan windows from its watermark, record them in the ledger and
 * enqueue one task per window. Planning and recording happen in one state transaction per stream,
 * and task names are deterministic, so a repeated fan-out enqueues nothing new. A backfill request
 * plans an operator's range behind the watermarks instead, without moving them.
 */
import { type StreamName, streamByName } from '../catalog.js';
import type { Logger } from '../log.js';
import type { QueuedTask, StateChange, StateStore, StreamState, TaskQueue, WindowRecord } from '../ports.js';
import { SECOND } from '../time.js';
import { withoutLoaded } from './coverage.js';
import { applyPlan, recordWindows } from './ledger.js';
import { planBackfillWindows, planExportWindows, planSnapshot } from './plan.js';
import { planSettleWindow } from './settle.js';
import { streamWindowLength, type WindowLength } from './sizing.js';
import { notBefore, toQueuedTask } from './task.js';
import { formatWindow, type PlannedWindow } from './window.js';

export interface FanoutDeps {
  readonly state: StateStore;
  readonly queue: TaskQueue;
  readonly now: () => number;
  readonly log: Logger;
}

export interface FanoutSettings {
  readonly streams: readonly StreamName[];
  /** Fixes the window length of every export stream, instead of sizing it by density (`sizing.ts`). */
  readonly windowMinutes: number | null;
  readonly lagMs: number;
  readonly lookbackMs: number;
  readonly historyMs: number;
  /** The daily settle pass re-reads a UTC day this long after it ended (settle.ts); 0: never. */
  readonly settleMs: number;
  /** A pending window quiet for this long is presumed lost by the queue and planned again. */
  readonly staleAfterMs: number;
  /** Wait before a failed window's next task, doubling per generation (`task.ts` notBefore); 0: at once. */
  readonly failedRetryDelayMs: number;
}

export interface FanoutRequest {
  readonly from?: number;
  readonly to?: number;
  readonly streams?: readonly StreamName[];
  /**
   * Plan `[from, to)` as backfill windows, only behind each export stream's watermark, instead of
   * the regular plan; watermarks do not move and dimensions are not read.
   */
  readonly backfill?: boolean;
  /** With `backfill`: read the whole range again, windows the ledger has as done included. */
  readonly reread?: boolean;
}

/**
 * Most windows one backfill may add to a stream's ledger. On GCP the ledger is one Firestore
 * document of at most 1 MiB (https://cloud.google.com/firestore/quotas#limits), and every planned
 * window stays in it until done: 2,000 entries of ~300 bytes leave room for the regular ones.
 */
export const MAX_BACKFILL_WINDOWS = 2000;

/** A backfill too large for one request; the message says how to split it. */
export class BackfillTooLargeError extends Error {
  override readonly name = 'BackfillTooLargeError';
}

export interface StreamPlan {
  readonly stream: StreamName;
  readonly watermark: number | null;
  readonly windows: number;
}

export interface FanoutResult {
  readonly from: number;
  readonly to: number;
  readonly streams: readonly StreamPlan[];
  readonly created: number;
  readonly existing: number;
}

/** End of the furthest done advance window, or the watermark when nothing lies beyond it. */
const loadedUntil = (windows: readonly WindowRecord[], watermark: number): number =>
  windows.reduce(
    (end, w) => (w.kind === 'advance' && w.status === 'done' ? Math.max(end, w.end) : end),
    watermark,
  );
const floorToSecond = (ms: number): number => Math.floor(ms / SECOND) * SECOND;

export async function fanOut(
  deps: FanoutDeps,
  settings: FanoutSettings,
  request: FanoutRequest = {},
): Promise<FanoutResult> {
  const now = deps.now();
  // Iterable's export takes whole seconds (`yyyy-MM-dd HH:mm:ss`), so window bounds are whole seconds.
  const to = floorToSecond(request.to ?? now - settings.lagMs);
  const from = floorToSecond(request.from ?? now - settings.historyMs);
  const streams = request.streams ?? settings.streams;
  const reread = request.reread ?? false;
  if (request.backfill) await checkBackfillFits(deps.state, streams, { from, to, settings, reread });
  const plans: StreamPlan[] = [];
  const tasks: QueuedTask[] = [];
  for (const name of streams) {
    const { records, watermark } = await deps.state.update(name, (state) => {
      const lengthMs = streamWindowLength(name, state.windows, settings.windowMinutes);
      const change = request.backfill
        ? planBackfill(state, name, { from, to, lengthMs, now }, settings.staleAfterMs, reread)
        : planRegular(state, name, { from, to, lengthMs, now }, settings);
      return { state: change.state, result: { records: change.result, watermark: change.state.watermark } };
    });
    plans.push({ stream: name, watermark, windows: records.length });
    // One line per stream and run: the freshness alert reads the lag from it.
    deps.log({
      severity: 'INFO',
      message: `${name} watermark ${watermark === null ? 'not set' : new Date(watermark).toISOString()}`,
      stream: name,
      watermark: watermark === null ? null : new Date(watermark).toISOString(),
      watermarkLagSeconds: watermark === null ? null : Math.max(0, Math.round((now - watermark) / 1000)),
    });
    tasks.push(...records.map((r) => toQueuedTask(r, notBefore(r, now, settings.failedRetryDelayMs))));
    for (const r of records) {
      deps.log({
        severity: 'DEBUG',
        message: `planned ${name} ${r.kind} ${formatWindow(r)}`,
        stream: name,
        windowStart: new Date(r.start).toISOString(),
        windowEnd: new Date(r.end).toISOString(),
        kind: r.kind,
        generation: r.generation,
      });
    }
  }
  // Oldest windows first across streams, so every stream's watermark moves forward together.
  tasks.sort((a, b) => a.payload.start.localeCompare(b.payload.start) || a.name.localeCompare(b.name));
  const { created, existing } = await deps.queue.enqueue(tasks);
  deps.log({
    severity: 'INFO',
    message: `fan-out planned ${tasks.length} windows (${created} new tasks, ${existing} already queued)`,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    created,
    existing,
  });
  return { from, to, streams: plans, created, existing };
}

interface PlanBounds {
  readonly from: number;
  readonly to: number;
  readonly lengthMs: WindowLength;
  readonly now: number;
}

function planRegular(
  state: StreamState,
  name: StreamName,
  { from, to, lengthMs, now }: PlanBounds,
  settings: FanoutSettings,
): StateChange<readonly WindowRecord[]> {
  const start = state.watermark ?? from;
  // Advance windows already planned and not done are the ledger's to retry; new ones start after them.
  const advance = state.windows.filter((w) => w.kind === 'advance' && w.end > start);
  const planned =
    streamByName(name).source.kind === 'export'
      ? [
          ...planExportWindows({
            watermark: start,
            plannedUntil: advance.reduce((end, w) => Math.max(end, w.end), start),
            loadedUntil: loadedUntil(state.windows, start),
            to,
            lengthMs,
            lookbackMs: settings.lookbackMs,
            from,
          }),
          ...planSettleWindow({ now, settleMs: settings.settleMs, watermark: start, from }),
        ]
      : planSnapshot(start, to);
  // Windows that failed or lost their task are retried by the regular runs, backfill ones too.
  const unfinished = state.windows.filter(
    (w) => (w.kind === 'backfill' || (w.kind === 'advance' && w.end > start)) && w.status !== 'done',
  );
  return applyPlan(state, name, [...planned, ...unfinished], from, now, settings.staleAfterMs);
}

function planBackfill(
  state: StreamState,
  name: StreamName,
  { from, to, lengthMs, now }: PlanBounds,
  staleAfterMs: number,
  reread: boolean,
): StateChange<readonly WindowRecord[]> {
  // A dimension is a snapshot of today: it has no history to backfill.
  if (streamByName(name).source.kind !== 'export') return { state, result: [] };
  const planned = backfillWindows(state, { from, to, lengthMs }, reread);
  // A re-read plans done backfill windows again: recordWindows plans a failed one under its next
  // generation (a new task name), so they pass through as failed within this one update.
  const again = reread
    ? {
        ...state,
        windows: state.windows.map((r) =>
          r.kind === 'backfill' &&
          r.status === 'done' &&
          planned.some((p) => p.start === r.start && p.end === r.end)
            ? { ...r, status: 'failed' as const }
            : r,
        ),
      }
    : state;
  return recordWindows(again, name, planned, now, staleAfterMs);
}

/** The backfill's windows behind the watermark; without `reread`, only what no done window covers. */
function backfillWindows(
  state: StreamState,
  { from, to, lengthMs }: { from: number; to: number; lengthMs: WindowLength },
  reread: boolean,
): PlannedWindow[] {
  const planned = planBackfillWindows(from, to, state.watermark, lengthMs);
  return reread ? planned : withoutLoaded(planned, state);
}

/**
 * Refuses a backfill that would leave a stream's ledger with more than MAX_BACKFILL_WINDOWS
 * unfinished backfill windows, before any stream is planned: a refusal half-way would leave the
 * streams before it planned with no task.
 */
async function checkBackfillFits(
  store: StateStore,
  streams: readonly StreamName[],
  { from, to, settings, reread }: { from: number; to: number; settings: FanoutSettings; reread: boolean },
): Promise<void> {
  for (const name of streams) {
    const stream = streamByName(name);
    if (stream.source.kind !== 'export') continue;
    const state = await store.read(name);
    const lengthMs = streamWindowLength(name, state.windows, settings.windowMinutes);
    const unfinished = state.windows.filter((w) => w.kind === 'backfill' && w.status !== 'done');
    const planned = backfillWindows(state, { from, to, lengthMs }, reread).filter(
      (p) => !unfinished.some((w) => w.start === p.start && w.end === p.end),
    );
    if (unfinished.length + planned.length > MAX_BACKFILL_WINDOWS) {
      throw new BackfillTooLargeError(
        `a backfill of ${name} from ${new Date(from).toISOString()} would leave ${unfinished.length + planned.length} ` +
          `unfinished backfill windows in its ledger, more than the ${MAX_BACKFILL_WINDOWS} it can hold; ` +
          'backfill a shorter range (an earlier --to), and the next one once `npm run status` shows it loaded',
      );
    }
  }
}
