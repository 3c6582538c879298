/**
 * Writes the dashboard next to the warehouse (`.local/demo.dashboard.html` for the demo's) from
 * the fact tables and the pipeline's status, at the end of `npm start` and `npm run backfill`.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { STREAM_NAMES } from '../../functions/src/catalog.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import type { Datasets } from '../../sql/datasets.js';
import { localStatus } from '../status-local.js';
import { readFacts } from './data.js';
import { renderDashboard } from './html.js';
import { readInsights } from './insights-data.js';

/** One page per warehouse, so the demo's never replaces a real project's. */
export const dashboardFileOf = (warehouseFile: string): string =>
  join(dirname(warehouseFile), `${basename(warehouseFile, extname(warehouseFile))}.dashboard.html`);

export async function writeDashboard(options: {
  readonly warehouseFile: string;
  readonly datasets: Datasets;
  readonly now: number;
}): Promise<string> {
  const { warehouseFile, datasets, now } = options;
  const warehouse = await DuckDbWarehouse.open(warehouseFile, datasets);
  let facts: Awaited<ReturnType<typeof readFacts>>;
  let insights: Awaited<ReturnType<typeof readInsights>>;
  try {
    facts = await readFacts(warehouse);
    insights = await readInsights(warehouse);
  } catch (error) {
    throw new Error(
      `the dashboard reads the fact tables, which could not be read (${error instanceof Error ? error.message : String(error)}); ` +
        'build them with `npm start`',
      { cause: error },
    );
  } finally {
    await warehouse.close();
  }
  const health = await localStatus(warehouseFile, datasets, STREAM_NAMES, now);
  const html = await renderDashboard({
    generatedAt: now,
    // The file's name only: the page may be shared, and the folder it was built in is nobody's business.
    warehouse: basename(warehouseFile),
    ...facts,
    health: { streams: health.streams, note: health.note },
    insights,
  });
  const file = dashboardFileOf(warehouseFile);
  writeFileSync(file, html);
  return file;
}
