/**
 * Staged rows travel to BigQuery as CSV whose last field is the record's original line, as
 * Iterable sent it. As an NDJSON string that line would have to be escaped quote by quote, which
 * cost the worker more than parsing it (bench/README.md, "1. Transform"); unquoted CSV carries it
 * byte for byte.
 *
 * The format leans on what a valid JSON line cannot contain: raw control characters other than
 * tab and carriage return (RFC 8259 §7 makes strings escape them) and a line feed (lines are split
 * on it). So fields are separated by U+0001, there is no quote character at all, and a null cell
 * is `\N`. A row that cannot be written this way (a cell holding a line feed, say, which its
 * record sent escaped) returns `null` and is staged as NDJSON instead (`stageRows` in
 * bigquery-load.ts).
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad
 */
import type { Cell } from '../ports.js';

const FIELD_DELIMITER = '\u0001';
const NULL_MARKER = '\\N';

/**
 * The load job's CSV options. Field delimiters in U+0001–U+007F are used as they are; an empty
 * `quote` turns quoting off; with a custom null marker an empty field is an empty string, not
 * NULL; control characters (a record's raw tab, say) are kept rather than refused.
 */
export const STAGING_CSV = {
  sourceFormat: 'CSV',
  encoding: 'UTF-8',
  fieldDelimiter: FIELD_DELIMITER,
  quote: '',
  nullMarker: NULL_MARKER,
  preserveAsciiControlCharacters: true,
} as const;

/**
 * What no unquoted field may contain: the delimiter and row ends (a lone carriage return ends a
 * row too). Surrogates, since a lone one cannot be encoded in UTF-8 (the NDJSON path escapes it
 * as JSON does); pairs take that path too. And leading or trailing whitespace, which a CSV reader
 * may trim from an unquoted field (BigQuery documented doing so; today's reference is silent),
 * including a byte-order mark that could open the upload.
 */
const UNSAFE_IN_FIELD = new RegExp(`[${FIELD_DELIMITER}\\n\\r\\ud800-\\udfff]|^\\s|\\s$`);

/**
 * One staged row as a CSV line (no line end), or `null` when a cell or the line cannot travel
 * unquoted. `line` is the row's record line as the normaliser passes it on. Numbers that are not
 * finite become NULL, as `JSON.stringify` makes them.
 */
export function csvLine(cells: readonly Cell[], line: string): string | null {
  // A raw carriage return is whitespace in JSON but ends a CSV row. Nothing else in a row's line
  // can break one: it parsed as a JSON object (no raw U+0001), and lines come split on line feeds
  // and trimmed (`ndjsonBatches`).
  if (line.includes('\r')) return null;
  let out = '';
  for (const cell of cells) {
    if (cell === null) out += NULL_MARKER;
    else if (typeof cell === 'string') {
      if (cell === NULL_MARKER || UNSAFE_IN_FIELD.test(cell)) return null;
      out += cell;
    } else if (typeof cell === 'number') out += Number.isFinite(cell) ? String(cell) : NULL_MARKER;
    else out += cell ? 'true' : 'false';
    out += FIELD_DELIMITER;
  }
  return out + line;
}
