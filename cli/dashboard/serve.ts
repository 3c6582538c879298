/**
 * `npm run dashboard`: serves the latest dashboard on loopback and prints its URL. The file is read
 * on every request, so a page reloaded after the next `npm start` shows the new one. Loopback only:
 * the page holds user emails, and nothing outside this machine should reach it.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { ConfigError } from '../../functions/src/config.js';
import { parseFlags, wholeNumber } from '../flags.js';
import { runCommand } from '../operator-options.js';
import { DEMO_WAREHOUSE, defaultWarehouse, PROJECT_WAREHOUSE } from '../warehouse-check.js';
import { dashboardFileOf } from './write.js';

const DEFAULT_PORT = 8787;
const ORPHAN_CHECK_MS = 500;
/** The process that started this one, read at start-up. */
const PARENT = process.ppid;

const USAGE = `Usage: npm run dashboard -- [--warehouse <file>] [--port <port>]

  --warehouse  the warehouse whose dashboard to serve (default: ${PROJECT_WAREHOUSE} with ITERABLE_API_KEY
               set, else the demo's ${DEMO_WAREHOUSE}; the page is beside it)
  --port       port on 127.0.0.1 (default: ${DEFAULT_PORT}; 0 picks a free one)`;

async function main(): Promise<number> {
  const values = parseFlags(
    process.argv.slice(2),
    {
      warehouse: { type: 'string' },
      port: { type: 'string', default: String(DEFAULT_PORT) },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = wholeNumber('port', values.port, 0);
  if (port > 65_535) throw new ConfigError(`--port must be at most 65535, got ${port}`);
  const file = dashboardFileOf(resolve(values.warehouse ?? defaultWarehouse()));
  const server = createServer((request, response) => {
    if (request.url !== '/' && request.url !== '/index.html') {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('The dashboard is at /\n');
      return;
    }
    readFile(file).then(
      (html) => response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html),
      () =>
        response
          .writeHead(404, { 'Content-Type': 'text/plain' })
          .end(`There is no dashboard at ${file} yet; run \`npm start\` to build one.\n`),
    );
  });
  return new Promise((resolveExit, reject) => {
    server.once('error', (error) =>
      reject(new Error(`cannot listen on 127.0.0.1:${port} (${error.message}); pick another --port`)),
    );
    server.listen(port, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      process.stdout.write(`Dashboard ${file}\nserved at http://127.0.0.1:${port}/ (Ctrl-C to stop)\n`);
    });
    const stop = () => {
      server.close(() => resolveExit(0));
      // A browser's keep-alive connections would otherwise hold the server open.
      server.closeAllConnections();
    };
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
