/**
 * Plain-text tables for the commands' output: every column as wide as its widest cell, text
 * columns left-aligned and figures right-aligned, two spaces between columns.
 */
export interface TextTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Indexes of the columns that read left-aligned (names, times); the others are figures. */
  readonly left: ReadonlySet<number>;
  /** Rows after a rule under the body (totals). */
  readonly footer?: readonly (readonly string[])[];
}

export function textTable({ header, rows, left, footer = [] }: TextTable): string {
  const all = [header, ...rows, ...footer];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (left.has(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const foot = footer.length > 0 ? [rule, ...footer.map(line)] : [];
  return [line(header), rule, ...rows.map(line), ...foot].join('\n');
}
