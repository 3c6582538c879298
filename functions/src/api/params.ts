/**
 * The query parameters every route may take, as zod schemas over the raw text of the URL: each is a
 * closed pattern (digits, an ISO date, a word from an allow-list), so nothing a caller writes can
 * reach SQL as anything but a bound value, and the same schemas document the parameters in
 * /v1/openapi.json.
 */
import { z } from 'zod';

/** Days one request may span: a year and a day, so a whole year of dailies fits in one range. */
export const MAX_RANGE_DAYS = 366;
/** Days of the default range, ending today (UTC). */
export const DEFAULT_RANGE_DAYS = 30;
/** Rows per page: a spreadsheet-sized page, small enough for BigQuery's 10 MB response limit. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

const DAY_MS = 86_400_000;

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 does not). */
export const DateParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use a date like 2026-11-01')
  // zod runs refinements after a failed regex too, so this one must not assume the pattern held.
  .refine((s) => {
    const ms = Date.parse(`${s}T00:00:00Z`);
    return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(s);
  }, 'no such date');

/** A positive whole number of at most 15 digits (ids are INT64; JSON numbers are exact to 2^53). */
export const IdParam = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, 'use a positive whole number of at most 15 digits')
  .transform(Number);

export const LimitParam = z
  .string()
  .regex(/^\d{1,4}$/, `use a whole number from 1 to ${MAX_PAGE_SIZE}`)
  .transform(Number)
  .pipe(z.int().min(1).max(MAX_PAGE_SIZE, `use a whole number from 1 to ${MAX_PAGE_SIZE}`))
  .optional()
  .meta({ description: `rows per page, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})` });

/** Opaque: the `next_cursor` of the previous page, base64url. */
export const CursorParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,200}$/, 'use the next_cursor of the previous page, unchanged')
  .optional()
  .meta({ description: 'the next_cursor of the previous page' });

export const FormatParam = z
  .enum(['json', 'csv'])
  .optional()
  .meta({ description: 'csv for RFC 4180 CSV (same as Accept: text/csv); json by default' });

export const FromParam = DateParam.optional().meta({ description: 'first date (UTC), inclusive' });
export const ToParam = DateParam.optional().meta({ description: 'end date (UTC), exclusive' });

export interface DateRange {
  readonly from: string;
  readonly to: string;
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A half-open range of dates `[from, to)` of at most MAX_RANGE_DAYS; when a bound is missing it is
 * filled from the other, or the range ends today: the filled range is part of the cache key.
 */
export function dateRange(
  given: { from?: string | undefined; to?: string | undefined },
  now: number,
): DateRange | string {
  const to =
    given.to ??
    (given.from === undefined
      ? isoDate(now + DAY_MS)
      : isoDate(Date.parse(given.from) + DEFAULT_RANGE_DAYS * DAY_MS));
  const from = given.from ?? isoDate(Date.parse(to) - DEFAULT_RANGE_DAYS * DAY_MS);
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
  if (days <= 0) return `from (${from}) must be before to (${to})`;
  if (days > MAX_RANGE_DAYS)
    return `the range from ${from} to ${to} spans ${days} days; ask for at most ${MAX_RANGE_DAYS}`;
  return { from, to };
}
