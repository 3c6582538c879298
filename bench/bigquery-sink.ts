/**
 * A stand-in for BigQuery's REST API, in a process of its own, for the memory benchmark of the
 * deployed worker: it answers what `BigQueryWarehouse` calls (the contract tests' fake,
 * `test/functions/gcp/bigquery-api.ts`) but reads each load job's upload as it streams, counting
 * its bytes and lines and dropping them, so the data is stored by nobody. Says `{url}` once it
 * listens, and the totals uploaded so far at `SINK_UPLOADS_PATH`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { bigQueryApi, UPLOAD_PATH } from '../test/functions/gcp/bigquery-api.js';
import type { Reply } from '../test/functions/gcp/recording-server.js';
import { listenAsChild } from './child.js';
import { MediaUploadCounter } from './media-upload-counter.js';
import { SINK_UPLOADS_PATH, type SinkUploads } from './sink-uploads.js';

const api = bigQueryApi();
const totals: { -readonly [K in keyof SinkUploads]: number } = { uploads: 0, bytes: 0, lines: 0 };

function reply(res: ServerResponse, { status, body }: Reply): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

const failure = (error: unknown): Reply => ({
  status: 500,
  body: { error: { code: 500, message: String(error) } },
});

function streamUpload(req: IncomingMessage, res: ServerResponse): void {
  const boundary = /boundary="?([^";]+)"?/.exec(req.headers['content-type'] ?? '')?.[1];
  if (!boundary) {
    reply(res, { status: 400, body: { error: { code: 400, message: 'not a multipart upload' } } });
    return;
  }
  const counter = new MediaUploadCounter(boundary);
  req.on('data', (chunk: Buffer) => {
    try {
      counter.write(chunk);
    } catch (error) {
      reply(res, failure(error));
      req.destroy();
    }
  });
  req.on('end', () => {
    try {
      const count = counter.end();
      totals.uploads++;
      totals.bytes += count.bytes;
      totals.lines += count.lines;
      reply(res, api.upload(count.metadata));
    } catch (error) {
      reply(res, failure(error));
    }
  });
}

/** Every other call carries a small JSON body (a table, a query job) or none. */
function answer(req: IncomingMessage, res: ServerResponse, url: URL): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const request = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    try {
      reply(res, api.handler(request));
    } catch (error) {
      reply(res, failure(error));
    }
  });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === SINK_UPLOADS_PATH) return reply(res, { status: 200, body: totals });
  if (req.method === 'POST' && UPLOAD_PATH.test(url.pathname)) return streamUpload(req, res);
  answer(req, res, url);
});

listenAsChild(server);
