/**
 * `npm run live`: Iterable's system webhooks on a laptop. Serves the collector at POST / on
 * 127.0.0.1, as the deployed `collector` function answers at its root URL, and answers 2xx once an
 * event is synced to the durable buffer beside the warehouse file, from which it moves to
 * `iterable_live.events` moments later (local/live/duckdb-live-sink.ts):
 *   WEBHOOK_AUTHORIZATION='Bearer s3cret' npm run live -- --port 8787
 * SIGTERM or Ctrl-C answers the requests in flight, moves everything to DuckDB, then exits.
 * DuckDB lets one process write a file at a time: give `npm start` another file while this runs,
 * or stop this first.
 */
import { stdoutLogger } from '../functions/src/log.js';
import { startLive } from '../local/live/live-runtime.js';
import { parseFlags, wholeNumber } from './flags.js';
import { runCommand } from './operator-options.js';
import { defaultWarehouse } from './warehouse-check.js';
import { webhookAuthorization } from './webhook-secret.js';

export const DEFAULT_LIVE_PORT = 8787;

const USAGE = `Usage: WEBHOOK_AUTHORIZATION=<header> npm run live -- [--port ${DEFAULT_LIVE_PORT}] [--warehouse <file>]

Serves Iterable's system webhooks at POST / on 127.0.0.1 and writes them to iterable_live.events.
  --port       port to listen on (default: ${DEFAULT_LIVE_PORT}; 0 picks a free one)
  --warehouse  DuckDB file to write (default: ${defaultWarehouse()}, as npm start's)
WEBHOOK_AUTHORIZATION is the exact Authorization header the webhooks carry (in Iterable:
Integrations → System Webhooks → Auth type "Basic" with this token, or "OAuth2" with
"OAuth2 <token>" here).`;

async function main(): Promise<number> {
  const values = parseFlags(
    process.argv.slice(2),
    {
      port: { type: 'string', default: String(DEFAULT_LIVE_PORT) },
      warehouse: { type: 'string', default: defaultWarehouse() },
      help: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const authorization = webhookAuthorization(USAGE);
  const live = await startLive({
    warehouseFile: String(values.warehouse),
    port: wholeNumber('port', String(values.port), 0),
    authorization,
    log: stdoutLogger,
  });
  process.stdout.write(`Collector at ${live.url} writing iterable_live.events in ${values.warehouse}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void live.stop().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('Stopped; every accepted event is in the warehouse.\n');
  return 0;
}

runCommand(main);
