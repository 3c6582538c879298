import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { IterableClient } from '../../../functions/src/iterable/client.js';
import {
  IterableAuthError,
  IterableRefusedError,
  IterableTimeoutError,
  IterableTruncatedError,
} from '../../../functions/src/iterable/errors.js';

const KEY = 'secret-key-4242';
const SEND = { kind: 'export', dataTypeName: 'emailSend', windowField: 'createdAt' } as const;
const CAMPAIGNS = { kind: 'dimension', path: '/api/campaigns', listKey: 'campaigns', paged: true } as const;
const CHANNELS = { kind: 'dimension', path: '/api/channels', listKey: 'channels', paged: false } as const;
const WINDOW = { start: Date.UTC(2026, 10, 1), end: Date.UTC(2026, 10, 1, 6) };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server whose answers each test scripts, one handler per expected request. */
describe('IterableClient against a real HTTP server', () => {
  let answers: Handler[] = [];
  const requests: { url: string; key: string | undefined }[] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', key: req.headers['api-key'] as string | undefined });
    const answer = answers.shift();
    if (answer) answer(req, res);
    else res.writeHead(599).end();
  });
  let baseUrl = '';
  const client = (options: { idleTimeoutMs?: number } = {}) =>
    new IterableClient({
      baseUrl: `${baseUrl}/`,
      apiKey: KEY,
      retry: { minDelayMs: 1, maxDelayMs: 50 },
      ...options,
    });

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    answers = [];
    requests.length = 0;
  });

  const json =
    (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
    (_, res) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  async function collect(lines: AsyncIterable<string[]>): Promise<string[]> {
    const all: string[] = [];
    for await (const batch of lines) all.push(...batch);
    return all;
  }

  it('streams a window with the key in the header and the window as half-open UTC bounds', async () => {
    answers.push((_, res) => {
      res.writeHead(200, { 'content-type': 'application/x-json-stream' });
      res.write('{"n":1}\n\n{"n"');
      setTimeout(() => res.end(':2}\n{"n":3}'), 10);
    });
    assert.deepEqual(await collect(client().exportLines(SEND, WINDOW)), ['{"n":1}', '{"n":2}', '{"n":3}']);
    assert.equal(requests[0]?.key, KEY);
    const url = new URL(requests[0]?.url ?? '', baseUrl);
    assert.equal(url.pathname, '/api/export/data.json');
    assert.equal(url.searchParams.get('dataTypeName'), 'emailSend');
    assert.equal(url.searchParams.get('startDateTime'), '2026-11-01 00:00:00');
    assert.equal(url.searchParams.get('endDateTime'), '2026-11-01 06:00:00');
    assert.ok(!requests[0]?.url.includes(KEY), 'the key is never in the URL');
  });

  it('retries 429 (honouring Retry-After) and 500 before the body starts', async () => {
    answers.push(
      json(429, { code: 'RateLimitExceeded' }, { 'retry-after': '0' }),
      json(500, { code: 'GenericError' }),
      json(429, { code: 'RateLimitExceeded' }),
      (_, res) => res.writeHead(200).end('{"n":1}\n'),
    );
    assert.deepEqual(await collect(client().exportLines(SEND, WINDOW)), ['{"n":1}']);
    assert.equal(requests.length, 4);
  });

  it('turns 401 into an error about the key and region, without retrying or quoting the key', async () => {
    answers.push(json(401, { code: 'BadApiKey', msg: `Invalid API key ${KEY}` }));
    const error = await collect(client().exportLines(SEND, WINDOW)).then(
      () => assert.fail('a 401 must fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof IterableAuthError);
    assert.match(error.message, /ITERABLE_REGION/);
    assert.ok(!error.message.includes(KEY));
    assert.equal(requests.length, 1);
  });

  it('fails the whole window when the body is cut off, after lines went downstream', async () => {
    answers.push((_, res) => {
      res.writeHead(200, { 'content-type': 'application/x-json-stream' });
      res.write('{"n":1}\n{"n":2}\n{"n"');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const batch of client().exportLines(SEND, WINDOW)) seen.push(...batch);
    }, IterableTruncatedError);
    assert.deepEqual(seen, ['{"n":1}', '{"n":2}']);
    assert.equal(requests.length, 1, 'a cut-off body is not retried inside the client');
  });

  it('gives up on a server that stops sending, mid-body or before answering', async () => {
    answers.push((_, res) => {
      res.writeHead(200);
      res.write('{"n":1}\n');
    });
    await assert.rejects(
      collect(client({ idleTimeoutMs: 100 }).exportLines(SEND, WINDOW)),
      IterableTimeoutError,
    );
    // A silence before the status line is retried like any failure to answer, then reported.
    answers.push(...Array.from({ length: 5 }, (): Handler => () => {}));
    await assert.rejects(
      collect(client({ idleTimeoutMs: 100 }).exportLines(SEND, WINDOW)),
      (error: unknown) => error instanceof IterableTimeoutError && /sent nothing/.test(error.message),
    );
  });

  it('reads a paged dimension page by page until a short page', async () => {
    const campaigns = Array.from({ length: 2100 }, (_, i) => ({
      id: i + 1,
      name: `c${i}`,
      createdAt: 1_700_000_000_000,
    }));
    for (let page = 0; page < 3; page++) {
      answers.push(json(200, { campaigns: campaigns.slice(page * 1000, (page + 1) * 1000) }));
    }
    const lines = await collect(client().dimensionLines(CAMPAIGNS));
    assert.deepEqual(
      lines,
      campaigns.map((c) => JSON.stringify(c)),
    );
    assert.deepEqual(
      requests.map((r) => new URL(r.url, baseUrl).searchParams.get('page')),
      ['1', '2', '3'],
    );
  });

  it('reads an unpaged dimension in one request', async () => {
    answers.push(json(200, { channels: [{ id: 1, name: 'Marketing' }] }));
    assert.deepEqual(await collect(client().dimensionLines(CHANNELS)), ['{"id":1,"name":"Marketing"}']);
    assert.equal(requests[0]?.url, '/api/channels');
  });

  it('says so when nothing listens at the base URL, after refusedRetries rather than every retry', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const retried: number[] = [];
    const unreachable = new IterableClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: KEY,
      retry: { retries: 4, minDelayMs: 1, maxDelayMs: 2, refusedRetries: 2 },
      onRetry: ({ attempt }) => retried.push(attempt),
    });
    await assert.rejects(
      collect(unreachable.dimensionLines(CHANNELS)),
      (error: unknown) => error instanceof IterableRefusedError && /ECONNREFUSED/.test(error.message),
    );
    assert.deepEqual(retried, [0, 1]);
  });
});
