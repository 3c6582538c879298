/**
 * `npm run dashboard`: serves the latest dashboard on loopback and prints its URL (see
 * dashboard-server.ts). With `--live` it also runs the webhook collector of `npm run live` on
 * `--live-port`, over the same warehouse, and the page's live panel follows today's figures as
 * webhooks arrive. Both in one process because DuckDB lets one process at a time open the file
 * (https://duckdb.org/docs/stable/connect/concurrency): a dashboard in another process than the
 * collector could not read what the collector writes.
 */
import { resolve } from 'node:path';
import { ConfigError } from '../../functions/src/config.js';
import { stdoutLogger } from '../../functions/src/log.js';
import { type LiveRuntime, startLive } from '../../local/live/live-runtime.js';
import { parseFlags, wholeNumber } from '../flags.js';
import { runCommand } from '../operator-options.js';
import { DEMO_WAREHOUSE, defaultWarehouse, PROJECT_WAREHOUSE } from '../warehouse-check.js';
import { webhookAuthorization } from '../webhook-secret.js';
import { serveDashboard } from './dashboard-server.js';
import { dashboardFileOf } from './write.js';

const DEFAULT_PORT = 8787;
/** Beside the dashboard's port, as `npm run live` would be if the dashboard did not take 8787. */
const DEFAULT_LIVE_PORT = 8788;
const ORPHAN_CHECK_MS = 500;
/** The process that started this one, read at start-up. */
const PARENT = process.ppid;

const USAGE = `Usage: npm run dashboard -- [--warehouse <file>] [--port <port>] [--live [--live-port <port>]]

  --warehouse  the warehouse whose dashboard to serve (default: ${PROJECT_WAREHOUSE} with ITERABLE_API_KEY
               set, else the demo's ${DEMO_WAREHOUSE}; the page is beside it)
  --port       port on 127.0.0.1 (default: ${DEFAULT_PORT}; 0 picks a free one)
  --live       also collect Iterable's webhooks (as npm run live does, WEBHOOK_AUTHORIZATION required)
               into the warehouse, and show today's figures in the page's live panel as they arrive
  --live-port  the collector's port on 127.0.0.1 (default: ${DEFAULT_LIVE_PORT})`;

const port = (name: string, text: string): number => {
  const n = wholeNumber(name, text, 0);
  if (n > 65_535) throw new ConfigError(`--${name} must be at most 65535, got ${n}`);
  return n;
};

async function main(): Promise<number> {
  const values = parseFlags(
    process.argv.slice(2),
    {
      warehouse: { type: 'string' },
      port: { type: 'string', default: String(DEFAULT_PORT) },
      live: { type: 'boolean', default: false },
      'live-port': { type: 'string', default: String(DEFAULT_LIVE_PORT) },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const warehouseFile = resolve(values.warehouse ?? defaultWarehouse());
  const dashboardPort = port('port', values.port);
  let live: LiveRuntime | null = null;
  if (values.live) {
    live = await startLive({
      warehouseFile,
      port: port('live-port', values['live-port']),
      authorization: webhookAuthorization(USAGE),
      log: stdoutLogger,
    });
  }
  const server = await serveDashboard({
    file: dashboardFileOf(warehouseFile),
    port: dashboardPort,
    live: live?.warehouse,
  }).catch(async (error: unknown) => {
    await live?.stop();
    throw error;
  });
  process.stdout.write(
    `Dashboard ${dashboardFileOf(warehouseFile)}\nserved at ${server.url} (Ctrl-C to stop)\n`,
  );
  if (live) process.stdout.write(`Collector at ${live.url} writing iterable_live.events\n`);
  return new Promise((resolveExit) => {
    const stop = () =>
      void server
        .close()
        .then(() => live?.stop())
        .then(() => resolveExit(0));
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stop);
    whenOrphaned(stop);
  });
}

/**
 * `npm run dashboard` starts this through a shell, and stopping npm (SIGTERM) ends that shell
 * without passing the signal on; the server then notices its parent is gone and stops too.
 */
function whenOrphaned(stop: () => void): void {
  const timer = setInterval(() => {
    if (process.ppid === PARENT) return;
    clearInterval(timer);
    stop();
  }, ORPHAN_CHECK_MS);
  timer.unref();
}

runCommand(main);
