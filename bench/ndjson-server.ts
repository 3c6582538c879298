/**
 * A stand-in for Iterable's export endpoint, in a process of its own, for the memory benchmark:
 * any export request is answered with `records` lines of the fixture's opens, cycled, streamed in
 * 64 KiB chunks with backpressure. It holds a small pool, never the body, so a window of millions
 * of records costs it nothing. Says `{url}` once it listens.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { listenAsChild } from './child.js';
import { recordPool } from './fixture.js';

export interface NdjsonServerArgs {
  readonly records: number;
}

const CHUNK_LINES = 160;

const { records } = JSON.parse(process.argv[2] ?? '{}') as NdjsonServerArgs;
const pool = recordPool('email_open');
const chunks = Array.from({ length: Math.ceil(pool.length / CHUNK_LINES) }, (_, k) => {
  const lines = pool.slice(k * CHUNK_LINES, (k + 1) * CHUNK_LINES);
  return { body: Buffer.from(`${lines.join('\n')}\n`), lines: lines.length };
});

const server = createServer(async (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/x-json-stream' });
  for (let sent = 0, k = 0; sent < records && !res.destroyed; k = (k + 1) % chunks.length) {
    const chunk = chunks[k] as (typeof chunks)[number];
    const lines = Math.min(chunk.lines, records - sent);
    if (!res.write(lines === chunk.lines ? chunk.body : lineSlice(chunk.body, lines)))
      await once(res, 'drain');
    sent += lines;
  }
  res.end();
});

/** The first `lines` lines of a chunk, for the last, partial one. */
function lineSlice(chunk: Buffer, lines: number): Buffer {
  let end = 0;
  for (let n = 0; n < lines; n++) end = chunk.indexOf(10, end) + 1;
  return chunk.subarray(0, end);
}

listenAsChild(server);
