/**
 * The stored shape of one stream's state, checked on every read: a document edited by hand or
 * written by an older version must stop the load with a clear message, not corrupt the ledger.
 */
import { z } from 'zod';
import { WINDOW_KINDS } from '../pipeline/window.js';
import { type StreamState, WINDOW_STATUSES, type WindowRecord } from '../ports.js';
import { describeIssues, StreamNameSchema } from '../schema-parts.js';

const epochMs = z.number().int();
const count = z.number().int().nonnegative();

/**
 * Typed against `WindowRecord`, so a field added to the ledger fails the type check here until the
 * schema knows it. Fields added later default to what the ledger gives a fresh window, so
 * documents written before them still read.
 */
const WindowRecordSchema: z.ZodType<WindowRecord, unknown> = z.object({
  stream: StreamNameSchema,
  start: epochMs,
  end: epochMs,
  kind: z.enum(WINDOW_KINDS),
  status: z.enum(WINDOW_STATUSES),
  attempts: count,
  generation: count,
  updatedAt: epochMs,
  leaseUntil: epochMs.nullable(),
  lastError: z.string().nullable(),
  permanent: z.boolean().optional(),
  cuts: count.default(0),
  pieces: z.number().int().positive().default(1),
  rows: count.nullable(),
  rejects: count.nullable(),
});

const StreamStateSchema = z.object({
  watermark: epochMs.nullable(),
  windows: z.array(WindowRecordSchema),
  loaded: z.array(z.object({ start: epochMs, end: epochMs })).optional(),
});

export function parseStreamState(path: string, data: unknown): StreamState {
  const parsed = StreamStateSchema.safeParse(data);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error, '(document)');
    throw new Error(
      `the state document ${path} is not {watermark, windows[]} (${problems.slice(0, 3).join('; ')}); ` +
        'fix or delete it in the Firestore console (deleting it re-plans the stream from HISTORY_DAYS)',
    );
  }
  return parsed.data;
}
