/**
 * The server of `npm run dashboard`: the page at `/`, read from disk on every request so a page
 * reloaded after the next `npm start` shows the new one, and the live panel's event stream at
 * `/live` when a warehouse is given to read it from. Loopback only: the page holds user emails,
 * and nothing outside this machine should reach it.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { LIVE_TODAY_SQL, LiveFeed } from './live-feed.js';
import type { LiveRow } from './live-snapshot.js';

/** How often the live panel's view is read while a page listens: well inside the 2 s target. */
export const LIVE_POLL_MS = 500;

export interface DashboardServerOptions {
  /** The dashboard file `npm start` writes. */
  readonly file: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The warehouse the live panel reads; without it `/live` answers 204 and the panel says why. */
  readonly live?: DuckDbWarehouse;
  readonly now?: () => number;
}

export interface DashboardServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveDashboard(options: DashboardServerOptions): Promise<DashboardServer> {
  const now = options.now ?? Date.now;
  const warehouse = options.live;
  const feed =
    warehouse === undefined
      ? null
      : new LiveFeed(
          async () => ({
            today: new Date(now()).toISOString().slice(0, 10),
            rows: await warehouse.query<LiveRow>(LIVE_TODAY_SQL),
          }),
          LIVE_POLL_MS,
        );
  const server = createServer((request, response) => {
    if (request.url === '/live') {
      // 204 tells the page's EventSource not to reconnect (HTML, "Server-sent events", §9.2.3).
      if (feed === null) response.writeHead(204).end();
      else feed.listen(request, response);
      return;
    }
    if (request.url !== '/' && request.url !== '/index.html') {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('The dashboard is at /\n');
      return;
    }
    readFile(options.file).then(
      (html) => response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html),
      () =>
        response
          .writeHead(404, { 'Content-Type': 'text/plain' })
          .end(`There is no dashboard at ${options.file} yet; run \`npm start\` to build one.\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`cannot listen on 127.0.0.1:${options.port} (${error.message}); pick another --port`)),
    );
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        feed?.close();
        server.close(() => resolve());
        // A browser's keep-alive connections would otherwise hold the server open.
        server.closeAllConnections();
      }),
  };
}
