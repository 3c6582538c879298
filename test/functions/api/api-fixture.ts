/**
 * A warehouse with fact tables, built once per test file the way `npm start` builds it (the
 * pipeline against the simulator, then every model of sql/), and the API served over it by
 * `startApiServer`, the server `npm run api` runs.
 */
import type { ApiAuth } from '../../../functions/src/api/auth.js';
import { STREAM_NAMES } from '../../../functions/src/catalog.js';
import { DAY } from '../../../functions/src/time.js';
import { type ApiServer, startApiServer } from '../../../local/api-server.js';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { runModels } from '../../../local/sql/models.js';
import { DEFAULT_DATASETS } from '../../../sql/datasets.js';
import { FROM, run, silent, simulator, tempWarehouse } from '../../support/pipeline.js';

export const DAYS = 6;
/** The API's clock: the end of the simulated range, so default date ranges cover the data. */
export const NOW = FROM + DAYS * DAY;

export async function buildWarehouse(): Promise<string> {
  const sim = await simulator({ days: DAYS, events: 6000 });
  const file = tempWarehouse();
  try {
    await run(sim, file, { from: FROM, to: NOW }, { windowMinutes: 24 * 60 });
  } finally {
    await sim.close();
  }
  const warehouse = await DuckDbWarehouse.open(file);
  try {
    await runModels(warehouse, { now: NOW });
  } finally {
    await warehouse.close();
  }
  return file;
}

export function serveApi(
  warehouseFile: string,
  options: { auth?: ApiAuth; cacheSeconds?: number } = {},
): Promise<ApiServer> {
  return startApiServer({
    warehouseFile,
    datasets: DEFAULT_DATASETS,
    streams: STREAM_NAMES,
    port: 0,
    auth: options.auth ?? { kind: 'iam' },
    settings: { cacheSeconds: options.cacheSeconds ?? 60, cacheEntries: 100 },
    log: silent,
    now: () => NOW,
  });
}
