/**
 * The BigQuery schemas the SQL is checked against, derived from the same declarations as the
 * tables themselves: the stream catalog (raw tables, rejects and loaded edges per stream with their views), the campaign metrics table and the
 * audit of forgotten users.
 */
import {
  CAMPAIGN_METRICS_TABLE,
  CAMPAIGN_METRICS_TABLE_COLUMNS,
} from '../../../functions/src/campaign-metrics-table.js';
import { rawTableName, STREAMS } from '../../../functions/src/catalog.js';
import { FORGOTTEN_USERS_COLUMNS, FORGOTTEN_USERS_TABLE } from '../../../functions/src/forget-tables.js';
import {
  LIVE_DATASET,
  LIVE_EVENT_COLUMNS,
  LIVE_EVENTS_TABLE,
  LIVE_REJECT_COLUMNS,
  LIVE_REJECTS_TABLE,
} from '../../../functions/src/live/live-tables.js';
import { LOADED_EDGES, REJECTS } from '../../../functions/src/per-stream-tables.js';
import { rawTableColumns } from '../../../local/duckdb-ddl.js';
import { DEFAULT_DATASETS } from '../../../sql/datasets.js';
import { type CatalogColumn, catalogColumn, type TableSchemas } from './zetasql.js';

export function rawSchemas(): TableSchemas {
  const raw = new Map<string, readonly CatalogColumn[]>([
    ...STREAMS.map((s): [string, CatalogColumn[]] => [
      rawTableName(s.name),
      rawTableColumns(s).map(catalogColumn),
    ]),
    // The views and the per-stream tables under them share their columns.
    ...[REJECTS, LOADED_EDGES].flatMap((t) =>
      [t.view, ...t.tables.map((s) => s.table)].map((name): [string, CatalogColumn[]] => [
        name,
        t.columns.map(catalogColumn),
      ]),
    ),
    [CAMPAIGN_METRICS_TABLE, CAMPAIGN_METRICS_TABLE_COLUMNS.map(catalogColumn)],
    [FORGOTTEN_USERS_TABLE, FORGOTTEN_USERS_COLUMNS.map(catalogColumn)],
  ]);
  const live = new Map<string, readonly CatalogColumn[]>([
    [LIVE_EVENTS_TABLE, LIVE_EVENT_COLUMNS.map(catalogColumn)],
    [LIVE_REJECTS_TABLE, LIVE_REJECT_COLUMNS.map(catalogColumn)],
  ]);
  return new Map([
    [DEFAULT_DATASETS.raw, raw],
    [DEFAULT_DATASETS.analytics, new Map()],
    [LIVE_DATASET, live],
  ]);
}
