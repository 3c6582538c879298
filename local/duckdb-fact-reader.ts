/**
 * The API's query port on the local warehouse: each statement is prepared, its `@name`
 * parameters rewritten to DuckDB's `$name` and bound as values, so a caller's input is never SQL
 * text here either. The `@name` rewrite touches only the statement's own (trusted) text, which
 * has no string literals containing `@`. Statements are prepared once per pooled connection.
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import type { FactReader, FactRow, Statement } from '../functions/src/api/fact-reader.js';
import type { DuckDbWarehouse } from './duckdb-warehouse.js';

const toDuckDbParameters = (sql: string) => sql.replace(/@([a-z_]+)/g, (_, name: string) => `$${name}`);

/** TIMESTAMP as ISO 8601, BIGINT/HUGEINT as numbers: what the BigQuery adapter gives too. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  return value;
}

interface PooledConnection {
  readonly connection: DuckDBConnection;
  readonly prepared: Map<string, DuckDBPreparedStatement>;
}

export class DuckDbFactReader implements FactReader {
  private readonly idle: PooledConnection[] = [];
  private readonly all: PooledConnection[] = [];

  constructor(private readonly warehouse: DuckDbWarehouse) {}

  async read(statement: Statement): Promise<FactRow[]> {
    const pooled = this.idle.pop() ?? (await this.open());
    try {
      const sql = toDuckDbParameters(statement.sql);
      let prepared = pooled.prepared.get(sql);
      if (prepared === undefined) {
        prepared = await pooled.connection.prepare(sql);
        pooled.prepared.set(sql, prepared);
      }
      prepared.clearBindings();
      for (const [name, value] of Object.entries(statement.params)) {
        const index = prepared.parameterIndex(name);
        if (typeof value === 'number') prepared.bindBigInt(index, BigInt(value));
        else prepared.bindVarchar(index, value);
      }
      const reader = await prepared.runAndReadAll();
      return reader
        .getRowObjectsJS()
        .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
    } finally {
      this.idle.push(pooled);
    }
  }

  private async open(): Promise<PooledConnection> {
    const pooled = { connection: await this.warehouse.connect(), prepared: new Map() };
    this.all.push(pooled);
    return pooled;
  }

  /** Closes the pooled connections; the warehouse itself stays open for its owner to close. */
  close(): void {
    for (const { connection } of this.all) connection.closeSync();
    this.all.length = 0;
    this.idle.length = 0;
  }
}
