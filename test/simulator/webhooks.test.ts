/**
 * The simulator pushing its ground truth as system webhooks to `npm run live`'s collector over
 * HTTP: every event it delivered is stored once per delivery, the duplicates share their event's
 * key, the lost ones are absent, and each stored event is one of the exported records.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STREAMS } from '../../functions/src/catalog.js';
import { DAY } from '../../functions/src/time.js';
import { type LiveRuntime, startLive } from '../../local/live/live-runtime.js';
import { type Simulator, startSimulator } from '../../simulator/server.js';
import { pushWebhooks, webhookBodies } from '../../simulator/webhooks.js';

const FROM = Date.UTC(2026, 9, 1);
const RANGE = { start: FROM, end: FROM + DAY };
const SECRET = 'simulator-webhooks';

describe('the simulator pushing webhooks', () => {
  let sim: Simulator;
  let live: LiveRuntime;

  before(async () => {
    sim = await startSimulator({ seed: 5, from: FROM, to: FROM + DAY, events: 600, apiKey: 'k' });
    live = await startLive({ warehouseFile: ':memory:', port: 0, authorization: SECRET, log: () => {} });
  });
  after(async () => {
    await live?.stop();
    await sim?.close();
  });

  it('sends the documented shape: eventName and email at the top, the record in dataFields', () => {
    const [first] = webhookBodies(sim.truth, RANGE);
    const body = JSON.parse(first ?? '{}') as {
      email: unknown;
      eventName: unknown;
      dataFields: Record<string, unknown>;
    };
    assert.equal(typeof body.eventName, 'string');
    assert.equal(body.email, body.dataFields.email);
    assert.equal(typeof body.dataFields.createdAt, 'string');
  });

  it('delivers each event once, some twice, loses some, and the collector stores exactly what arrived', async () => {
    const events = STREAMS.filter((s) => s.source.kind === 'export' && s.source.windowField === 'createdAt');
    const total = events.reduce((n, s) => n + sim.truth.count(s.name), 0);
    const report = await pushWebhooks(sim.truth, {
      url: live.url,
      authorization: SECRET,
      range: RANGE,
      perSecond: 5000,
      duplicateShare: 0.1,
      lossShare: 0.1,
      seed: 1,
    });
    assert.equal(report.failed, 0);
    assert.equal(report.delivered + report.lost, total);
    assert.ok(report.duplicated > 0 && report.lost > 0);
    await live.settled();
    const [stored] = await live.warehouse.query<{ rows: number; keys: number; unknown: number }>(
      `SELECT count(*) AS rows, count(DISTINCT event_key) AS keys, count(*) FILTER (WHERE stream IS NULL) AS unknown
       FROM iterable_live.events`,
    );
    assert.deepEqual(stored, {
      rows: report.delivered + report.duplicated,
      keys: report.delivered,
      unknown: 0,
    });
    // Every stored event is an exported record: its payload is that record's fields.
    const exported = new Set(
      STREAMS.flatMap((s) =>
        s.source.kind === 'export'
          ? sim.truth.lines(s.name, RANGE).map((l) => `${s.name}|${JSON.stringify(JSON.parse(l))}`)
          : [],
      ),
    );
    const payloads = await live.warehouse.query<{ stream: string; payload: string }>(
      'SELECT stream, CAST(payload AS VARCHAR) AS payload FROM iterable_live.events',
    );
    const strays = payloads.filter(
      (p) => !exported.has(`${p.stream}|${JSON.stringify(JSON.parse(p.payload))}`),
    );
    assert.deepEqual(strays, []);
  });
});
