/**
 * Writes JS rows into a DuckDB table through its Appender, one full data chunk at a time. Filling
 * chunks column by column is about a fifth faster than one `append*` call per cell (numbers go into
 * the chunk's typed arrays without a native call; only strings cross one by one), and filling them
 * whole whatever the batch sizes keeps small batches from costing a chunk each.
 */
import {
  BOOLEAN,
  DOUBLE,
  type DuckDBAppender,
  DuckDBDataChunk,
  type DuckDBType,
  DuckDBVector,
  VARCHAR,
} from '@duckdb/node-api';
import type { Cell } from '../functions/src/ports.js';

/** The column types a staging table uses: every catalog type travels as one of these. */
export type StagingType = 'DOUBLE' | 'VARCHAR' | 'BOOLEAN';

const TYPES: Readonly<Record<StagingType, { duckdb: DuckDBType; js: 'number' | 'string' | 'boolean' }>> = {
  DOUBLE: { duckdb: DOUBLE, js: 'number' },
  VARCHAR: { duckdb: VARCHAR, js: 'string' },
  BOOLEAN: { duckdb: BOOLEAN, js: 'boolean' },
};

export interface WriterColumn<R> {
  readonly name: string;
  readonly staging: StagingType;
  readonly cell: (row: R) => Cell;
}

export class ChunkWriter<R> {
  private readonly types: readonly DuckDBType[];
  private readonly chunkRows = DuckDBVector.standardSize();
  private chunk: DuckDBDataChunk | null = null;
  private filled = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly columns: readonly WriterColumn<R>[],
  ) {
    this.types = columns.map((c) => TYPES[c.staging].duckdb);
  }

  write(rows: readonly R[]): void {
    for (let from = 0; from < rows.length; ) {
      this.chunk ??= DuckDBDataChunk.create(this.types, this.chunkRows);
      const n = Math.min(rows.length - from, this.chunkRows - this.filled);
      for (const [k, column] of this.columns.entries()) {
        const vector = this.chunk.getColumnVector(k);
        const expected = TYPES[column.staging].js;
        for (let i = 0; i < n; i++) {
          const value = column.cell(rows[from + i] as R);
          // A cell of the wrong JS type is a normaliser bug; failing here keeps it out of the table.
          if (value !== null && typeof value !== expected) {
            throw new TypeError(
              `column ${column.name} expects a ${expected} cell, got ${JSON.stringify(value)}`,
            );
          }
          vector.setItem(this.filled + i, value);
        }
      }
      this.filled += n;
      from += n;
      if (this.filled === this.chunkRows) this.appendChunk();
    }
  }

  /** Appends the last, partial chunk and closes the appender, which flushes it into the table. */
  close(): void {
    if (this.filled > 0) this.appendChunk();
    this.appender.closeSync();
  }

  /** Drops what was written but not yet in the table, for a load that failed. */
  discard(): void {
    this.chunk = null;
    this.filled = 0;
    this.appender.clear();
    this.appender.closeSync();
  }

  private appendChunk(): void {
    const chunk = this.chunk as DuckDBDataChunk;
    // Vectors are written back before the size changes: setting it drops the chunk's vector views.
    for (let k = 0; k < this.columns.length; k++) chunk.getColumnVector(k).flush();
    chunk.rowCount = this.filled;
    this.appender.appendDataChunk(chunk);
    this.chunk = null;
    this.filled = 0;
  }
}
