/**
 * The forget step's warehouse on BigQuery (`UserEraser`): which tables exist, what each holds of
 * the forgotten users, then one transaction deleting them and writing the audit. The SQL is in
 * bigquery-forget.ts.
 */
import type { BigQuery } from '@google-cloud/bigquery';
import { FORGET_TARGETS, FORGOTTEN_USERS_TABLE, SHA256_HEX, type UserForgotten } from '../forget-tables.js';
import type { ForgetOutcome, ForgottenHash, UserEraser } from '../ports.js';
import { countQuery, type ForgetDatasets, forgetScript } from './bigquery-forget.js';

export class BigQueryEraser implements UserEraser {
  constructor(
    private readonly bigquery: BigQuery,
    private readonly datasets: ForgetDatasets,
    private readonly location: string,
  ) {}

  async forget(users: readonly ForgottenHash[], at: number): Promise<ForgetOutcome> {
    const unique = new Map(users.filter((u) => SHA256_HEX.test(u.hash)).map((u) => [u.hash, u]));
    if (unique.size === 0) return { forgotten: [], unchanged: 0 };
    const hashes = [...unique.keys()];
    const targets = [];
    for (const target of FORGET_TARGETS) {
      const [exists] = target.optional
        ? await this.bigquery.dataset(this.datasets[target.dataset]).table(target.table).exists()
        : [true];
      if (exists) targets.push(target);
    }
    const audit = `\`${this.datasets.projectId}.${this.datasets.raw}.${FORGOTTEN_USERS_TABLE}\``;
    const known = new Set(
      (
        await this.query<{ user_hash: string }>(
          `SELECT user_hash FROM ${audit} WHERE user_hash IN UNNEST(@hashes)`,
          {
            hashes,
          },
        )
      ).map((r) => r.user_hash),
    );
    const tables = new Map<string, Record<string, number>>();
    for (const r of await this.query<{ table_name: string; user_hash: string; n: number }>(
      countQuery(this.datasets, targets),
      { hashes },
    )) {
      const perTable = tables.get(r.user_hash) ?? {};
      perTable[r.table_name] = Number(r.n);
      tables.set(r.user_hash, perTable);
    }
    const forgotten: UserForgotten[] = [];
    for (const user of unique.values()) {
      const perTable = tables.get(user.hash) ?? {};
      const rows = Object.values(perTable).reduce((sum, n) => sum + n, 0);
      if (known.has(user.hash) && rows === 0) continue;
      forgotten.push({ hash: user.hash, kind: user.kind, tables: perTable, rows });
    }
    if (forgotten.length > 0 || tables.size > 0) {
      await this.query(forgetScript(this.datasets, targets), {
        hashes,
        audit_hashes: forgotten.map((u) => u.hash),
        audit_kinds: forgotten.map((u) => u.kind),
        audit_tables: forgotten.map((u) => JSON.stringify(u.tables)),
        audit_rows: forgotten.map((u) => u.rows),
        forgotten_at: new Date(at),
      });
    }
    return { forgotten, unchanged: unique.size - forgotten.length };
  }

  /** Empty arrays carry no element type, so every array parameter is typed explicitly. */
  private async query<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const types: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(params)) {
      if (Array.isArray(value)) types[key] = [key === 'audit_rows' ? 'INT64' : 'STRING'];
      else if (value instanceof Date) types[key] = 'TIMESTAMP';
    }
    const [rows] = await this.bigquery.query({ query, params, types, location: this.location });
    return rows as T[];
  }
}
