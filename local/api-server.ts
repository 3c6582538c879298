/**
 * The analytics API on a laptop: the deployed function's handler on a node:http server bound to
 * 127.0.0.1, over the local warehouse (DuckDB) and its ledger, as `npm run api` serves it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiAuth } from '../functions/src/api/auth.js';
import { type ApiSettings, apiHandler } from '../functions/src/api/handler.js';
import type { StreamName } from '../functions/src/catalog.js';
import { ConfigError } from '../functions/src/config.js';
import type { Logger } from '../functions/src/log.js';
import type { Datasets } from '../sql/datasets.js';
import { DuckDbFactReader } from './duckdb-fact-reader.js';
import { DuckDbWarehouse } from './duckdb-warehouse.js';
import { JsonFileStateStore } from './json-state-store.js';
import { stateFileOf } from './run.js';

export interface ApiServerOptions {
  readonly warehouseFile: string;
  readonly datasets: Datasets;
  readonly streams: readonly StreamName[];
  /** 0 for any free port. */
  readonly port: number;
  readonly auth: ApiAuth;
  readonly settings: ApiSettings;
  readonly log: Logger;
  readonly now?: () => number;
}

export interface ApiServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const warehouse = await DuckDbWarehouse.open(options.warehouseFile, options.datasets);
  const state = await JsonFileStateStore.open(stateFileOf(options.warehouseFile));
  const reader = new DuckDbFactReader(warehouse);
  try {
    await reader.read({
      sql: `SELECT 1 FROM ${options.datasets.analytics}.campaign_fact_table LIMIT 1`,
      params: {},
    });
  } catch {
    reader.close();
    await Promise.all([warehouse.close(), state.close()]);
    throw new ConfigError(
      `${options.warehouseFile} has no fact tables; build them first with \`npm start -- --warehouse ${options.warehouseFile}\``,
    );
  }
  const handler = apiHandler(
    {
      reader,
      state,
      streams: options.streams,
      analyticsDataset: options.datasets.analytics,
      auth: options.auth,
      now: options.now ?? Date.now,
      log: options.log,
    },
    options.settings,
  );
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      reader.close();
      await Promise.all([warehouse.close(), state.close()]);
    },
  };
}
