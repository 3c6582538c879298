/**
 * GET /v1/anomalies over a warehouse built as `npm start` builds it, with metric_anomalies rows of
 * known content: filters, order, paging and CSV give exactly those rows, every row validates
 * against the route's schema in /v1/openapi.json, and what a caller sends stays a value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ApiServer } from '../../../local/api-server.js';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { buildWarehouse, serveApi } from './api-fixture.js';

type Json = Record<string, unknown>;

/** [anomaly_on, series, metric, value, expected, lower, upper, score, direction, severity, kind] */
const ROWS = [
  ['2026-10-05', 'campaign:42', 'bounce_rate', 0.12, 0.05, null, 0.05, 2.4, 'up', 'critical', 'guardrail'],
  [
    '2026-10-05',
    'campaign:42',
    'bounce_rate',
    0.12,
    0.01,
    -0.005,
    0.025,
    9.1,
    'up',
    'critical',
    'statistical',
  ],
  [
    '2026-10-04',
    "message_type:Editor's picks",
    'human_open_rate',
    0.1,
    0.3,
    0.2,
    0.4,
    -5,
    'down',
    'warning',
    'statistical',
  ],
  [
    '2026-10-02',
    'channel:Marketing Email',
    'count_sends',
    100,
    900,
    600,
    1200,
    -4.2,
    'down',
    'warning',
    'statistical',
  ],
  ['2026-08-01', 'campaign:7', 'unsubscribe_rate', 0.02, 0.01, null, 0.01, 2, 'up', 'critical', 'guardrail'],
] as const;
const DETECTED_AT = '2026-10-05T01:45:00.000Z';

const literal = (v: string | number | null) =>
  v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;

describe('GET /v1/anomalies', () => {
  let api: ApiServer;
  let doc: Json;

  before(async () => {
    const file = await buildWarehouse();
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      // The built history has anomalies of its own (a guardrail or two): replaced by known ones.
      await warehouse.query('DELETE FROM iterable_analytics.metric_anomalies');
      await warehouse.query(
        `INSERT INTO iterable_analytics.metric_anomalies VALUES ${ROWS.map(
          (r) => `(DATE ${r.map(literal).join(', ')}, TIMESTAMPTZ '${DETECTED_AT}')`,
        ).join(', ')}`,
      );
    } finally {
      await warehouse.close();
    }
    api = await serveApi(file);
    doc = (await (await fetch(`${api.url}/v1/openapi.json`)).json()) as Json;
  });
  after(() => api?.close());

  const get = async (query: string) => {
    const response = await fetch(`${api.url}/v1/anomalies${query}`);
    return { status: response.status, body: (await response.json()) as Json };
  };
  const keys = (body: Json) =>
    (body.data as Json[]).map((r) => `${r.anomaly_on} ${r.series} ${r.metric} ${r.kind}`);

  const cases: [string, string, string[]][] = [
    [
      'the last 30 days, newest day first',
      '',
      [
        '2026-10-05 campaign:42 bounce_rate guardrail',
        '2026-10-05 campaign:42 bounce_rate statistical',
        "2026-10-04 message_type:Editor's picks human_open_rate statistical",
        '2026-10-02 channel:Marketing Email count_sends statistical',
      ],
    ],
    ['one kind', '?kind=guardrail', ['2026-10-05 campaign:42 bounce_rate guardrail']],
    [
      'one metric',
      '?metric=human_open_rate',
      ["2026-10-04 message_type:Editor's picks human_open_rate statistical"],
    ],
    [
      'one series, with a space',
      '?series=channel%3AMarketing%20Email',
      ['2026-10-02 channel:Marketing Email count_sends statistical'],
    ],
    [
      'a date range',
      '?from=2026-07-01&to=2026-10-03',
      [
        '2026-10-02 channel:Marketing Email count_sends statistical',
        '2026-08-01 campaign:7 unsubscribe_rate guardrail',
      ],
    ],
    ['a quote in the series, bound as a value', `?series=${encodeURIComponent("campaign:42' --")}`, []],
  ];
  for (const [what, query, want] of cases) {
    it(`lists ${what}`, async () => {
      const { status, body } = await get(query);
      assert.equal(status, 200);
      assert.deepEqual(keys(body), want);
    });
  }

  it('answers rows that validate against /v1/openapi.json, with the stored figures', async () => {
    const { body } = await get('?kind=statistical&metric=bounce_rate');
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const route = (doc.paths as Record<string, { get: { responses: Record<string, Json> } }>)[
      '/v1/anomalies'
    ];
    assert.ok(route, '/v1/anomalies is documented');
    const ok = route.get.responses['200'] as Json;
    const schema = ((ok.content as Json)['application/json'] as Json).schema;
    const check = ajv.compile({ ...(schema as Json), components: doc.components });
    assert.ok(check(body), ajv.errorsText(check.errors));
    assert.deepEqual(body.data, [
      {
        anomaly_on: '2026-10-05',
        series: 'campaign:42',
        metric: 'bounce_rate',
        value: 0.12,
        expected: 0.01,
        lower_bound: -0.005,
        upper_bound: 0.025,
        score: 9.1,
        direction: 'up',
        severity: 'critical',
        kind: 'statistical',
        first_detected_at: DETECTED_AT,
      },
    ]);
  });

  it('pages with next_cursor', async () => {
    const first = await get('?limit=3');
    assert.equal((first.body.data as Json[]).length, 3);
    assert.equal(typeof first.body.next_cursor, 'string');
    const second = await get(`?limit=3&cursor=${first.body.next_cursor}`);
    assert.deepEqual(keys(second.body), ['2026-10-02 channel:Marketing Email count_sends statistical']);
    assert.equal(second.body.next_cursor, null);
  });

  it('writes CSV with the row columns', async () => {
    const response = await fetch(`${api.url}/v1/anomalies?format=csv&kind=guardrail`);
    const lines = (await response.text()).split('\r\n');
    assert.equal(
      lines[0],
      'anomaly_on,series,metric,value,expected,lower_bound,upper_bound,score,direction,severity,kind,first_detected_at',
    );
    assert.equal(
      lines[1],
      `2026-10-05,campaign:42,bounce_rate,0.12,0.05,,0.05,2.4,up,critical,guardrail,${DETECTED_AT}`,
    );
  });

  const refused: [string, string][] = [
    ['an unknown metric', '?metric=open_rate'],
    ['an unknown kind', '?kind=forecast'],
    ['a series without its prefix', '?series=Promotions'],
    ['a range over a year', '?from=2025-01-01&to=2026-10-01'],
    ['an unknown parameter', '?campaign=42'],
  ];
  for (const [what, query] of refused) {
    it(`refuses ${what} with 400`, async () => {
      const { status, body } = await get(query);
      assert.equal(status, 400);
      assert.equal(body.status, 400);
    });
  }
});
