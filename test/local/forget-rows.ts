/**
 * Where a user's rows are: the rows of every table a forgotten user is deleted from (FORGET_TARGETS)
 * that hold the user's email or user id, counted with plain SQL of their own, not the forget SQL.
 */
import { FORGET_TARGETS } from '../../functions/src/forget-tables.js';
import { LIVE_DATASET } from '../../functions/src/live/live-tables.js';
import type { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';

export interface Victim {
  readonly email: string;
  readonly userId: string | null;
}

/** Rows of the victim in every table that exists, by the table's `<dataset>.<table>` name. */
export async function rowsOf(warehouse: DuckDbWarehouse, victim: Victim): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const ids = [victim.email, victim.userId]
    .filter((v): v is string => v !== null)
    .map((v) => v.toLowerCase());
  const list = ids.map((v) => `'${v}'`).join(', ');
  for (const target of FORGET_TARGETS) {
    const schema = target.dataset === 'live' ? LIVE_DATASET : warehouse.datasets[target.dataset];
    const [exists] = await warehouse.query<{ n: number }>(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = '${target.table}'`,
    );
    if (!exists?.n) continue;
    const where = target.table.endsWith('_rejects')
      ? ids.map((v) => `contains(lower(line), '${v}')`).join(' OR ')
      : [target.email, target.userId]
          .flatMap((s) =>
            s !== null && 'column' in s ? [`lower(CAST(${s.column} AS VARCHAR)) IN (${list})`] : [],
          )
          .join(' OR ');
    const [row] = await warehouse.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${schema}.${target.table} WHERE ${where}`,
    );
    counts[`${schema}.${target.table}`] = row?.n ?? 0;
  }
  return counts;
}

export const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
