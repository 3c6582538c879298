/**
 * `npm run live` without the command line: the collector served on 127.0.0.1 over the local
 * stand-in for Pub/Sub → BigQuery, writing `iterable_live` in the warehouse file through a durable
 * buffer. `stop` answers the requests in flight, moves every accepted event into DuckDB, then
 * releases the file, so an event that got a 2xx is never lost to a shutdown (nor to a crash: the
 * next start replays the buffer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
  /**
   * The durable buffer's folder; by default `<warehouse file>.live-buffer` beside the file, and a
   * temporary folder (removed on stop) for an in-memory warehouse.
   */
  readonly bufferDir?: string;
}

export interface LiveRuntime {
  readonly url: string;
  readonly warehouse: DuckDbWarehouse;
  /**
   * Resolves once every event answered 2xx so far is in DuckDB (a 2xx means it is in the durable
   * buffer; DuckDB gets it a moment later).
   */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLive(options: LiveOptions): Promise<LiveRuntime> {
  const now = options.now ?? Date.now;
  const warehouse = await DuckDbWarehouse.open(options.warehouseFile);
  const inMemory = options.warehouseFile === ':memory:';
  const bufferDir =
    options.bufferDir ??
    (inMemory
      ? mkdtempSync(join(tmpdir(), 'live-buffer-'))
      : `${resolve(options.warehouseFile)}.live-buffer`);
  try {
    const sink = await DuckDbLiveSink.open(warehouse, bufferDir, options.log, now);
    const server = await serveCollector(
      collector({ sink, authorization: options.authorization, now, log: options.log }),
      options.port,
    );
    let stopped: Promise<void> | null = null;
    return {
      url: server.url,
      warehouse,
      settled: () => sink.flush(),
      stop: () => {
        stopped ??= (async () => {
          await server.close();
          await sink.close();
          await warehouse.close();
          if (inMemory && options.bufferDir === undefined)
            rmSync(bufferDir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    await warehouse.close();
    throw error;
  }
}
