/**
 * Realistic Iterable export bodies for the transform benchmark: the simulator's opens (long user
 * agents) and sends, each send carrying the `transactionalData` of an order confirmation (~400-byte records)
 * as transactional sends do. A pool of distinct records is cycled up to the size asked for, and
 * the body is cut into 64 KiB chunks, as a socket hands them over.
 */
import type { StreamName } from '../functions/src/catalog.js';
import type { Window } from '../functions/src/pipeline/window.js';
import { DAY } from '../functions/src/time.js';
import { generateDataset } from '../simulator/generate.js';
import { Random } from '../simulator/random.js';

export const FIXTURE_WINDOW: Window = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 9, 1) + DAY };
const POOL_EVENTS = 40_000;
const CHUNK_BYTES = 64 * 1024;

export type FixtureStream = Extract<StreamName, 'email_open' | 'email_send'>;

export interface Fixture {
  readonly stream: FixtureStream;
  readonly window: Window;
  readonly records: number;
  readonly bytes: number;
  readonly chunks: readonly Uint8Array[];
}

/** An order confirmation as a transactional send's data: ids, lines, totals and an address. */
function transactionalData(random: Random): string {
  return JSON.stringify({
    orderId: `ord-${random.hex(12)}`,
    currency: 'USD',
    items: ['S', 'M'].map((size) => ({
      sku: `sku-${random.int(500)}`,
      name: `Cotton tee ${size}`,
      quantity: 1 + random.int(3),
      price: (500 + random.int(9500)) / 100,
    })),
    total: random.int(40_000) / 100,
  });
}

/** The distinct records of a stream the fixture cycles through, one JSON line each. */
export function recordPool(stream: FixtureStream, window: Window = FIXTURE_WINDOW): string[] {
  const store = generateDataset({ seed: 11, from: window.start, to: window.end, events: POOL_EVENTS });
  const lines = store.lines(stream, window);
  if (stream !== 'email_send') return lines;
  const random = new Random(5);
  return lines.map((line) =>
    JSON.stringify({ ...(JSON.parse(line) as object), transactionalData: transactionalData(random) }),
  );
}

export function fixture(stream: FixtureStream, records: number): Fixture {
  const pool = recordPool(stream);
  const lines = Array.from({ length: records }, (_, i) => pool[i % pool.length] as string);
  const body = Buffer.from(`${lines.join('\n')}\n`);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < body.length; at += CHUNK_BYTES) chunks.push(body.subarray(at, at + CHUNK_BYTES));
  return { stream, window: FIXTURE_WINDOW, records, bytes: body.length, chunks };
}
