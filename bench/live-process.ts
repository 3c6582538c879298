/**
 * `npm run live` in a process of its own for the collector benchmark, so the load generator does
 * not share its core: the collector over a DuckDB file in a temporary folder. Says `{url, pid}` once
 * it listens (the benchmark reads its CPU time from /proc); SIGTERM stops it the way the command stops (answer, write, close).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLive } from '../local/live/live-runtime.js';

const { authorization } = JSON.parse(process.argv[2] ?? '{}') as { authorization: string };
const dir = mkdtempSync(join(tmpdir(), 'bench-live-'));
const live = await startLive({
  warehouseFile: join(dir, 'warehouse.duckdb'),
  port: 0,
  authorization,
  log: () => {},
});
process.stdout.write(`${JSON.stringify({ url: live.url, pid: process.pid })}\n`);
process.on(
  'SIGTERM',
  () =>
    void live.stop().then(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }),
);
