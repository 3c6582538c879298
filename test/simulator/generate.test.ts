import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STREAMS, type StreamName } from '../../functions/src/catalog.js';
import { parseIterableTimestamp } from '../../functions/src/iterable/timestamps.js';
import { RECORD_READERS } from '../../functions/src/records.js';
import { DAY } from '../../functions/src/time.js';
import { generateDataset } from '../../simulator/generate.js';
import { FROM } from '../support/pipeline.js';

const RANGE = { from: FROM, to: FROM + 7 * DAY };
const ALL = { start: RANGE.from, end: RANGE.to };
const store = generateDataset({ seed: 11, ...RANGE, events: 20_000 });
const records = (stream: StreamName) =>
  store.lines(stream, ALL).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the simulator data set', () => {
  it('is the same for the same seed, and different for another', () => {
    const again = generateDataset({ seed: 11, ...RANGE, events: 20_000 });
    const other = generateDataset({ seed: 12, ...RANGE, events: 20_000 });
    assert.deepEqual(again.lines('email_open', ALL), store.lines('email_open', ALL));
    assert.notDeepEqual(other.lines('email_open', ALL), store.lines('email_open', ALL));
  });

  it('holds about as many events as asked, every record valid for its schema and inside the range', () => {
    let total = 0;
    for (const stream of STREAMS) {
      if (stream.source.kind !== 'export') continue;
      const lines = store.lines(stream.name, ALL);
      assert.ok(lines.length > 0, `${stream.name} has records`);
      // Profiles are not events: the user export is one line per user, whatever the volume asked.
      if (stream.name !== 'users') total += lines.length;
      for (const line of lines) {
        const record = JSON.parse(line) as Record<string, unknown>;
        assert.ok(RECORD_READERS[stream.name].read(record) !== null, `${stream.name}: ${line}`);
        // Windows are cut on createdAt, or profileUpdatedAt for users.
        const at = parseIterableTimestamp(record[stream.source.windowField]) ?? -1;
        assert.ok(at >= RANGE.from && at < RANGE.to, `${stream.name} window time inside the range: ${line}`);
      }
    }
    assert.equal(store.count('email_send') > 0, true);
    assert.ok(total > 18_000 && total < 23_000, `about 20,000 events (got ${total})`);
  });

  it('writes createdAt in every form Iterable uses', () => {
    const forms = new Set(
      store.lines('email_send', ALL).map((l) => {
        const text = String((JSON.parse(l) as { createdAt: string }).createdAt);
        return text.endsWith('+00:00')
          ? 'colon'
          : text.endsWith('+0000')
            ? 'no colon'
            : text.includes('.')
              ? 'iso ms'
              : 'iso';
      }),
    );
    assert.deepEqual([...forms].sort(), ['colon', 'iso', 'iso ms', 'no colon']);
  });

  it('has the structure the fact models must handle', () => {
    const sends = new Map(records('email_send').map((s) => [s.messageId, s]));
    const opens = records('email_open');
    assert.ok(
      opens.every((o) => sends.has(o.messageId)),
      'every open belongs to a send',
    );
    assert.ok(
      opens.some((o) => o.proxySource === 'Apple'),
      'machine opens',
    );
    const perMessage = new Map<unknown, number>();
    for (const o of opens) perMessage.set(o.messageId, (perMessage.get(o.messageId) ?? 0) + 1);
    assert.ok(
      [...perMessage.values()].some((n) => n > 2),
      'repeated opens of one message',
    );
    assert.ok(
      records('email_click').every((c) => sends.has(c.messageId)),
      'every click belongs to a send',
    );
    assert.ok(records('email_bounce').length > 0);
    const unsubscribes = records('email_unsubscribe');
    assert.ok(
      unsubscribes.some((u) => u.campaignId === undefined),
      'unsubscribes without a campaign',
    );
    assert.ok(
      unsubscribes.some((u) => u.campaignId !== undefined),
      'unsubscribes from a campaign',
    );
    const purchases = records('purchase');
    assert.ok(
      purchases.some((p) => p.campaignId !== undefined) && purchases.some((p) => p.campaignId === undefined),
    );

    const campaigns = store.dimension('campaigns') as { id: number; campaignState: string }[];
    const opened = new Set(opens.map((o) => o.campaignId));
    const sent = new Set([...sends.values()].map((s) => s.campaignId));
    assert.ok(
      campaigns.some((c) => sent.has(c.id) && !opened.has(c.id)),
      'a campaign delivered but never opened',
    );
    assert.ok(
      campaigns.some((c) => !sent.has(c.id)),
      'a campaign with no events',
    );
  });
});
