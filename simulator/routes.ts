/**
 * The simulator's answers, one function per endpoint of Iterable's API that the pipeline reads.
 * Each takes the parsed request and writes Iterable's response, errors in Iterable's body shape.
 */
import type { ServerResponse } from 'node:http';
import { STREAMS, type StreamName } from '../functions/src/catalog.js';
import { CAMPAIGN_METRICS_MAX_IDS, DIMENSION_MAX_PAGE_SIZE } from '../functions/src/iterable/limits.js';
import { formatExportTimestamp, parseIterableTimestamp } from '../functions/src/iterable/timestamps.js';
import { campaignMetricsCsv } from './metrics.js';
import { Random } from './random.js';
import type { Range, RecordStore } from './store.js';

export class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** `dataTypeName` → stream; Iterable also accepts `emailUnsubscribe` for `emailUnSubscribe` (observed). */
const EXPORT_TYPES = new Map<string, StreamName>([
  ...STREAMS.flatMap((s) => (s.source.kind === 'export' ? [[s.source.dataTypeName, s.name] as const] : [])),
  ['emailUnsubscribe', 'email_unsubscribe'],
]);

// Big enough to stream efficiently, small enough that a window arrives as many chunks.
const CHUNK_BYTES = 64 * 1024;

/** `dataTypeName` and the half-open window of one export request. */
export function exportRequest(query: URLSearchParams): { stream: StreamName; range: Range } {
  const dataTypeName = query.get('dataTypeName') ?? '';
  const stream = EXPORT_TYPES.get(dataTypeName);
  if (!stream) throw new BadRequest(400, 'BadParams', `Invalid dataTypeName: ${dataTypeName || '(missing)'}`);
  if (query.get('range') === 'All') return { stream, range: { start: 0, end: Number.MAX_SAFE_INTEGER } };
  const range = { start: instant(query, 'startDateTime', null), end: instant(query, 'endDateTime', null) };
  if (range.end < range.start) throw new BadRequest(400, 'BadParams', 'endDateTime is before startDateTime');
  return { stream, range };
}

export type Spoil = 'cutOff' | 'stall' | 'malformed' | 'invalidRecord';

/** Records the simulator makes up to spoil a body carry this domain, so checks can tell them apart. */
export const INJECTED_DOMAIN = 'injected.invalid';

/**
 * Streams the window's records as NDJSON in chunks, in a shuffled order, with the quirks real
 * exports have: an occasional blank line and, sometimes, no newline after the last record.
 * A spoiled body is cut off after about half, stalls there for `stallMs`, or carries one bad line.
 */
export async function streamExport(
  res: ServerResponse,
  lines: readonly string[],
  range: Range,
  seed: number,
  spoil: Spoil | null,
  stallMs: number,
): Promise<void> {
  const random = new Random(seed);
  const order = random.shuffle(lines.map((_, i) => i));
  const half = Math.floor(order.length / 2);
  const body = order.map((i) => lines[i] as string);
  if (spoil === 'malformed' || spoil === 'invalidRecord')
    body.splice(random.int(body.length + 1), 0, badLine(spoil, range, random));
  const trailingNewline = random.chance(0.5);
  res.writeHead(200, { 'content-type': 'application/x-json-stream' });
  res.flushHeaders();
  let chunk = '';
  for (let n = 0; n < body.length; n++) {
    if (n === half && (spoil === 'cutOff' || spoil === 'stall')) {
      if (chunk && !(await write(res, chunk))) return;
      chunk = '';
      if (spoil === 'cutOff') return void res.destroy();
      await new Promise((resolve) => setTimeout(resolve, stallMs));
    }
    chunk += body[n];
    if (n < body.length - 1 || trailingNewline) chunk += random.chance(0.002) ? '\n\n' : '\n';
    if (chunk.length >= CHUNK_BYTES) {
      if (!(await write(res, chunk))) return;
      chunk = '';
    }
  }
  if (body.length === 0 && spoil === 'cutOff') return void res.destroy();
  if (!res.destroyed) res.end(chunk);
}

/** A line that cannot be loaded: broken JSON, a wrongly typed field, or no `createdAt`. */
function badLine(kind: 'malformed' | 'invalidRecord', range: Range, random: Random): string {
  const email = `bad-${random.hex(6)}@${INJECTED_DOMAIN}`;
  if (kind === 'malformed')
    return `{"createdAt":"${formatExportTimestamp(range.start)} +00:00","email":"${email}","campaig`;
  const bounded = range.end < Number.MAX_SAFE_INTEGER;
  if (bounded && random.chance(0.5)) {
    const at = range.start + random.int(Math.max(1, Math.floor((range.end - range.start) / 1000))) * 1000;
    return JSON.stringify({
      createdAt: `${formatExportTimestamp(at)} +00:00`,
      email,
      campaignId: 'not-a-number',
    });
  }
  return JSON.stringify({ email, campaignId: 1 });
}

/** Writes with backpressure; `false` once the client has gone. */
function write(res: ServerResponse, chunk: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve(false);
    if (res.write(chunk)) return resolve(true);
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** A dimension endpoint: the whole list, or one page of it for the paged endpoints. */
export function dimensionBody(
  records: readonly object[],
  listKey: string,
  paged: boolean,
  query: URLSearchParams,
  path: string,
): Record<string, unknown> {
  if (!paged) return { [listKey]: records };
  const page = positiveInt(query, 'page', 1);
  // Iterable's default page size is 20 and its maximum 1000 (swagger: /api/campaigns).
  const pageSize = positiveInt(query, 'pageSize', 20);
  if (pageSize > DIMENSION_MAX_PAGE_SIZE) {
    throw new BadRequest(400, 'BadParams', `pageSize must be at most ${DIMENSION_MAX_PAGE_SIZE}`);
  }
  const slice = records.slice((page - 1) * pageSize, page * pageSize);
  const more = page * pageSize < records.length;
  const next = new URLSearchParams(query);
  next.set('page', String(page + 1));
  return {
    [listKey]: slice,
    [`total${listKey[0]?.toUpperCase()}${listKey.slice(1)}Count`]: records.length,
    ...(more ? { nextPageUrl: `${path}?${next}` } : {}),
  };
}

export function metricsCsv(store: RecordStore, query: URLSearchParams): string {
  const ids = query.getAll('campaignId').map(Number);
  if (ids.length === 0 || ids.some((id) => !Number.isSafeInteger(id))) {
    throw new BadRequest(400, 'BadParams', 'campaignId must be given, as integers');
  }
  if (ids.length > CAMPAIGN_METRICS_MAX_IDS) throw new BadRequest(414, 'UriTooLong', 'Request-URI Too Long');
  const range = {
    start: instant(query, 'startDateTime', 0),
    end: instant(query, 'endDateTime', Number.MAX_SAFE_INTEGER),
  };
  return campaignMetricsCsv(store, ids, range);
}

function instant(query: URLSearchParams, name: string, fallback: number | null): number {
  const text = query.get(name);
  if (text === null || text === '') {
    if (fallback !== null) return fallback;
    throw new BadRequest(400, 'BadParams', `${name} is required (or range)`);
  }
  const ms = parseIterableTimestamp(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text} 00:00:00` : text);
  if (ms === null) throw new BadRequest(400, 'BadParams', `${name} is not a date: ${text}`);
  return ms;
}

function positiveInt(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new BadRequest(400, 'BadParams', `${name} must be a positive integer`);
  return n;
}
