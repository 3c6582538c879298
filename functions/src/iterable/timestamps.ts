/**
 * Iterable's timestamps come in several forms (shared/iterable-api.md, "Timestamps"):
 *   `2021-04-14 16:25:55 +00:00`  export API, normally
 *   `2021-04-14 16:25:55 +0000`   offset without the colon (observed)
 *   `2021-04-14T16:25:55.123Z`    ISO forms with `T`/`Z` (observed)
 *   `1618417555000`               epoch milliseconds, on dimension endpoints
 * All are read into epoch milliseconds; anything else is `null`, and the record is rejected.
 */
import { DAY } from '../time.js';

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
  const usual = parseUsualForm(value);
  if (usual !== undefined) return usual;
  const text = value.trim();
  if (/^\d{1,13}$/.test(text)) return parseIterableTimestamp(Number(text));
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const offsetMinutes = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om ?? 0)) : 0;
  return instant(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms, offsetMinutes);
}

/**
 * The export's usual form, `2021-04-14 16:25:55 +00:00`, read digit by digit: the general regular
 * expression costs about a microsecond a record, much of the worker's per-record budget
 * (bench/README.md). `undefined` for text in another form, `null` for this form but no real time.
 */
function parseUsualForm(text: string): number | null | undefined {
  if (
    text.length !== 26 ||
    !text.endsWith(' +00:00') ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== ' ' ||
    text[13] !== ':' ||
    text[16] !== ':'
  ) {
    return undefined;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if ((year | month | day | hour | minute | second) < 0) return undefined;
  return instant(year, month, day, hour, minute, second, 0, 0);
}

/** The number `length` ASCII digits at `at` spell, or -1 if any is not a digit. */
function digits(text: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/**
 * BigQuery's TIMESTAMP range, 0001-01-01 to 9999-12-31 UTC: a record outside it is rejected here,
 * where it costs one reject, rather than failing its window's load on every retry.
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#timestamp_type
 */
const MIN_TIMESTAMP_MS = -62_135_596_800_000;
const MAX_TIMESTAMP_MS = 253_402_300_799_999;

/**
 * Epoch milliseconds of a wall-clock time at a UTC offset; `null` if there is no such time or
 * BigQuery cannot hold it.
 */
function instant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  offsetMinutes: number,
): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const local = daysFromCivil(year, month, day) * DAY + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
  const utc = local - offsetMinutes * 60_000;
  return utc >= MIN_TIMESTAMP_MS && utc <= MAX_TIMESTAMP_MS ? utc : null;
}

const isLeap = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days from 1970-01-01 to a Gregorian date, by Howard Hinnant's `days_from_civil`
 * (https://howardhinnant.github.io/date_algorithms.html#days_from_civil): plain arithmetic,
 * where `Date.UTC` alone costs a third of a microsecond.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** `yyyy-MM-dd HH:mm:ss` in UTC: the form the export API's `startDateTime`/`endDateTime` take. */
export function formatExportTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Iterable's usual export form, `2021-04-14 16:25:55 +00:00`. */
export function formatIterableTimestamp(ms: number): string {
  return `${formatExportTimestamp(ms)} +00:00`;
}
