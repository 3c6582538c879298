/**
 * The simulator as Iterable's system webhooks: it pushes the same events its exports serve (the
 * ground truth) to a collector, at a chosen rate, in the documented shape `{email, eventName,
 * dataFields}` with the event's fields inside `dataFields` (support.iterable.com, "System
 * Webhooks"). Delivery is not guaranteed there, so a seeded share of events is never sent and
 * another share is sent twice; the report says which, for tests to compare with what was stored.
 */
import { STREAMS, type StreamName } from '../functions/src/catalog.js';
import { parseIterableTimestamp } from '../functions/src/iterable/timestamps.js';
import { Random, seedOf } from './random.js';
import type { Range } from './store.js';

export interface WebhookPushOptions {
  /** The collector's URL (`npm run live` or the deployed `collectorUrl`). */
  readonly url: string;
  /** The `Authorization` header configured in Iterable, sent as is. */
  readonly authorization: string;
  readonly range: Range;
  readonly perSecond: number;
  /** Share of events sent twice, and share never sent. */
  readonly duplicateShare: number;
  readonly lossShare: number;
  readonly seed: number;
  /** Requests in flight at most (Iterable sends webhooks concurrently). */
  readonly concurrency?: number;
}

export interface WebhookPushReport {
  /** Distinct events delivered at least once. */
  readonly delivered: number;
  /** Events delivered a second time. */
  readonly duplicated: number;
  /** Events never sent. */
  readonly lost: number;
  /** Requests the collector did not answer with a 2xx. */
  readonly failed: number;
}

/**
 * The exports' event streams (windowed on `createdAt`; profile versions are no webhook event), with
 * the event name a webhook carries (the export's `dataTypeName`).
 */
const EVENT_STREAMS = STREAMS.flatMap((s) =>
  s.source.kind === 'export' && s.source.windowField === 'createdAt'
    ? [{ stream: s.name, eventName: s.source.dataTypeName }]
    : [],
);

/** One webhook body for an exported record. */
export function webhookBody(eventName: string, line: string): string {
  const record = JSON.parse(line) as Record<string, unknown>;
  return JSON.stringify({ email: record.email ?? null, eventName, dataFields: record });
}

interface Truth {
  lines(stream: StreamName, range: Range): string[];
}

/** Every event of the range as a webhook body, in `createdAt` order across streams. */
export function webhookBodies(truth: Truth, range: Range): string[] {
  const all = EVENT_STREAMS.flatMap(({ stream, eventName }) =>
    truth.lines(stream, range).map((line) => ({
      at: parseIterableTimestamp((JSON.parse(line) as { createdAt?: unknown }).createdAt) ?? range.start,
      body: webhookBody(eventName, line),
    })),
  );
  return all.sort((a, b) => a.at - b.at).map((e) => e.body);
}

export async function pushWebhooks(truth: Truth, options: WebhookPushOptions): Promise<WebhookPushReport> {
  const random = new Random(seedOf('webhooks', options.seed));
  const report = { delivered: 0, duplicated: 0, lost: 0, failed: 0 };
  const sends: string[] = [];
  for (const body of webhookBodies(truth, options.range)) {
    if (random.chance(options.lossShare)) {
      report.lost++;
      continue;
    }
    report.delivered++;
    sends.push(body);
    if (random.chance(options.duplicateShare)) {
      report.duplicated++;
      sends.push(body);
    }
  }
  const started = performance.now();
  let next = 0;
  const send = async (): Promise<void> => {
    while (next < sends.length) {
      const k = next++;
      // Steady pace: request k leaves no earlier than k / perSecond seconds after the start.
      const wait = started + (k * 1000) / options.perSecond - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const res = await fetch(options.url, {
        method: 'POST',
        headers: { authorization: options.authorization, 'content-type': 'application/json' },
        body: sends[k],
      }).catch(() => null);
      if (res === null || !res.ok) report.failed++;
      await res?.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, send));
  return report;
}
