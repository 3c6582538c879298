/**
 * A stand-in for BigQuery's and Cloud Storage's REST APIs, on one port, in a process of its own,
 * for the memory benchmark of the deployed worker: it answers what `BigQueryWarehouse` calls (the
 * contract tests' fakes, `test/functions/gcp/bigquery-api.ts` and `gcs-api.ts`), reading each
 * staged part's chunks as they stream, counting their bytes and lines and dropping them, so the
 * data is stored by nobody. Says `{url}` once it listens, and at `SINK_UPLOADS_PATH` the totals of
 * the objects the load jobs so far have read.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { bigQueryApi } from '../test/functions/gcp/bigquery-api.js';
import { gcsApi } from '../test/functions/gcp/gcs-api.js';
import type { Reply } from '../test/functions/gcp/recording-server.js';
import { listenAsChild } from './child.js';
import { SINK_UPLOADS_PATH, type SinkUploads } from './sink-uploads.js';

const gcs = gcsApi({ keepText: false });
const api = bigQueryApi(undefined, (uri) => gcs.objects.get(uri));

function reply(res: ServerResponse, { status, body }: Reply): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

function totals(): SinkUploads {
  const sources = api.loads.flatMap((l) => l.sources);
  return {
    loadJobs: api.loads.length,
    objects: sources.length,
    bytes: sources.reduce((sum, s) => sum + s.size, 0),
    lines: sources.reduce((sum, s) => sum + s.lines, 0),
    left: gcs.objects.size,
  };
}

/** Every BigQuery call carries a small JSON body (a table, a job) or none. */
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
      reply(res, { status: 500, body: { error: { code: 500, message: String(error) } } });
    }
  });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === SINK_UPLOADS_PATH) return reply(res, { status: 200, body: totals() });
  if (gcs.handle(req, res)) return;
  answer(req, res, url);
});

listenAsChild(server);
