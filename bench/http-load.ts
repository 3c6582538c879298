/**
 * A closed-loop HTTP/1.1 load generator for a server benchmarked on the same cores as its client:
 * each of `connections` keep-alive sockets sends one request, waits for the whole answer, then
 * sends the next (no pipelining), as `node:http`'s Agent does, but writing each request as one
 * prepared buffer and reading only the status line and `Content-Length` of the answer. On this
 * 2-core machine `node:http`'s client spent ~160 µs of CPU per request against a trivial server,
 * more than the server itself; a benchmark client that costs as much as the server measures the
 * client. The server sees ordinary HTTP/1.1 requests either way.
 */
import { connect, type Socket } from 'node:net';

export interface LoadResult {
  /** Each request's time from its write to its whole answer, in milliseconds, in completion order. */
  readonly latenciesMs: readonly number[];
  /** Answers whose status was not 200. */
  readonly notOk: number;
  readonly seconds: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

/** The request as bytes: headers and body in one write, so it leaves in one segment. */
function requestBytes(url: URL, headers: Readonly<Record<string, string>>, body: string): Buffer {
  const payload = Buffer.from(body);
  const lines = [
    `POST ${url.pathname}${url.search} HTTP/1.1`,
    `host: ${url.host}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${payload.length}`,
  ];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), payload]);
}

/**
 * Reads answers off one socket: `onAnswer` gets each complete answer's status. The collector
 * always sends `Content-Length`, so an answer without one is an error, not something to guess at.
 */
function answers(socket: Socket, onAnswer: (status: number) => void, onError: (error: Error) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const end = pending.indexOf(HEADER_END);
      if (end < 0) return;
      const head = pending.toString('latin1', 0, end);
      const length = CONTENT_LENGTH.exec(head)?.[1];
      if (length === undefined) {
        onError(new Error(`an answer without Content-Length: ${head}`));
        return;
      }
      const total = end + HEADER_END.length + Number(length);
      if (pending.length < total) return;
      pending = pending.subarray(total);
      // "HTTP/1.1 200 OK": the status is the second word.
      onAnswer(Number(head.slice(9, 12)));
    }
  });
}

/** Posts every body once over `connections` keep-alive sockets, each with one request in flight. */
export async function postAll(
  url: URL,
  headers: Readonly<Record<string, string>>,
  bodies: readonly string[],
  connections: number,
): Promise<LoadResult> {
  const requests = bodies.map((body) => requestBytes(url, headers, body));
  const latenciesMs: number[] = [];
  let notOk = 0;
  let next = 0;
  const sockets: Socket[] = [];
  const started = performance.now();
  try {
    await Promise.all(
      Array.from(
        { length: Math.min(connections, requests.length) },
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
            sockets.push(socket);
            let sent = 0;
            const send = (): void => {
              const request = requests[next++];
              if (request === undefined) {
                resolve();
                return;
              }
              sent = performance.now();
              socket.write(request);
            };
            answers(
              socket,
              (status) => {
                latenciesMs.push(performance.now() - sent);
                if (status !== 200) notOk++;
                send();
              },
              reject,
            );
            socket.once('error', reject);
            socket.once('close', () => reject(new Error('the server closed a connection mid-run')));
            socket.once('connect', send);
          }),
      ),
    );
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  return { latenciesMs, notOk, seconds: (performance.now() - started) / 1000 };
}
