/**
 * The fact tables as the warehouse holds them, normalised for comparison with expectations:
 * timestamps and dates as ISO strings, floating-point values rounded to 1e-9 (sums of revenue
 * differ in the last bits with the order of addition), rows sorted by their grain.
 */
import type { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';

type Row = Record<string, unknown>;

/** Each fact table with the columns of its grain. */
export const FACT_GRAINS = {
  campaign_fact_table: ['campaign_id'],
  email_performance_fact: ['event_on', 'campaign_id'],
  user_engagement_fact: ['user_key'],
  email_funnel_fact: ['campaign_id'],
  unsubscribe_fact: ['event_on', 'message_type_id', 'unsub_source'],
  email_send_cohort_fact: ['send_on', 'campaign_id'],
} as const;

export type FactTable = keyof typeof FACT_GRAINS;
export const FACT_TABLES = Object.keys(FACT_GRAINS) as FactTable[];

const normaliseValue = (value: unknown): unknown => {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' && !Number.isInteger(value)) return Math.round(value * 1e9) / 1e9;
  return value;
};

export const grainKey = (table: FactTable, row: Row): string =>
  JSON.stringify(FACT_GRAINS[table].map((column) => row[column]));

/** Rows normalised and sorted by grain, ready for `deepEqual`. */
export function normalise(table: FactTable, rows: readonly Row[]): Row[] {
  return rows
    .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normaliseValue(v)])))
    .sort((a, b) => grainKey(table, a).localeCompare(grainKey(table, b)));
}

export async function readFacts(warehouse: DuckDbWarehouse): Promise<Record<FactTable, Row[]>> {
  const entries = await Promise.all(
    FACT_TABLES.map(async (table) => [
      table,
      normalise(table, await warehouse.query(`SELECT * FROM ${warehouse.datasets.analytics}.${table}`)),
    ]),
  );
  return Object.fromEntries(entries);
}

/** Grain keys of the rows that differ between two snapshots of a table (added, removed or changed). */
export function changedKeys(table: FactTable, before: readonly Row[], after: readonly Row[]): string[] {
  const index = (rows: readonly Row[]) => new Map(rows.map((r) => [grainKey(table, r), JSON.stringify(r)]));
  const a = index(before);
  const b = index(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}
