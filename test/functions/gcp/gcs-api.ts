/**
 * Just enough of Cloud Storage's JSON API for the warehouse's load staging (staged-load.ts) through
 * the real `@google-cloud/storage` client: resumable uploads (start a session, PUT chunks, ask how
 * much arrived) and object deletes. Chunks are read as they stream: a store keeps each object's
 * text (contract tests) or only counts its bytes and lines (the memory benchmark's sink). A fault
 * can answer any request with an error status instead, without keeping what it carried. Objects
 * carry the MD5 the client compares with its own (`validation: 'md5'` in staged-load.ts).
 * https://cloud.google.com/storage/docs/performing-resumable-uploads
 */
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredObject {
  readonly uri: string;
  readonly size: number;
  /** Newline-ended lines: one per staged row. */
  readonly lines: number;
  readonly md5Hash: string;
  /** `null` in a store that only counts. */
  readonly text: string | null;
}

export interface GcsRequest {
  readonly method: string;
  readonly path: string;
  /** The object's `gs://` URI, for uploads and deletes. */
  readonly uri: string;
  readonly contentRange: string | null;
}

/** A status to answer a request with instead of serving it, or `null` to serve it. */
export type GcsFault = (request: GcsRequest) => number | null;

export interface GcsApiOptions {
  readonly keepText: boolean;
  readonly fault?: GcsFault;
}

export interface GcsApi {
  /** Serves the request if it is a Cloud Storage call; `false` leaves it to the caller. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Objects that exist now, by `gs://` URI. */
  readonly objects: Map<string, StoredObject>;
  /** Every request served, with the status it was answered. */
  readonly log: { readonly request: GcsRequest; readonly status: number }[];
}

interface Session {
  readonly bucket: string;
  readonly name: string;
  received: number;
  lines: number;
  md5: Hash;
  readonly chunks: Buffer[];
  done: StoredObject | null;
}

/** Chunks other than the last are multiples of 256 KiB (see the page above, "chunked upload"). */
const CHUNK_MULTIPLE = 256 * 1024;
const SESSION_PATH = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/;
const OBJECT_PATH = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/;
const CONTENT_RANGE = /^bytes (?:\*|(\d+)-(\d+|\*))\/(\*|\d+)$/;
const NEWLINE = 10;

export function gcsApi({ keepText, fault }: GcsApiOptions): GcsApi {
  const objects = new Map<string, StoredObject>();
  const sessions = new Map<string, Session>();
  const log: GcsApi['log'] = [];
  let generation = 1;

  const answer = (
    res: ServerResponse,
    request: GcsRequest,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    log.push({ request, status });
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const error = (res: ServerResponse, request: GcsRequest, status: number, message: string) =>
    answer(res, request, status, { error: { code: status, message } });
  const resource = (session: Session, done: StoredObject) => ({
    kind: 'storage#object',
    bucket: session.bucket,
    name: session.name,
    size: String(done.size),
    generation: String(generation++),
    md5Hash: done.md5Hash,
  });
  /** Where the upload stands: 308 with the bytes held so far, or the object once it is whole. */
  const status = (res: ServerResponse, request: GcsRequest, session: Session) => {
    if (session.done) return answer(res, request, 200, resource(session, session.done));
    const range: Record<string, string> =
      session.received > 0 ? { Range: `bytes=0-${session.received - 1}` } : {};
    return answer(res, request, 308, undefined, range);
  };

  function start(req: IncomingMessage, res: ServerResponse, url: URL, bucket: string): void {
    const name = url.searchParams.get('name') ?? '';
    const request: GcsRequest = {
      method: 'POST',
      path: url.pathname,
      uri: `gs://${bucket}/${name}`,
      contentRange: null,
    };
    req.resume();
    req.on('end', () => {
      const failure = fault?.(request);
      if (failure) return error(res, request, failure, 'fault');
      if (url.searchParams.get('uploadType') !== 'resumable') {
        return error(res, request, 400, 'only resumable uploads in this fake');
      }
      if (url.searchParams.get('ifGenerationMatch') === '0' && objects.has(request.uri)) {
        return error(res, request, 412, 'conditionNotMet');
      }
      const id = randomUUID();
      sessions.set(id, {
        bucket,
        name,
        received: 0,
        lines: 0,
        md5: createHash('md5'),
        chunks: [],
        done: null,
      });
      const location = `http://${req.headers.host}${url.pathname}?uploadType=resumable&upload_id=${id}`;
      answer(res, request, 200, undefined, { Location: location });
    });
  }

  function put(req: IncomingMessage, res: ServerResponse, url: URL, session: Session): void {
    const contentRange = req.headers['content-range'] ?? null;
    const request: GcsRequest = {
      method: 'PUT',
      path: url.pathname,
      uri: `gs://${session.bucket}/${session.name}`,
      contentRange,
    };
    const range = CONTENT_RANGE.exec(contentRange ?? '');
    const failure = fault?.(request);
    if (failure || !range || range[1] === undefined || session.done) {
      req.resume();
      req.on('end', () => {
        if (failure) return error(res, request, failure, 'fault');
        if (!range) return error(res, request, 400, `bad Content-Range: ${contentRange}`);
        return status(res, request, session);
      });
      return;
    }
    const first = Number(range[1]);
    if (first !== session.received) {
      req.resume();
      req.on('end', () => error(res, request, 400, `chunk starts at ${first}, not ${session.received}`));
      return;
    }
    // Counted aside and committed only once the whole chunk has arrived.
    const md5 = session.md5.copy();
    const chunks: Buffer[] = [];
    let bytes = 0;
    let lines = 0;
    req.on('data', (data: Buffer) => {
      md5.update(data);
      bytes += data.length;
      for (let at = data.indexOf(NEWLINE); at >= 0; at = data.indexOf(NEWLINE, at + 1)) lines++;
      if (keepText) chunks.push(data);
    });
    req.on('end', () => {
      const total = range[3] === '*' ? null : Number(range[3]);
      // `bytes n-*/*`: one request carries the rest of the object.
      const last = range[2] === '*' || (total !== null && first + bytes === total);
      if (range[2] !== '*' && Number(range[2]) !== first + bytes - 1) {
        return error(res, request, 400, `Content-Range ${contentRange} for ${bytes} bytes`);
      }
      if (!last && bytes % CHUNK_MULTIPLE !== 0) {
        return error(res, request, 400, `a chunk of ${bytes} bytes is not a multiple of 256 KiB`);
      }
      session.received += bytes;
      session.lines += lines;
      session.md5 = md5;
      session.chunks.push(...chunks);
      if (last) {
        session.done = {
          uri: request.uri,
          size: session.received,
          lines: session.lines,
          md5Hash: md5.copy().digest('base64'),
          text: keepText ? Buffer.concat(session.chunks).toString('utf8') : null,
        };
        objects.set(request.uri, session.done);
      }
      return status(res, request, session);
    });
  }

  function remove(req: IncomingMessage, res: ServerResponse, url: URL, uri: string): void {
    const request: GcsRequest = { method: 'DELETE', path: url.pathname, uri, contentRange: null };
    req.resume();
    req.on('end', () => {
      const failure = fault?.(request);
      if (failure) return error(res, request, failure, 'fault');
      if (!objects.delete(uri)) return error(res, request, 404, `No such object: ${uri}`);
      return answer(res, request, 204);
    });
  }

  return {
    objects,
    log,
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const bucket = SESSION_PATH.exec(url.pathname)?.[1];
      if (bucket !== undefined && req.method === 'POST') {
        start(req, res, url, bucket);
        return true;
      }
      const session = sessions.get(url.searchParams.get('upload_id') ?? '');
      if (bucket !== undefined && req.method === 'PUT' && session) {
        put(req, res, url, session);
        return true;
      }
      const object = OBJECT_PATH.exec(url.pathname);
      if (object && req.method === 'DELETE') {
        remove(req, res, url, `gs://${object[1]}/${decodeURIComponent(object[2] ?? '')}`);
        return true;
      }
      return false;
    },
  };
}

export interface GcsServer {
  readonly url: string;
  readonly api: GcsApi;
  close(): Promise<void>;
}

/** The fake on a loopback port of its own, answering 404 to anything else. */
export async function startGcsServer(options: GcsApiOptions): Promise<GcsServer> {
  const api = gcsApi(options);
  const server = createServer((req, res) => {
    if (api.handle(req, res)) return;
    req.resume();
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 404, message: `not in this fake: ${req.method} ${req.url}` } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    api,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // An abandoned upload leaves its request open; closing must not wait for it.
        server.closeAllConnections();
      }),
  };
}
