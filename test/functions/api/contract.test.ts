/**
 * Contract: every route's answers — successes, CSV, problems — validate against the OpenAPI
 * document the API itself serves at /v1/openapi.json (JSON Schema 2020-12, checked with Ajv).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ApiServer } from '../../../local/api-server.js';
import { buildWarehouse, serveApi } from './api-fixture.js';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});

/** Requests that reach every route and every status it documents. */
const REQUESTS = [
  '/v1/campaigns',
  '/v1/campaigns?sort=-count_sends&limit=3',
  '/v1/campaigns?from=2026-09-01&to=2026-12-01&message_type=12&channel=1',
  '/v1/campaigns?limit=0',
  '/v1/campaigns/{existing}',
  '/v1/campaigns/999999999',
  '/v1/campaigns/abc',
  '/v1/daily',
  '/v1/daily?group_by=message_type',
  '/v1/daily?group_by=channel&limit=2',
  '/v1/daily?group_by=none&from=2026-10-02&to=2026-10-04',
  '/v1/daily?from=2026-10-05&to=2026-10-01',
  '/v1/funnel?limit=5',
  '/v1/unsubscribes',
  '/v1/unsubscribes?message_type=nope',
  '/v1/anomalies',
  '/v1/anomalies?kind=guardrail&metric=bounce_rate&series=campaign%3A1&limit=5',
  '/v1/anomalies?metric=open_rate',
  '/v1/health',
];

describe('the API against its own OpenAPI document', () => {
  let api: ApiServer;
  let doc: Json;
  let existing: number;
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(ajv);

  before(async () => {
    api = await serveApi(await buildWarehouse());
    doc = (await (await fetch(`${api.url}/v1/openapi.json`)).json()) as Json;
    const first = (await (await fetch(`${api.url}/v1/campaigns?limit=1`)).json()) as {
      data: { campaign_id: number }[];
    };
    existing = first.data[0]?.campaign_id ?? 0;
  });
  after(() => api?.close());

  /** The operation of a concrete path, by matching it against the document's path templates. */
  const operation = (path: string): Json => {
    for (const [template, item] of Object.entries(obj(doc.paths))) {
      const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
      if (pattern.test(path)) return obj(obj(item).get);
    }
    assert.fail(`no operation documents ${path}`);
  };

  const validate = (schema: unknown, body: unknown, what: string) => {
    const check = ajv.compile({ ...obj(schema), components: doc.components });
    assert.ok(check(body), `${what}: ${ajv.errorsText(check.errors)}`);
    assert.equal(check({ unexpected: true }), false, `${what}: the documented schema rejects a stranger`);
  };

  it('is OpenAPI 3.1 with every route of /v1', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(Object.keys(obj(doc.paths)).sort(), [
      '/v1/anomalies',
      '/v1/campaigns',
      '/v1/campaigns/{campaignId}',
      '/v1/daily',
      '/v1/funnel',
      '/v1/health',
      '/v1/unsubscribes',
    ]);
  });

  it('documents the campaign’s send-date cohorts, and answers them', async () => {
    const detail = obj(obj(obj(doc.components).schemas).CampaignDetail);
    assert.ok((detail.required as string[]).includes('cohorts'));
    assert.equal(obj(obj(obj(detail.properties).cohorts).items).$ref, '#/components/schemas/Cohort');
    const body = (await (await fetch(`${api.url}/v1/campaigns/${existing}`)).json()) as {
      cohorts: unknown[];
    };
    assert.ok(body.cohorts.length > 0, 'the campaign has send-date cohorts');
  });

  for (const template of REQUESTS) {
    it(`answers ${template} as documented, in JSON and CSV`, async () => {
      const url = template.replace('{existing}', String(existing));
      const path = url.split('?')[0] ?? url;
      const responses = obj(operation(path).responses);

      const json = await fetch(`${api.url}${url}`);
      const declared = obj(responses[String(json.status)]);
      assert.ok(Object.keys(declared).length > 0, `${url}: status ${json.status} is documented`);
      const type = (json.headers.get('content-type') ?? '').split(';')[0] ?? '';
      const schema = obj(obj(declared.content)[type]).schema;
      assert.ok(schema, `${url}: ${type} of ${json.status} is documented`);
      validate(schema, await json.json(), url);

      const csv = await fetch(`${api.url}${url}`, { headers: { accept: 'text/csv' } });
      assert.equal(csv.status, json.status);
      if (csv.status !== 200) return;
      assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
      const text = await csv.text();
      assert.ok(text.endsWith('\r\n'), 'RFC 4180 lines end in CRLF');
      const header = text.split('\r\n')[0]?.split(',');
      const row = rowSchema(obj(obj(obj(responses['200']).content)['application/json']).schema);
      assert.deepEqual(
        header,
        Object.keys(obj(row.properties)),
        `${url}: CSV columns are the documented row's`,
      );
    });
  }

  /** The schema of one CSV row: a page's item, the campaign's daily series, health's streams. */
  const rowSchema = (schema: unknown): Json => {
    const resolve = (s: unknown): Json => {
      const ref = obj(s).$ref;
      return typeof ref === 'string'
        ? obj(obj(obj(doc.components).schemas)[ref.split('/').pop() ?? ''])
        : obj(s);
    };
    const root = resolve(schema);
    const props = obj(root.properties);
    const list = props.data ?? props.daily ?? props.streams;
    return resolve(obj(resolve(list)).items);
  };
});
