/**
 * The statement that moves a stream's loaded edge, run inside the window's replacing transaction
 * by both warehouses (BigQuery's and DuckDB's write the parameters their own way). The edge only
 * moves forward: a lookback window re-read behind it, or a window delivered late, leaves it where
 * it is. A window loaded ahead of an earlier one still missing moves it past that gap, whose live
 * rows are then hidden until the earlier window loads: the views may briefly count too little,
 * never twice.
 */
export interface EdgeExpressions {
  /** The `loaded_edges` table, qualified. */
  readonly table: string;
  readonly stream: string;
  /** The window's end (exclusive), a TIMESTAMP expression. */
  readonly windowEnd: string;
  readonly loadedAt: string;
}

export const mergeLoadedEdge = (e: EdgeExpressions): string =>
  [
    `MERGE INTO ${e.table} AS edges`,
    `USING (SELECT ${e.stream} AS stream, ${e.windowEnd} AS loaded_edge, ${e.loadedAt} AS updated_at) AS loaded`,
    'ON edges.stream = loaded.stream',
    'WHEN MATCHED AND edges.loaded_edge < loaded.loaded_edge THEN',
    '  UPDATE SET loaded_edge = loaded.loaded_edge, updated_at = loaded.updated_at',
    'WHEN NOT MATCHED THEN',
    '  INSERT (stream, loaded_edge, updated_at) VALUES (loaded.stream, loaded.loaded_edge, loaded.updated_at)',
  ].join('\n');
