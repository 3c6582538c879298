/**
 * Measurement 3: peak RSS of the worker loading one window of each size, into each warehouse.
 * The records come from `ndjson-server.ts`, Cloud Storage's and BigQuery's side from
 * `bigquery-sink.ts`, and the load runs in `memory-worker.ts`, each in its own process, so the
 * figure is the worker's alone. The target is the deployed worker's (parts staged in Cloud Storage
 * by resumable uploads, then BigQuery load jobs); the local DuckDB stand-in stages rows in DuckDB's
 * memory, so its figure is context.
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

async function sinkUploads(sink: Server<Url>): Promise<SinkUploads> {
  return (await (await fetch(`${sink.hello.url}${SINK_UPLOADS_PATH}`)).json()) as SinkUploads;
}

interface Measured {
  readonly seconds: number;
  readonly figures: Figure[];
}

async function measureWindow(
  records: number,
  warehouse: MemoryWarehouse,
  label: string,
  target: Target | null,
): Promise<Measured> {
  const server = await startServer<Url>('ndjson-server.ts', { records } satisfies NdjsonServerArgs);
  try {
    const worker: MemoryWorkerArgs = { url: server.hello.url, warehouse };
    const result = await runChild<MemoryWorkerResult>('memory-worker.ts', worker);
    if (result.rows !== records) throw new Error(`the worker loaded ${result.rows} of ${records} records`);
    return {
      seconds: result.seconds,
      figures: [
        figure(`${label}, one window of ${count(records)} records`, result.maxRssBytes / MIB, 'MiB', target),
        figure(`  its load rate`, records / result.seconds, 'records/s'),
      ],
    };
  } finally {
    await server.stop();
  }
}

export async function measureMemory(sizes: MemorySizes): Promise<Figure[]> {
  const figures: Figure[] = [];
  const sink = await startServer<Url>('bigquery-sink.ts', {});
  try {
    for (const records of sizes.windows) {
      const before = await sinkUploads(sink);
      const label = 'deployed worker (Cloud Storage parts, BigQuery load job) peak RSS';
      const measured = await measureWindow(
        records,
        { kind: 'bigquery', url: sink.hello.url },
        label,
        atMost(MAX_RSS_MIB),
      );
      const after = await sinkUploads(sink);
      // The load jobs read every record from the staged parts, and the parts were deleted.
      if (after.lines - before.lines !== records) {
        throw new Error(`the load jobs read ${after.lines - before.lines} of ${records} records`);
      }
      if (after.left !== 0) throw new Error(`${after.left} staged objects were left in the bucket`);
      const mib = (after.bytes - before.bytes) / MIB;
      figures.push(
        ...measured.figures,
        figure(`  staged in ${after.objects - before.objects} parts, at`, mib / measured.seconds, 'MiB/s'),
      );
    }
  } finally {
    await sink.stop();
  }
  for (const records of sizes.windows)
    figures.push(
      ...(await measureWindow(records, { kind: 'duckdb' }, 'local stand-in (DuckDB) peak RSS', null)).figures,
    );
  return figures;
}
