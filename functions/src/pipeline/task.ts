/**
 * The task contract between fan-out and worker: the payload schema (validated strictly, since a
 * task body is input from the network) and the deterministic task name.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type StreamName, streamByName } from '../catalog.js';
import type { QueuedTask, WindowRecord, WindowTask } from '../ports.js';
import { IsoInstantSchema, StreamNameSchema } from '../schema-parts.js';
import { type PlannedWindow, WINDOW_KINDS } from './window.js';

/**
 * No export window is longer than this; a larger one is a malformed task, not a plan of ours. A
 * dimension's snapshot window is bookkeeping (the dimension is read whole) and spans the whole
 * history on a first run, which may be longer.
 */
const MAX_EXPORT_WINDOW_MS = 400 * 24 * 3600_000;

/** Iterable was founded in 2013: nothing it exports is older. */
const EARLIEST_EVENT_MS = Date.UTC(2013, 0, 1);

export const TaskPayloadSchema = z
  .strictObject({
    stream: StreamNameSchema,
    start: IsoInstantSchema,
    end: IsoInstantSchema,
    kind: z.enum(WINDOW_KINDS),
  })
  .refine((t) => t.start < t.end, { message: 'window start must be before its end' })
  .refine((t) => streamByName(t.stream).source.kind !== 'export' || t.end - t.start <= MAX_EXPORT_WINDOW_MS, {
    message: 'export window is longer than 400 days',
  })
  .refine((t) => t.start >= EARLIEST_EVENT_MS, { message: 'window starts before 2013' });

export type ParsedTask = z.output<typeof TaskPayloadSchema>;

const toPayload = (stream: StreamName, w: PlannedWindow): WindowTask => ({
  stream,
  start: new Date(w.start).toISOString(),
  end: new Date(w.end).toISOString(),
  kind: w.kind,
});

/**
 * `<hash>-<stream>-<kind>-<start>-<end>-g<generation>`: the same plan always yields the same
 * name, so a repeated fan-out creates nothing new, while a window planned again after a failure
 * gets a new one. The hash prefix spreads names over Cloud Tasks' key space, which serves
 * sequential names (timestamps) more slowly (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#Task.FIELDS.name).
 */
export function taskName(record: WindowRecord): string {
  const body = `${record.stream}-${record.kind}-${record.start}-${record.end}-g${record.generation}`;
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 8);
  return `${hash}-${body}`;
}

/** Longest wait before a failed window is tried again: a persistent failure is still tried four times a day. */
export const MAX_RETRY_DELAY_MS = 6 * 3600_000;

/**
 * When a window planned again after failing may run: `baseMs` after its first failure, doubling
 * with every further generation, at most MAX_RETRY_DELAY_MS. A fresh window, or one planned again
 * only because its task went quiet, runs at once.
 */
export function notBefore(record: WindowRecord, now: number, baseMs: number): number | null {
  if (baseMs <= 0 || record.generation === 0 || record.lastError === null) return null;
  return now + Math.min(baseMs * 2 ** (record.generation - 1), MAX_RETRY_DELAY_MS);
}

export function toQueuedTask(record: WindowRecord, runAfter: number | null = null): QueuedTask {
  const task = { name: taskName(record), payload: toPayload(record.stream, record) };
  return runAfter === null ? task : { ...task, notBefore: runAfter };
}
