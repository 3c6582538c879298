/**
 * The tables the `sql/` files declare (`CREATE TABLE IF NOT EXISTS name (columns …)`) and which of
 * them an existing warehouse holds with other columns: a warehouse built by an earlier version.
 * `IF NOT EXISTS` never changes an existing table, so the file's next statement would fail on a
 * column the table lacks ("does not have a column named …"), and a column merely added would stay
 * NULL in every row built before. Such a table is dropped instead, and the file's first-build path
 * (an empty table reads all history) rebuilds it: every table declared here is derived from the
 * raw tables, which keep the whole history.
 */

export interface DeclaredColumn {
  readonly name: string;
  /** The type as written: `INT64`, `NUMERIC(10, 2)`, … */
  readonly type: string;
}

export interface DeclaredTable {
  /** `dataset.table`, as the SQL names it. */
  readonly table: string;
  /** In declared order. */
  readonly columns: readonly DeclaredColumn[];
}

const CREATE = /CREATE TABLE IF NOT EXISTS\s+([A-Za-z_][\w]*\.[A-Za-z_]\w*)\s*\(/gi;

/** The text between the parenthesis at `open` and its match. */
function parenthesised(sql: string, open: number): string {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')' && --depth === 0) return sql.slice(open + 1, i);
  }
  throw new Error(`unbalanced parentheses in the CREATE TABLE at offset ${open}`);
}

/** Splits on commas outside parentheses (`NUMERIC(10, 2)`, `STRUCT<…>` stay whole). */
function topLevelParts(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '(' || c === '<') depth++;
    else if (c === ')' || c === '>') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts;
}

const withoutComments = (sql: string): string => sql.replace(/--[^\n]*/g, '');

export function declaredTables(sql: string): DeclaredTable[] {
  const text = withoutComments(sql);
  return [...text.matchAll(CREATE)].map((match) => {
    const open = (match.index ?? 0) + match[0].length - 1;
    const columns = topLevelParts(parenthesised(text, open))
      .map((part) => /^(\S+)\s*([\s\S]*)$/.exec(part.trim()))
      .filter((column) => column !== null)
      .map(([, name = '', type = '']) => ({ name, type: type.trim() }));
    return { table: match[1] as string, columns };
  });
}

/**
 * Declared tables the warehouse holds with a different set of columns. `existing` maps
 * `dataset.table` to its columns; a table it lacks is new, not changed.
 */
export function changedTables(
  declared: readonly DeclaredTable[],
  existing: ReadonlyMap<string, readonly string[]>,
): DeclaredTable[] {
  return declared.filter((d) => {
    const columns = existing.get(d.table);
    if (columns === undefined) return false;
    const have = new Set(columns.map((c) => c.toLowerCase()));
    return have.size !== d.columns.length || d.columns.some((c) => !have.has(c.name.toLowerCase()));
  });
}
