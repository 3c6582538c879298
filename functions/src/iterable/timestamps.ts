/**
 * Iterable's timestamps come in several forms (shared/iterable-api.md, "Timestamps"):
 *   `2021-04-14 16:25:55 +00:00`  export API, normally
 *   `2021-04-14 16:25:55 +0000`   offset without the colon (observed)
 *   `2021-04-14T16:25:55.123Z`    ISO forms with `T`/`Z` (observed)
 *   `1618417555000`               epoch milliseconds, on dimension endpoints
 * All are read into epoch milliseconds; anything else is `null`, and the record is rejected.
 */

// date, `T` or space, time with optional fraction, then optional zone: Z, ±HH:MM, ±HHMM or ±HH.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(?:(Z)|([+-])(\d{2}):?(\d{2})?)?$/i;

// Epoch milliseconds between 1970 and 2100: anything outside is a unit mistake, not a date.
const MAX_EPOCH_MS = Date.UTC(2100, 0, 1);

export function parseIterableTimestamp(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value < MAX_EPOCH_MS ? value : null;
  }
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d{1,13}$/.test(text)) return parseIterableTimestamp(Number(text));
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 31 February into March; a date that does not round-trip is invalid.
  if (new Date(local).getUTCDate() !== day) return null;
  const offsetMinutes = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om ?? 0)) : 0;
  return local - offsetMinutes * 60_000;
}

/** `yyyy-MM-dd HH:mm:ss` in UTC: the form the export API's `startDateTime`/`endDateTime` take. */
export function formatExportTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Iterable's usual export form, `2021-04-14 16:25:55 +00:00`. */
export function formatIterableTimestamp(ms: number): string {
  return `${formatExportTimestamp(ms)} +00:00`;
}
