/**
 * Safe by construction: hostile input in every parameter of every route is a 400 problem and
 * changes nothing in the warehouse; API-key mode refuses requests without a valid key; answers
 * come from the cache until it expires and carry ETags that If-None-Match honours.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashApiKey } from '../../../functions/src/api/auth.js';
import { ROUTES } from '../../../functions/src/api/routes.js';
import type { ApiServer } from '../../../local/api-server.js';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { buildWarehouse, serveApi } from './api-fixture.js';

const ATTACKS = [
  "' OR 1=1 --",
  '1 OR 1=1',
  "1'; DROP TABLE iterable_analytics.campaign_fact_table; --",
  '1/**/UNION/**/SELECT/**/1',
  'campaign_id; DELETE FROM iterable_analytics.email_performance_fact',
  '１２',
  '١٢',
  '2026-10-01\u0000',
  '2026‐10‐01',
  'c\u0430mpaign',
  '😀',
  '99999999999999999999999999999999',
  '1e400',
  '-1',
  '0x10',
  'NaN',
  '',
];

/** Every table of the analytics dataset with its full contents, as one comparable text. */
async function snapshot(warehouse: DuckDbWarehouse): Promise<string> {
  const tables = await warehouse.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'iterable_analytics' ORDER BY 1`,
  );
  const contents: string[] = [];
  for (const { name } of tables) {
    const rows = await warehouse.query(`SELECT * FROM iterable_analytics.${name} ORDER BY ALL`);
    contents.push(`${name}:${JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  }
  return contents.join('\n');
}

describe('the API under hostile input', () => {
  let file: string;
  let api: ApiServer;
  let warehouse: DuckDbWarehouse;

  before(async () => {
    file = await buildWarehouse();
    api = await serveApi(file, { cacheSeconds: 0 });
    warehouse = await DuckDbWarehouse.open(file);
  });
  after(async () => {
    await api?.close();
    await warehouse?.close();
  });

  const problem = async (path: string, status = 400) => {
    const response = await fetch(`${api.url}${path}`);
    assert.equal(response.status, status, path);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, path);
    const body = (await response.json()) as { status: number; detail: string };
    assert.equal(body.status, status, path);
    return body;
  };

  it('answers 400 to injections, unicode and huge numbers in every parameter, and changes nothing', async () => {
    const before = await snapshot(warehouse);
    const baseline = await (await fetch(`${api.url}/v1/campaigns?limit=1000`)).text();
    let requests = 0;
    for (const route of ROUTES) {
      const path = route.path.replace('{campaignId}', '1');
      for (const name of Object.keys(route.query.shape)) {
        for (const attack of ATTACKS) {
          await problem(`${path}?${name}=${encodeURIComponent(attack)}`);
          requests += 1;
        }
      }
      if (route.path.includes('{campaignId}')) {
        for (const attack of ATTACKS.filter((a) => a !== '')) {
          await problem(`/v1/campaigns/${encodeURIComponent(attack)}`);
          requests += 1;
        }
      }
    }
    assert.ok(requests > 500);
    assert.equal(await snapshot(warehouse), before, 'the warehouse is unchanged');
    assert.equal(await (await fetch(`${api.url}/v1/campaigns?limit=1000`)).text(), baseline);
  });

  it('answers 400 to repeated and unknown parameters, naming them', async () => {
    const repeated = await problem('/v1/campaigns?limit=5&limit=6');
    assert.match(repeated.detail, /limit: given more than once/);
    const unknown = await problem('/v1/campaigns?campaign_id=1&table=campaign_fact_table');
    assert.match(unknown.detail, /campaign_id, table: unknown parameter/);
    await problem('/v1/daily?group_by=campaign_id');
    await problem('/v1/daily?from=2026-02-30');
    await problem('/v1/daily?from=2024-01-01&to=2026-01-01');
    await problem('/v1/campaigns/1%ZZ');
  });

  it('refuses a cursor from another query or edited by hand', async () => {
    const first = (await (await fetch(`${api.url}/v1/campaigns?limit=1`)).json()) as { next_cursor: string };
    assert.ok(first.next_cursor);
    const page2 = await fetch(`${api.url}/v1/campaigns?limit=1&cursor=${first.next_cursor}`);
    assert.equal(page2.status, 200);
    await problem(`/v1/campaigns?limit=2&cursor=${first.next_cursor}`);
    const forged = Buffer.from(JSON.stringify({ q: 'x'.repeat(16), o: 1 })).toString('base64url');
    await problem(`/v1/campaigns?limit=1&cursor=${forged}`);
  });

  it('is read-only: other methods are 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${api.url}/v1/campaigns`, { method });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'GET, HEAD');
    }
    await problem('/v1/nothing', 404);
    await problem('/v2/campaigns', 404);
  });

  it('in API-key mode, answers 401 without a key and 403 with a wrong or revoked one', async () => {
    const key = 'spreadsheet-key-0123456789';
    const keyed = await serveApi(file, { auth: { kind: 'api-key', sha256: new Set([hashApiKey(key)]) } });
    const revoked = await serveApi(file, {
      auth: { kind: 'api-key', sha256: new Set([hashApiKey('other')]) },
    });
    try {
      const none = await fetch(`${keyed.url}/v1/campaigns`);
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'ApiKey');
      const wrong = await fetch(`${keyed.url}/v1/campaigns`, { headers: { 'x-api-key': `${key}x` } });
      assert.equal(wrong.status, 403);
      const openApi = await fetch(`${keyed.url}/v1/openapi.json`);
      assert.equal(openApi.status, 401, 'the document too needs a key');
      const ok = await fetch(`${keyed.url}/v1/campaigns?format=csv`, { headers: { 'x-api-key': key } });
      assert.equal(ok.status, 200);
      const body = await ok.text();
      assert.ok(!body.includes(key));
      const gone = await fetch(`${revoked.url}/v1/campaigns`, { headers: { 'x-api-key': key } });
      assert.equal(gone.status, 403, 'a key whose hash was removed is refused');
    } finally {
      await keyed.close();
      await revoked.close();
    }
  });
});

describe('the API cache and ETags', () => {
  let file: string;
  let cached: ApiServer;
  let uncached: ApiServer;

  before(async () => {
    file = await buildWarehouse();
    cached = await serveApi(file, { cacheSeconds: 3600 });
    uncached = await serveApi(file, { cacheSeconds: 0 });
  });
  after(async () => {
    await cached?.close();
    await uncached?.close();
  });

  it('serves an unchanged answer 304 for its ETag, per representation', async () => {
    const json = await fetch(`${cached.url}/v1/campaigns?limit=3`);
    const etag = json.headers.get('etag');
    assert.ok(etag);
    const again = await fetch(`${cached.url}/v1/campaigns?limit=3`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const weak = await fetch(`${cached.url}/v1/campaigns?limit=3`, {
      headers: { 'if-none-match': `W/${etag}` },
    });
    assert.equal(weak.status, 304);
    const csv = await fetch(`${cached.url}/v1/campaigns?limit=3`, {
      headers: { 'if-none-match': etag, accept: 'text/csv' },
    });
    assert.equal(csv.status, 200, 'the CSV has its own ETag');
    assert.notEqual(csv.headers.get('etag'), etag);
  });

  it('answers a repeated canonical query from memory, whatever the parameter order', async () => {
    const first = (await (await fetch(`${cached.url}/v1/campaigns?sort=campaign_id&limit=1`)).json()) as {
      data: { campaign_id: number; count_sends: number }[];
    };
    const row = first.data[0];
    assert.ok(row);
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      await warehouse.query(
        `UPDATE iterable_analytics.campaign_fact_table SET count_sends = count_sends + 1000 WHERE campaign_id = $id`,
        { id: row.campaign_id },
      );
    } finally {
      await warehouse.close();
    }
    const reordered = (await (await fetch(`${cached.url}/v1/campaigns?limit=1&sort=campaign_id`)).json()) as {
      data: { count_sends: number }[];
    };
    assert.equal(reordered.data[0]?.count_sends, row.count_sends, 'from the cache');
    const fresh = (await (await fetch(`${uncached.url}/v1/campaigns?limit=1&sort=campaign_id`)).json()) as {
      data: { count_sends: number }[];
    };
    assert.equal(fresh.data[0]?.count_sends, row.count_sends + 1000, 'without a cache, the table as it is');
  });
});
