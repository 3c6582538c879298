/**
 * Cursor pagination. A cursor is the offset of the next page bound to the query it came from (a
 * fingerprint of the canonical query), base64url JSON: a cursor replayed with other filters or
 * edited by hand is a 400, not a page of some other answer. Offsets are bounded: BigQuery reads
 * every skipped row, so deep pages should narrow the filters instead.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ApiProblem } from './problem.js';

export const MAX_OFFSET = 100_000;

const CursorBody = z.strictObject({ q: z.string().length(16), o: z.int().min(1).max(MAX_OFFSET) });

const fingerprint = (queryKey: string) =>
  createHash('sha256').update(queryKey).digest('base64url').slice(0, 16);

export function encodeCursor(queryKey: string, offset: number): string | null {
  if (offset > MAX_OFFSET) return null;
  return Buffer.from(JSON.stringify({ q: fingerprint(queryKey), o: offset })).toString('base64url');
}

/** The offset a cursor points at; 0 without one. */
export function decodeCursor(cursor: string | undefined, queryKey: string): number {
  if (cursor === undefined) return 0;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  const parsed = CursorBody.safeParse(decoded);
  if (!parsed.success || parsed.data.q !== fingerprint(queryKey)) {
    throw new ApiProblem(
      'invalid-parameter',
      'cursor: not a next_cursor of this query; pass the next_cursor of the previous page with the same other parameters',
      [{ parameter: 'cursor', message: 'not a next_cursor of this query' }],
    );
  }
  return parsed.data.o;
}
