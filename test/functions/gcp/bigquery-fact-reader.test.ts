/**
 * The BigQuery adapter of the API's query port, against a local server speaking the REST API:
 * a caller's values travel as named query parameters (never in the query text), with the result
 * cache on and a billing cap, and BigQuery's typed cells come back as the plain values the
 * handler's schemas read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import { campaignsStatement } from '../../../functions/src/api/queries.js';
import { BigQueryFactReader } from '../../../functions/src/gcp/bigquery-fact-reader.js';
import { type RecordedRequest, type RecordingServer, startRecordingServer } from './recording-server.js';

const PROJECT = 'test-project';
const HOSTILE = "2026-01-01' OR 1=1 --";

const SCHEMA = {
  fields: [
    { name: 'campaign_id', type: 'INTEGER' },
    { name: 'created_at', type: 'TIMESTAMP' },
    { name: 'event_on', type: 'DATE' },
    { name: 'open_rate', type: 'FLOAT' },
  ],
};
/** BigQuery's REST cells: strings, TIMESTAMP as epoch microseconds (the client asks for useInt64Timestamp) (https://cloud.google.com/bigquery/docs/reference/rest/v2/tabledata/list). */
const ROWS = [{ f: [{ v: '42' }, { v: '1790812800000000' }, { v: '2026-10-01' }, { v: null }] }];

/** jobs.query answers at once; the job path (insert, then getQueryResults) is there too. */
function handler(request: RecordedRequest) {
  const results = {
    kind: 'bigquery#queryResponse',
    jobComplete: true,
    jobReference: { projectId: PROJECT, jobId: 'job-1', location: 'EU' },
    schema: SCHEMA,
    rows: ROWS,
    totalRows: '1',
  };
  if (request.method === 'POST' && request.path.endsWith('/queries')) return { status: 200, body: results };
  if (request.method === 'POST' && request.path.endsWith('/jobs')) {
    const job = JSON.parse(request.body) as Record<string, unknown>;
    return { status: 200, body: { ...job, jobReference: results.jobReference, status: { state: 'DONE' } } };
  }
  if (request.method === 'GET' && request.path.includes('/queries/job-1'))
    return { status: 200, body: results };
  return {
    status: 404,
    body: { error: { code: 404, message: `not in this fake: ${request.method} ${request.path}` } },
  };
}

describe('BigQueryFactReader', () => {
  let server: RecordingServer;
  let reader: BigQueryFactReader;

  before(async () => {
    server = await startRecordingServer(handler);
    const bigquery = new BigQuery({
      projectId: PROJECT,
      apiEndpoint: server.url,
      authClient: new PassThroughClient(),
    });
    reader = new BigQueryFactReader(bigquery, 'EU');
  });
  after(() => server?.close());

  it('sends values as named parameters, with the result cache and a billing cap', async () => {
    const statement = campaignsStatement(
      'iterable_analytics',
      {
        range: { from: HOSTILE, to: '2026-02-01' },
        filters: { message_type: 12 },
        sort: { column: 'count_sends', descending: true },
      },
      { limit: 10, offset: 20 },
    );
    const rows = await reader.read(statement);
    assert.deepEqual(rows, [
      { campaign_id: 42, created_at: '2026-10-01T00:00:00.000Z', event_on: '2026-10-01', open_rate: null },
    ]);
    const sent = server.requests.find((r) => r.method === 'POST');
    assert.ok(sent);
    const body = JSON.parse(sent.body) as Record<string, unknown>;
    const query = (body.configuration as { query?: Record<string, unknown> } | undefined)?.query ?? body;
    assert.match(String(query.parameterMode), /^named$/i);
    assert.equal(query.useQueryCache, true);
    assert.equal(query.useLegacySql, false);
    assert.equal(query.maximumBytesBilled, String(10 * 1024 ** 3));
    assert.ok(!String(query.query).includes(HOSTILE), 'the value is not in the SQL text');
    assert.match(String(query.query), /DATE\(created_at\) >= CAST\(@from_date AS DATE\)/);
    const parameters = Object.fromEntries(
      (
        query.queryParameters as {
          name: string;
          parameterType: { type: string };
          parameterValue: { value: string };
        }[]
      ).map((p) => [p.name, `${p.parameterType.type} ${p.parameterValue.value}`]),
    );
    assert.deepEqual(parameters, {
      from_date: `STRING ${HOSTILE}`,
      to_date: 'STRING 2026-02-01',
      message_type_id: 'INT64 12',
      page_limit: 'INT64 11',
      page_offset: 'INT64 20',
    });
  });
});
