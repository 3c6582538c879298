/**
 * The API's figures are the fact tables' own: every route, walked page by page through its
 * cursors, gives exactly the rows SQL reads from the table, and roll-ups equal SQL sums.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiServer } from '../../../local/api-server.js';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { buildWarehouse, serveApi } from './api-fixture.js';

type Row = Record<string, unknown>;

/** SQL rows as the API writes them: dates as text, timestamps as ISO 8601. */
const plain = (rows: Row[]): Row[] =>
  rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
  );

describe('API figures against SQL on the fact tables', () => {
  let api: ApiServer;
  let warehouse: DuckDbWarehouse;

  before(async () => {
    const file = await buildWarehouse();
    api = await serveApi(file);
    warehouse = await DuckDbWarehouse.open(file);
  });
  after(async () => {
    await api?.close();
    await warehouse?.close();
  });

  /** Every row of a list route, following next_cursor. */
  const walk = async (path: string): Promise<{ rows: Row[]; pages: number }> => {
    const rows: Row[] = [];
    let pages = 0;
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const url: string = `${api.url}${path}${cursor ? `${sep}cursor=${cursor}` : ''}`;
      const response = await fetch(url);
      assert.equal(response.status, 200, url);
      const body = (await response.json()) as { data: Row[]; next_cursor: string | null };
      rows.push(...body.data);
      cursor = body.next_cursor;
      pages += 1;
    } while (cursor !== null);
    return { rows, pages };
  };

  it('/v1/campaigns pages through campaign_fact_table, whole and in order', async () => {
    const { rows, pages } = await walk('/v1/campaigns?limit=2&sort=-count_sends');
    const expected = await warehouse.query(
      `SELECT * FROM iterable_analytics.campaign_fact_table ORDER BY count_sends DESC NULLS LAST, campaign_id`,
    );
    assert.ok(pages > 1, 'more than one page');
    assert.deepEqual(rows, plain(expected));
  });

  it('/v1/campaigns filters by message type, channel and creation date', async () => {
    const { rows } = await walk('/v1/campaigns?message_type=12&channel=1&from=2026-09-01&to=2026-10-03');
    const expected = await warehouse.query(
      `SELECT campaign_id FROM iterable_analytics.campaign_fact_table
       WHERE message_type_id = 12 AND channel_id = 1
         AND DATE(created_at) >= DATE '2026-09-01' AND DATE(created_at) < DATE '2026-10-03'
       ORDER BY campaign_id`,
    );
    assert.ok(expected.length > 0);
    assert.deepEqual(
      rows.map((r) => r.campaign_id),
      expected.map((r) => r.campaign_id),
    );
  });

  it('/v1/campaigns/{id} is the campaign row plus its rows of email_performance_fact and email_send_cohort_fact', async () => {
    const [top] = await warehouse.query<{ campaign_id: number }>(
      `SELECT campaign_id FROM iterable_analytics.campaign_fact_table ORDER BY count_sends DESC LIMIT 1`,
    );
    const id = top?.campaign_id;
    const body = (await (await fetch(`${api.url}/v1/campaigns/${id}`)).json()) as {
      campaign: Row;
      daily: Row[];
      cohorts: Row[];
    };
    const [campaign] = await warehouse.query(
      `SELECT * FROM iterable_analytics.campaign_fact_table WHERE campaign_id = ${id}`,
    );
    assert.deepEqual(body.campaign, plain([campaign ?? {}])[0]);
    const daily = await warehouse.query(
      `SELECT CAST(event_on AS VARCHAR) AS event_on, * EXCLUDE (event_on, channel_type)
       FROM iterable_analytics.email_performance_fact WHERE campaign_id = ${id} ORDER BY event_on`,
    );
    assert.ok(daily.length > 1);
    assert.deepEqual(
      body.daily.map((r) => ({ ...r })),
      daily.map((r) => Object.fromEntries(Object.keys(body.daily[0] ?? {}).map((k) => [k, r[k]]))),
    );
    const cohorts = await warehouse.query(
      `SELECT CAST(send_on AS VARCHAR) AS send_on, * EXCLUDE (send_on, channel_type)
       FROM iterable_analytics.email_send_cohort_fact WHERE campaign_id = ${id} ORDER BY send_on`,
    );
    assert.ok(cohorts.length > 0);
    assert.deepEqual(body.cohorts, cohorts);
  });

  it('/v1/daily per campaign is email_performance_fact over the range', async () => {
    const { rows } = await walk('/v1/daily?from=2026-10-02&to=2026-10-05&limit=40');
    const expected = await warehouse.query<Row>(
      `SELECT CAST(event_on AS VARCHAR) AS event_on, campaign_id, count_sends, count_unique_opens, revenue, open_rate
       FROM iterable_analytics.email_performance_fact
       WHERE event_on >= DATE '2026-10-02' AND event_on < DATE '2026-10-05' ORDER BY event_on, campaign_id`,
    );
    assert.deepEqual(
      rows.map((r) => [
        r.event_on,
        r.campaign_id,
        r.count_sends,
        r.count_unique_opens,
        r.revenue,
        r.open_rate,
      ]),
      expected.map((r) => Object.values(r)),
    );
  });

  for (const [groupBy, column] of [
    ['message_type', 'message_type_id'],
    ['channel', 'channel_id'],
    ['none', null],
  ] as const) {
    it(`/v1/daily?group_by=${groupBy} equals SQL sums, rates from the summed counts`, async () => {
      const { rows } = await walk(`/v1/daily?group_by=${groupBy}&from=2026-10-01&to=2026-10-07&limit=9`);
      const key = column ? `, ${column}` : '';
      const expected = await warehouse.query<Row>(
        `SELECT CAST(event_on AS VARCHAR) AS event_on${key}, SUM(count_sends) AS sends, SUM(count_clicks) AS clicks,
           SUM(revenue) AS revenue, SUM(count_unique_clicks) / NULLIF(SUM(count_delivered), 0) AS click_rate
         FROM iterable_analytics.email_performance_fact
         WHERE event_on >= DATE '2026-10-01' AND event_on < DATE '2026-10-07'
         GROUP BY event_on${key} ORDER BY event_on${key} NULLS LAST`,
      );
      assert.ok(expected.length > 0);
      assert.deepEqual(
        rows.map((r) => [
          r.event_on,
          ...(column ? [r[column]] : []),
          r.count_sends,
          r.count_clicks,
          r.revenue,
          r.click_rate,
        ]),
        expected.map((r) => Object.values(r)),
      );
    });
  }

  it('/v1/funnel is email_funnel_fact', async () => {
    const { rows } = await walk('/v1/funnel?limit=2');
    const expected = await warehouse.query(
      `SELECT * FROM iterable_analytics.email_funnel_fact ORDER BY campaign_id`,
    );
    assert.deepEqual(
      rows.map(({ campaign_name: _name, ...rest }) => rest),
      expected,
    );
  });

  it('/v1/unsubscribes is unsubscribe_fact over the range', async () => {
    const { rows } = await walk('/v1/unsubscribes?from=2026-10-01&to=2026-10-07&limit=11');
    const expected = await warehouse.query(
      `SELECT CAST(event_on AS VARCHAR) AS event_on, * EXCLUDE (event_on) FROM iterable_analytics.unsubscribe_fact
       WHERE event_on >= DATE '2026-10-01' AND event_on < DATE '2026-10-07'
       ORDER BY event_on, message_type_id NULLS LAST, unsub_source NULLS LAST`,
    );
    assert.ok(expected.length > 0);
    assert.deepEqual(rows, expected);
  });

  it('/v1/health gives each stream its watermark from the ledger', async () => {
    const body = (await (await fetch(`${api.url}/v1/health`)).json()) as { streams: Row[] };
    const send = body.streams.find((s) => s.stream === 'email_send');
    assert.equal(send?.watermark, '2026-10-07T00:00:00.000Z');
    assert.equal(send?.freshness_seconds, 0);
    assert.equal(send?.failed_windows, 0);
  });
});
