/**
 * Runs the data checks of sql/assertions/: each file is a query returning the rows that break a
 * rule (a duplicated grain, a rate outside [0, 1]…); a passing check returns nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFAULT_LOOKBACK_DAYS, renderSql, SQL_DIR } from '../../sql/render.js';
import type { DuckDbWarehouse } from '../duckdb-warehouse.js';

const ASSERTIONS_DIR = join(SQL_DIR, 'assertions');

export interface AssertionResult {
  /** File name without `.sql`, e.g. `campaign_fact_table_grain`. */
  readonly name: string;
  readonly failingRows: Record<string, unknown>[];
}

export function assertionFiles(dir = ASSERTIONS_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => join(dir, name));
}

/** Every check with its failing rows; the build is sound when all of them are empty. */
export async function runAssertions(warehouse: DuckDbWarehouse): Promise<AssertionResult[]> {
  const results: AssertionResult[] = [];
  for (const file of assertionFiles()) {
    const sql = renderSql(readFileSync(file, 'utf8'), {
      datasets: warehouse.datasets,
      lookbackDays: DEFAULT_LOOKBACK_DAYS,
    });
    results.push({ name: basename(file, '.sql'), failingRows: await warehouse.query(sql) });
  }
  return results;
}
