/**
 * `npm run dashboard`: serves the latest dashboard on loopback and prints its URL. The file is read
 * on every request, so a page reloaded after the next `npm start` shows the new one. Loopback only:
 * the page holds user emails, and nothing outside this machine should reach it.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_WAREHOUSE } from '../cli.js';
import { runCommand } from '../operator-cli.js';
import { dashboardFileOf } from './write.js';

const USAGE = `Usage: npm run dashboard -- [--warehouse <file>] [--port <port>]

  --warehouse  the warehouse whose dashboard to serve (default: ${DEFAULT_WAREHOUSE}; the page is beside it)
  --port       port on 127.0.0.1 (default: 8787; 0 picks a free one)`;

function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      warehouse: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return Promise.resolve(0);
  }
  const file = dashboardFileOf(resolve(values.warehouse ?? DEFAULT_WAREHOUSE));
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
      reject(
        new Error(
          `cannot listen on 127.0.0.1:${values.port ?? 8787} (${error.message}); pick another --port`,
        ),
      ),
    );
    server.listen(Number(values.port ?? 8787), '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      process.stdout.write(`Dashboard ${file}\nserved at http://127.0.0.1:${port}/ (Ctrl-C to stop)\n`);
    });
    process.once('SIGINT', () => server.close(() => resolveExit(0)));
  });
}

runCommand(main);
