import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY } from '../../functions/src/time.js';
import { FAULTS } from '../../simulator/faults.js';
import { INJECTED_DOMAIN } from '../../simulator/routes.js';
import { startSimulator } from '../../simulator/server.js';
import { FROM, type Simulator } from '../support/pipeline.js';

const KEY = 'sim-key';
const WINDOW = { start: FROM + 3600_000, end: FROM + 7 * 3600_000 };
const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

describe('the Iterable simulator over HTTP', () => {
  let sim: Simulator;
  const get = (path: string, key = KEY) => fetch(`${sim.url}${path}`, { headers: { 'Api-Key': key } });
  const exportPath = (dataTypeName: string, window = WINDOW) =>
    `/api/export/data.json?${new URLSearchParams({
      dataTypeName,
      startDateTime: stamp(window.start),
      endDateTime: `${stamp(window.end)} +00:00`,
    })}`;

  before(async () => {
    sim = await startSimulator({
      seed: 3,
      from: FROM,
      to: FROM + DAY,
      events: 4000,
      apiKey: KEY,
      exportsPerMinute: 1000,
    });
  });
  after(() => sim.close());

  it('exports exactly the records of a half-open window, unsorted, as NDJSON', async () => {
    const response = await get(exportPath('emailSend'));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/x-json-stream');
    const served = (await response.text()).split('\n').filter((l) => l !== '');
    const truth = sim.truth.lines('email_send', WINDOW);
    assert.ok(truth.length > 50);
    assert.deepEqual([...served].sort(), [...truth].sort());
    assert.notDeepEqual(served, truth, 'records are not in time order');
  });

  it('treats the window as [start, end): a record exactly at the end belongs to the next window', async () => {
    const line = `{"createdAt":"${stamp(WINDOW.end)} +00:00","email":"edge@example.com","campaignId":1}`;
    sim.addRecord('email_complaint', line);
    const inside = await (await get(exportPath('emailComplaint'))).text();
    const next = await (
      await get(exportPath('emailComplaint', { start: WINDOW.end, end: WINDOW.end + 1000 }))
    ).text();
    assert.ok(!inside.includes('edge@example.com'));
    assert.equal(next.trim(), line);
  });

  it("answers a wrong key with Iterable's 401 body, and a bad request with 400", async () => {
    const unauthorized = await get(exportPath('emailSend'), 'other-key');
    assert.equal(unauthorized.status, 401);
    assert.deepEqual(await unauthorized.json(), { msg: 'Invalid API key', code: 'BadApiKey', params: null });
    const bad = await get('/api/export/data.json?dataTypeName=emailSends&startDateTime=2026-10-01');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'BadParams');
  });

  it('accepts emailUnsubscribe for emailUnSubscribe', async () => {
    const all = { start: FROM, end: FROM + DAY };
    const [spec, alias] = await Promise.all(
      ['emailUnSubscribe', 'emailUnsubscribe'].map(async (t) =>
        (await (await get(exportPath(t, all))).text()).split('\n').filter(Boolean).sort(),
      ),
    );
    assert.ok((spec?.length ?? 0) > 0);
    assert.deepEqual(alias, spec);
  });

  it('pages campaigns with epoch-millisecond timestamps, and refuses pages over 1000', async () => {
    const pages: unknown[] = [];
    for (let page = 1; ; page++) {
      const body = (await (await get(`/api/campaigns?page=${page}&pageSize=2`)).json()) as {
        campaigns: unknown[];
        nextPageUrl?: string;
      };
      pages.push(...body.campaigns);
      if (!body.nextPageUrl) break;
    }
    assert.deepEqual(pages, sim.truth.dimension('campaigns'));
    for (const campaign of pages as { createdAt: unknown }[])
      assert.equal(typeof campaign.createdAt, 'number');
    assert.equal((await get('/api/campaigns?page=1&pageSize=1001')).status, 400);
    const channels = (await (await get('/api/channels')).json()) as { channels: unknown[] };
    assert.deepEqual(channels.channels, sim.truth.dimension('channels'));
  });

  it('injects forced faults: a 429 burst, a 500 GenericError, a body cut off mid-stream', async () => {
    const before = { ...sim.stats.faults };
    sim.faults.failNext('rateLimitBurst', 1);
    const limited = await get(exportPath('emailOpen'));
    assert.equal(limited.status, 429);
    assert.equal(((await limited.json()) as { code: string }).code, 'RateLimitExceeded');

    sim.faults.failNext('serverError', 1);
    const failed = await get(exportPath('emailOpen'));
    assert.equal(failed.status, 500);
    assert.equal(((await failed.json()) as { code: string }).code, 'GenericError');

    sim.faults.failNext('cutOff', 1);
    const cut = await get(exportPath('emailOpen', { start: FROM, end: FROM + DAY }));
    assert.equal(cut.status, 200);
    await assert.rejects(cut.text(), 'the body ends with a reset, not a clean end');

    assert.equal((await get(exportPath('emailOpen'))).status, 200, 'faults stop when their count is used up');
    for (const kind of ['rateLimitBurst', 'serverError', 'cutOff'] as const) {
      assert.equal(sim.stats.faults[kind], (before[kind] ?? 0) + 1);
    }
  });

  it('injects faults at a seeded rate', async () => {
    sim.faults.set({ serverError: 0.5 });
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await get('/api/channels')).status);
    sim.faults.set({ serverError: 0 });
    const errors = statuses.filter((s) => s === 500).length;
    assert.ok(errors > 5 && errors < 35, `about half fail (got ${errors} of 40)`);
    assert.throws(() => sim.faults.set({ cutOff: 2 }), /within \[0, 1\]/);
  });

  it('serves campaign metrics as CSV with Iterable column names, consistent with its exports', async () => {
    const campaigns = sim.truth.dimension('campaigns') as { id: number }[];
    const ids = campaigns.map((c) => `campaignId=${c.id}`).join('&');
    const response = await get(
      `/api/campaigns/metrics?${ids}&startDateTime=${stamp(FROM)}&endDateTime=${stamp(FROM + DAY)}`,
    );
    assert.equal(response.status, 200);
    const [header, ...rows] = (await response.text()).trim().split('\n');
    const columns = header?.split(',') ?? [];
    assert.deepEqual(columns.slice(0, 3), ['id', 'Total Email Sends', 'Total Emails Delivered']);
    const sends = sim.truth
      .lines('email_send', { start: FROM, end: FROM + DAY })
      .map((l) => JSON.parse(l) as { campaignId: number });
    for (const row of rows) {
      const [id, total] = row.split(',').map(Number);
      assert.equal(total, sends.filter((s) => s.campaignId === id).length, `sends of campaign ${id}`);
    }
    assert.equal(rows.length, campaigns.length);
    const tooMany = Array.from({ length: 81 }, (_, i) => `campaignId=${i}`).join('&');
    assert.equal((await get(`/api/campaigns/metrics?${tooMany}`)).status, 414);
  });
});

describe("the simulator's export rate limit", () => {
  it('answers 429 with Retry-After beyond its requests per sliding minute', async () => {
    const sim = await startSimulator({
      seed: 1,
      from: FROM,
      to: FROM + DAY,
      events: 300,
      apiKey: KEY,
      exportsPerMinute: 2,
    });
    try {
      const path = `/api/export/data.json?dataTypeName=emailSend&startDateTime=${stamp(FROM)}&endDateTime=${stamp(FROM + DAY)}`;
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${sim.url}${path}`, { headers: { 'Api-Key': KEY } });
        statuses.push(response.status);
        if (response.status === 429) assert.ok(Number(response.headers.get('retry-after')) >= 59);
        await response.text();
      }
      assert.deepEqual(statuses, [200, 200, 429]);
      assert.equal(sim.stats.rateLimited, 1);
    } finally {
      await sim.close();
    }
  });
});

describe('the fault modes of issue 5', () => {
  let sim: Simulator;
  let now = FROM + DAY;
  const get = (path: string) => fetch(`${sim.url}${path}`, { headers: { 'Api-Key': KEY } });
  const sends = (window: { start: number; end: number }) =>
    `/api/export/data.json?dataTypeName=emailSend&startDateTime=${stamp(window.start)}&endDateTime=${stamp(window.end)}`;
  const lines = async (path: string) => (await (await get(path)).text()).split('\n').filter(Boolean);

  before(async () => {
    sim = await startSimulator({
      seed: 5,
      from: FROM,
      to: FROM + DAY,
      events: 3000,
      apiKey: KEY,
      exportsPerMinute: 1000,
      stallMs: 300,
      clock: () => now,
      late: { share: 0.2, maxDelayMs: 30 * 60_000 },
    });
  });
  after(() => sim.close());

  it('keeps failing one window during an outage while others succeed', async () => {
    sim.faults.failNext('windowOutage', 1);
    const statuses = [];
    const failures = 1 + FAULTS.windowOutage.repeats;
    for (let i = 0; i < failures; i++) {
      statuses.push((await get(sends(WINDOW))).status);
      assert.equal((await get(sends({ start: FROM, end: FROM + 1000 }))).status, 200);
    }
    assert.deepEqual(statuses, Array(failures).fill(500));
    assert.equal((await get(sends(WINDOW))).status, 200, 'the outage ends');
  });

  it('answers 401 while the key is revoked', async () => {
    sim.faults.failNext('revokedKey', 1);
    assert.equal((await get(sends(WINDOW))).status, 401);
    assert.equal((await get(sends(WINDOW))).status, 200);
  });

  it('stalls a body mid-stream, then finishes it', async () => {
    sim.faults.failNext('stall', 1);
    const started = Date.now();
    const served = await lines(sends(WINDOW));
    assert.ok(Date.now() - started >= 300);
    assert.deepEqual(served.sort(), sim.truth.lines('email_send', WINDOW).sort());
  });

  for (const kind of ['malformed', 'invalidRecord'] as const) {
    it(`adds one ${kind} line, recognisable as made up, to the records`, async () => {
      sim.faults.failNext(kind, 1);
      const served = await lines(sends(WINDOW));
      const injected = served.filter((l) => l.includes(`@${INJECTED_DOMAIN}`));
      assert.equal(injected.length, 1);
      assert.deepEqual(
        served.filter((l) => !injected.includes(l)).sort(),
        sim.truth.lines('email_send', WINDOW).sort(),
      );
    });
  }

  it('shows late records only once its clock has passed their delay', async () => {
    const recent = { start: FROM + DAY - 3600_000, end: FROM + DAY };
    now = FROM + DAY;
    const early = await lines(sends(recent));
    now = FROM + DAY + 3600_000;
    const later = await lines(sends(recent));
    assert.ok(sim.stats.delayed > 0);
    assert.ok(early.length < later.length, `late records appear (${early.length} then ${later.length})`);
    assert.deepEqual(later.sort(), sim.truth.lines('email_send', recent).sort());
  });
});
