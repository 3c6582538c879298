/**
 * Fan-out: for each stream, plan windows from its watermark, record them in the ledger and
 * enqueue one task per window. Planning and recording happen in one state transaction per stream,
 * and task names are deterministic, so a repeated fan-out enqueues nothing new.
 */
import { type StreamName, streamByName } from '../catalog.js';
import type { Logger } from '../log.js';
import type { QueuedTask, StateStore, TaskQueue, WindowRecord } from '../ports.js';
import { applyPlan } from './ledger.js';
import { planExportWindows, planSnapshot } from './plan.js';
import { notBefore, toQueuedTask } from './task.js';
import { formatWindow } from './window.js';

export interface FanoutDeps {
  readonly state: StateStore;
  readonly queue: TaskQueue;
  readonly now: () => number;
  readonly log: Logger;
}

export interface FanoutSettings {
  readonly streams: readonly StreamName[];
  /** Overrides the catalog's window length of every export stream. */
  readonly windowMinutes: number | null;
  readonly lagMs: number;
  readonly lookbackMs: number;
  readonly historyMs: number;
  /** A pending window quiet for this long is presumed lost by the queue and planned again. */
  readonly staleAfterMs: number;
  /** Wait before a failed window's next task, doubling per generation (`task.ts` notBefore); 0: at once. */
  readonly failedRetryDelayMs: number;
}

export interface FanoutRequest {
  readonly from?: number;
  readonly to?: number;
  readonly streams?: readonly StreamName[];
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

const SECOND = 1000;

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
  const plans: StreamPlan[] = [];
  const tasks: QueuedTask[] = [];
  for (const name of streams) {
    const stream = streamByName(name);
    const lengthMs = (settings.windowMinutes ?? stream.window.lengthMinutes) * 60 * SECOND;
    const { records, watermark } = await deps.state.update(name, (state) => {
      const start = state.watermark ?? from;
      const planned =
        stream.source.kind === 'export'
          ? planExportWindows({
              watermark: start,
              loadedUntil: loadedUntil(state.windows, start),
              to,
              lengthMs,
              lookbackMs: settings.lookbackMs,
              from,
            })
          : planSnapshot(start, to);
      const change = applyPlan(state, name, planned, from, now, settings.staleAfterMs);
      return { state: change.state, result: { records: change.result, watermark: change.state.watermark } };
    });
    plans.push({ stream: name, watermark, windows: records.length });
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
