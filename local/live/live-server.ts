/**
 * Serves the collector over HTTP on a laptop, at the root URL as the deployed function is
 * (`POST /`). Unlike behind the Functions Framework, the body is read here: reading stops
 * keeping bytes past the collector's bound, so an oversized body costs no memory, and a body that
 * is not JSON reaches the collector whatever its content type (and becomes a live reject).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Collect, MAX_WEBHOOK_BYTES } from '../../functions/src/live/collect.js';

interface Body {
  readonly body: Buffer;
  readonly oversize: boolean;
}

function readBody(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_WEBHOOK_BYTES + chunk.length) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      resolve({ body: body.subarray(0, MAX_WEBHOOK_BYTES), oversize: size > MAX_WEBHOOK_BYTES });
    });
    req.on('error', reject);
  });
}

const send = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

export interface LiveServer {
  readonly server: Server;
  readonly url: string;
  /** Stops accepting requests and resolves once the ones in flight have been answered. */
  close(): Promise<void>;
}

export async function serveCollector(collect: Collect, port: number): Promise<LiveServer> {
  const server = createServer((req, res) => {
    if (req.url !== '/' && !req.url?.startsWith('/?')) {
      send(res, 404, { error: 'the collector listens at POST /' });
      req.resume();
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      send(res, 405, { error: 'Iterable webhooks are POST requests' });
      req.resume();
      return;
    }
    readBody(req)
      .then(({ body, oversize }) => collect({ authorization: req.headers.authorization, body, oversize }))
      .then(
        (answer) => send(res, answer.status, answer.body),
        (error: unknown) => send(res, 500, { error: error instanceof Error ? error.message : String(error) }),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
