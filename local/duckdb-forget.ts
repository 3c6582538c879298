/**
 * Forgetting on DuckDB: the shared SQL of functions/src/forget-sql.ts in DuckDB's spelling, run in
 * one transaction per call. Hashes arrive validated as hex digests, so they are written into the
 * statement as literals.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type ForgetDialect, targetSql } from '../functions/src/forget-sql.js';
import {
  FORGET_TARGETS,
  FORGOTTEN_USERS_COLUMNS,
  FORGOTTEN_USERS_TABLE,
  type ForgetTarget,
  SHA256_HEX,
  type UserForgotten,
} from '../functions/src/forget-tables.js';
import { LIVE_DATASET } from '../functions/src/live/live-tables.js';
import type { ForgetOutcome, ForgottenHash } from '../functions/src/ports.js';
import type { Datasets } from '../sql/datasets.js';
import { epochMsToTimestamp } from './duckdb-load.js';
import { dropChangedModelTables } from './sql/models.js';

/** DuckDB's `sha256` already answers lower-case hex; `regexp_extract` takes the group's index. */
export const DUCKDB_DIALECT: ForgetDialect = {
  sha256Hex: (text) => `sha256(${text})`,
  regexpGroup: (text, pattern) => `regexp_extract(${text}, ${DUCKDB_DIALECT.literal(pattern)}, 1)`,
  literal: (value) => `'${value.replaceAll("'", "''")}'`,
};

export const forgottenUsersTable = (datasets: Datasets): string => `${datasets.raw}.${FORGOTTEN_USERS_TABLE}`;

const HASHES = 'temp.main.forget_hashes';

const schemaOf = (datasets: Datasets, target: ForgetTarget): string =>
  target.dataset === 'live' ? LIVE_DATASET : datasets[target.dataset];

async function rows<T>(c: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await c.runAndReadAll(sql);
  return reader.getRowObjectsJS() as T[];
}

async function exists(c: DuckDBConnection, schema: string, table: string): Promise<boolean> {
  const found = await rows<{ n: bigint }>(
    c,
    `SELECT count(*) AS n FROM information_schema.tables
     WHERE table_schema = ${DUCKDB_DIALECT.literal(schema)} AND table_name = ${DUCKDB_DIALECT.literal(table)}`,
  );
  return Number(found[0]?.n ?? 0) > 0;
}

/** Runs inside the caller's transaction; see `UserEraser.forget`. */
export async function forgetOnDuckDb(
  c: DuckDBConnection,
  datasets: Datasets,
  users: readonly ForgottenHash[],
  at: number,
): Promise<ForgetOutcome> {
  const audit = forgottenUsersTable(datasets);
  const known = new Set(
    (await rows<{ user_hash: string }>(c, `SELECT user_hash FROM ${audit}`)).map((r) => r.user_hash),
  );
  const unique = new Map(users.filter((u) => SHA256_HEX.test(u.hash)).map((u) => [u.hash, u]));
  if (unique.size === 0) return { forgotten: [], unchanged: 0 };
  // A fact or intermediate table of an earlier version lacks columns the deletes name; it goes
  // now, and the next fact build rebuilds it from the raw tables, without the forgotten users.
  await dropChangedModelTables(c, datasets);
  await c.run(`CREATE OR REPLACE TEMP TABLE forget_hashes (user_hash VARCHAR)`);
  await c.run(`INSERT INTO ${HASHES} VALUES ${[...unique.keys()].map((h) => `('${h}')`).join(', ')}`);
  const tables = new Map<string, Record<string, number>>();
  for (const target of FORGET_TARGETS) {
    const schema = schemaOf(datasets, target);
    if (target.optional && !(await exists(c, schema, target.table))) continue;
    const name = `${schema}.${target.table}`;
    const sql = targetSql(DUCKDB_DIALECT, target, name, HASHES);
    for (const r of await rows<{ user_hash: string; n: bigint }>(c, sql.count)) {
      const perTable = tables.get(r.user_hash) ?? {};
      perTable[name] = Number(r.n);
      tables.set(r.user_hash, perTable);
    }
    await c.run(sql.delete);
  }
  await c.run(`DROP TABLE ${HASHES}`);
  const forgotten: UserForgotten[] = [];
  for (const user of unique.values()) {
    const perTable = tables.get(user.hash) ?? {};
    const total = Object.values(perTable).reduce((sum, n) => sum + n, 0);
    if (known.has(user.hash) && total === 0) continue;
    forgotten.push({ hash: user.hash, kind: user.kind, tables: perTable, rows: total });
  }
  if (forgotten.length > 0) {
    const values = forgotten.map(
      (u) =>
        `('${u.hash}', '${u.kind}', CAST(${DUCKDB_DIALECT.literal(JSON.stringify(u.tables))} AS JSON), ${u.rows}, ${epochMsToTimestamp(String(at))})`,
    );
    await c.run(
      `INSERT INTO ${audit} (${FORGOTTEN_USERS_COLUMNS.map((col) => col.name).join(', ')}) VALUES ${values.join(', ')}`,
    );
  }
  return { forgotten, unchanged: unique.size - forgotten.length };
}
