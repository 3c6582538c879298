/**
 * The analytics API in a process of its own, for the API benchmark: the server `npm run api` runs,
 * on its own core, while the benchmark's load generator runs on the other. Says `{url}` once it
 * listens, with its pid (the benchmark reads its CPU time from /proc); closes on SIGTERM.
 */
import { STREAM_NAMES } from '../functions/src/catalog.js';
import { startApiServer } from '../local/api-server.js';
import { DEFAULT_DATASETS } from '../sql/datasets.js';

export interface ApiProcessArgs {
  readonly warehouseFile: string;
  readonly cacheSeconds: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ApiProcessArgs;
const server = await startApiServer({
  warehouseFile: args.warehouseFile,
  datasets: DEFAULT_DATASETS,
  streams: STREAM_NAMES,
  port: 0,
  auth: { kind: 'iam' },
  settings: { cacheSeconds: args.cacheSeconds, cacheEntries: 1000 },
  log: (entry) => process.stderr.write(`${JSON.stringify(entry)}\n`),
});
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
