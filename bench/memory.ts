/**
 * Measurement 3: peak RSS of the worker loading one window of each size, into each warehouse.
 * The records come from `ndjson-server.ts`, BigQuery's side from `bigquery-sink.ts`, and the load
 * runs in `memory-worker.ts`, each in its own process, so the figure is the worker's alone. The
 * target is the deployed worker's (BigQuery load jobs); the local DuckDB stand-in stages rows in
 * DuckDB's memory, so its figure is context.
 */

import { runChild, type Server, startServer } from './child.js';
import { atMost, type Figure, figure, type Target } from './figure.js';
import type { MemoryWarehouse, MemoryWorkerArgs, MemoryWorkerResult } from './memory-worker.js';
import type { NdjsonServerArgs } from './ndjson-server.js';
import { SINK_UPLOADS_PATH, type SinkUploads } from './sink-uploads.js';

export interface MemorySizes {
  readonly windows: readonly number[];
}

interface Url {
  readonly url: string;
}

const MIB = 1024 * 1024;
const MAX_RSS_MIB = 256;

const count = (n: number): string => n.toLocaleString('en-US');

async function sinkLines(sink: Server<Url>): Promise<number> {
  const uploads = (await (await fetch(`${sink.hello.url}${SINK_UPLOADS_PATH}`)).json()) as SinkUploads;
  return uploads.lines;
}

async function measureWindow(
  records: number,
  warehouse: MemoryWarehouse,
  label: string,
  target: Target | null,
): Promise<Figure[]> {
  const server = await startServer<Url>('ndjson-server.ts', { records } satisfies NdjsonServerArgs);
  try {
    const worker: MemoryWorkerArgs = { url: server.hello.url, warehouse };
    const result = await runChild<MemoryWorkerResult>('memory-worker.ts', worker);
    if (result.rows !== records) throw new Error(`the worker loaded ${result.rows} of ${records} records`);
    return [
      figure(`${label}, one window of ${count(records)} records`, result.maxRssBytes / MIB, 'MiB', target),
      figure(`  its load rate`, records / result.seconds, 'records/s'),
    ];
  } finally {
    await server.stop();
  }
}

export async function measureMemory(sizes: MemorySizes): Promise<Figure[]> {
  const figures: Figure[] = [];
  const sink = await startServer<Url>('bigquery-sink.ts', {});
  try {
    for (const records of sizes.windows) {
      const before = await sinkLines(sink);
      const label = 'deployed worker (BigQuery load job) peak RSS';
      figures.push(
        ...(await measureWindow(
          records,
          { kind: 'bigquery', url: sink.hello.url },
          label,
          atMost(MAX_RSS_MIB),
        )),
      );
      const uploaded = (await sinkLines(sink)) - before;
      if (uploaded !== records) throw new Error(`the sink received ${uploaded} of ${records} records`);
    }
  } finally {
    await sink.stop();
  }
  for (const records of sizes.windows)
    figures.push(
      ...(await measureWindow(records, { kind: 'duckdb' }, 'local stand-in (DuckDB) peak RSS', null)),
    );
  return figures;
}
