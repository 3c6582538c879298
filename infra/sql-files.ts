/**
 * The fact SQL files the scheduled queries run: every `.sql` under `sql/` except the DuckDB-only
 * prelude (`sql/duckdb/`) and the test assertions (`sql/assertions/`), in path order, with the
 * default dataset names replaced by the stack's. Read when the program runs, so a new file
 * becomes a new scheduled query on the next `pulumi up` with no change here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const EXCLUDED_DIRS = ['duckdb', 'assertions'] as const;

/** The names the SQL is written against (design.md, "Names users will see"). */
const DEFAULT_DATASETS = { raw: 'iterable_raw', analytics: 'iterable_analytics' } as const;

export interface FactQuery {
  /** Path under `sql/` without `.sql`, slashes as `-`: a stable resource key. */
  readonly key: string;
  readonly file: string;
  readonly sql: string;
}

export interface Datasets {
  readonly raw: string;
  readonly analytics: string;
}

function sqlFiles(root: string, dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const top = dir === root && (EXCLUDED_DIRS as readonly string[]).includes(entry.name);
      return top ? [] : sqlFiles(root, path);
    }
    return entry.isFile() && entry.name.endsWith('.sql') ? [path] : [];
  });
}

/** Whole words only, so `iterable_raw_extra` or `my_iterable_raw` stay as written. */
export function substituteDatasets(sql: string, datasets: Datasets): string {
  return sql
    .replace(new RegExp(`\\b${DEFAULT_DATASETS.raw}\\b`, 'g'), datasets.raw)
    .replace(new RegExp(`\\b${DEFAULT_DATASETS.analytics}\\b`, 'g'), datasets.analytics);
}

export function readFactQueries(root: string, datasets: Datasets): readonly FactQuery[] {
  if (!existsSync(root)) return [];
  return sqlFiles(root, root)
    .map((file) => relative(root, file))
    .sort()
    .map((file) => ({
      key: file.slice(0, -'.sql'.length).split(sep).join('-'),
      file: join(root, file),
      sql: substituteDatasets(readFileSync(join(root, file), 'utf8'), datasets),
    }));
}
