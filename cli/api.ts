/**
 * `npm run api -- [--port P] [--warehouse W]`: serves the analytics API (/v1, as deployed) on
 * 127.0.0.1 over the local warehouse. API keys: set API_KEY_SHA256 to the keys' SHA-256 digests.
 */
import { resolve } from 'node:path';
import { loadApiConfig } from '../functions/src/api/api-config.js';
import { loadConfig } from '../functions/src/config.js';
import { startApiServer } from '../local/api-server.js';
import { parseFlags, wholeNumber } from './flags.js';
import { runCommand } from './operator-options.js';
import { defaultWarehouse } from './warehouse-check.js';

const DEFAULT_PORT = 8788;

export const API_USAGE = `Usage: npm run api -- [--port ${DEFAULT_PORT}] [--warehouse ${defaultWarehouse()}]

Serves the analytics API on http://127.0.0.1:<port>/v1 (routes: /v1/openapi.json) over a warehouse
that npm start has built. With API_KEY_SHA256=<sha256 hex>[,…] every request needs X-API-Key.`;

async function main(): Promise<number> {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      warehouse: { type: 'string', default: defaultWarehouse() },
      help: { type: 'boolean', default: false },
    },
    API_USAGE,
  );
  if (flags.help) {
    process.stdout.write(`${API_USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  const api = loadApiConfig();
  const server = await startApiServer({
    warehouseFile: resolve(String(flags.warehouse)),
    datasets: config.datasets,
    streams: config.streams,
    port: wholeNumber('port', String(flags.port), 0),
    auth: api.auth,
    settings: api.settings,
    log: (entry) => process.stderr.write(`${JSON.stringify(entry)}\n`),
  });
  const keys = api.auth.kind === 'api-key' ? `, ${api.auth.sha256.size} API key(s)` : ', no API keys';
  process.stdout.write(
    `Analytics API on ${server.url}/v1 (${server.url}/v1/openapi.json${keys}); Ctrl-C stops it\n`,
  );
  await new Promise<void>((done) => process.once('SIGINT', done));
  await server.close();
  return 0;
}

runCommand(main);
