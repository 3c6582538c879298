/**
 * Measurement 3: peak RSS of the worker loading one window of each size. The records come from
 * `ndjson-server.ts` and the load runs in `memory-worker.ts`, each in its own process, so the
 * figure is the worker's alone; streaming keeps it flat whatever the window holds.
 */

import { runChild, startServer } from './child.js';
import { atMost, type Figure, figure } from './figure.js';
import type { MemoryWorkerArgs, MemoryWorkerResult } from './memory-worker.js';
import type { NdjsonServerArgs } from './ndjson-server.js';

export interface MemorySizes {
  readonly windows: readonly number[];
}

const MIB = 1024 * 1024;
const MAX_RSS_MIB = 256;

export async function measureMemory(sizes: MemorySizes): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const records of sizes.windows) {
    const args: NdjsonServerArgs = { records };
    const server = await startServer<{ url: string }>('ndjson-server.ts', args);
    try {
      const worker: MemoryWorkerArgs = { url: server.hello.url };
      const result = await runChild<MemoryWorkerResult>('memory-worker.ts', worker);
      if (result.rows !== records) throw new Error(`the worker loaded ${result.rows} of ${records} records`);
      const label = `worker peak RSS, one window of ${records.toLocaleString('en-US')} records`;
      figures.push(figure(label, result.maxRssBytes / MIB, 'MiB', atMost(MAX_RSS_MIB)));
      figures.push(figure(`  its load rate`, records / result.seconds, 'records/s'));
    } finally {
      await server.stop();
    }
  }
  return figures;
}
