/**
 * `npm run live` without the command line: the collector served on 127.0.0.1 over the local
 * stand-in for Pub/Sub → BigQuery, writing `iterable_live` in the warehouse file. `stop` answers
 * the requests in flight, writes every accepted event, then releases the file, so an event that
 * got a 2xx is never lost to a shutdown.
 */
import { collector } from '../../functions/src/live/collect.js';
import type { Logger } from '../../functions/src/log.js';
import { DuckDbWarehouse } from '../duckdb-warehouse.js';
import { DuckDbLiveSink } from './duckdb-live-sink.js';
import { serveCollector } from './live-server.js';

export interface LiveOptions {
  readonly warehouseFile: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The exact `Authorization` header webhooks must carry (`WEBHOOK_AUTHORIZATION`). */
  readonly authorization: string;
  readonly log: Logger;
  readonly now?: () => number;
}

export interface LiveRuntime {
  readonly url: string;
  readonly warehouse: DuckDbWarehouse;
  stop(): Promise<void>;
}

export async function startLive(options: LiveOptions): Promise<LiveRuntime> {
  const now = options.now ?? Date.now;
  const warehouse = await DuckDbWarehouse.open(options.warehouseFile);
  const sink = new DuckDbLiveSink(warehouse, now);
  try {
    const server = await serveCollector(
      collector({ sink, authorization: options.authorization, now, log: options.log }),
      options.port,
    );
    let stopped: Promise<void> | null = null;
    return {
      url: server.url,
      warehouse,
      stop: () => {
        stopped ??= (async () => {
          await server.close();
          await sink.flush();
          await warehouse.close();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await warehouse.close();
    throw error;
  }
}
