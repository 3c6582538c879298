/**
 * CSV as RFC 4180 writes it (https://www.rfc-editor.org/rfc/rfc4180): a header line, CRLF line
 * ends, fields with a comma, quote or line break in double quotes and inner quotes doubled.
 * A text cell starting with = + - @ or a tab is prefixed with ' so a spreadsheet shows it as text
 * rather than running it as a formula (OWASP, "CSV Injection"): campaign names come from Iterable
 * users.
 */
const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [columns.map(cell).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
