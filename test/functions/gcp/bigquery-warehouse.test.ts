import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import { BigQueryWarehouse } from '../../../functions/src/gcp/bigquery-warehouse.js';
import { CHUNK_MULTIPLE, type PartSizes } from '../../../functions/src/gcp/staged-load.js';
import type { LoadBatch, WindowLoad } from '../../../functions/src/ports.js';
import { type BigQueryApi, bigQueryApi, type JobFailure } from './bigquery-api.js';
import { type GcsFault, type GcsServer, startGcsServer } from './gcs-api.js';
import { type LoadConfiguration, readLoad } from './load-upload.js';
import { localStorage } from './local-storage.js';
import { type RecordedRequest, type RecordingServer, startRecordingServer } from './recording-server.js';

const PROJECT = 'test-project';
const BUCKET = 'test-project-load-staging';
const START = Date.UTC(2026, 0, 1);
const END = START + 6 * 3600_000;
const LOAD: WindowLoad = {
  stream: 'email_send',
  window: { start: START, end: END },
  runId: 'task-1',
  loadedAt: END + 60_000,
};

/** Two email_send rows (catalog order: created_at, email, user_id, campaign_id, template_id, message_id, message_type_id, channel_id, transactional_data) and one reject. */
const BATCHES: LoadBatch[] = [
  {
    rows: [
      {
        cells: [START + 1000, 'a@example.com', 'u1', 11, 21, 'm1', 3, 4, '{"order":1}'],
        payload: '{"createdAt":"a"}',
      },
      {
        cells: [START + 2000, 'b@example.com', null, 12, null, 'm2', null, null, null],
        payload: '{"createdAt":"b"}',
      },
    ],
    rejects: [{ line: 'not json', reason: 'malformed JSON', createdAt: null }],
  },
];

async function* batches(list: readonly LoadBatch[], failAfter?: number): AsyncIterable<LoadBatch> {
  for (const [k, batch] of list.entries()) {
    if (k === failAfter) throw new Error('export cut off');
    yield batch;
  }
  if (failAfter === list.length) throw new Error('export cut off');
}

/** Each load job that ran: its configuration and the rows BigQuery would read from its objects. */
const loads = (api: BigQueryApi) =>
  api.loads.map(({ job, sources }) => {
    const load = job.configuration.load as LoadConfiguration & Record<string, unknown>;
    return { load, rows: readLoad(load, sources.map((s) => s.text ?? '').join('')) };
  });
const queryJobs = (requests: readonly RecordedRequest[]) =>
  requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.path === `/bigquery/v2/projects/${PROJECT}/jobs` &&
      (JSON.parse(r.body) as { configuration: { query?: unknown } }).configuration.query !== undefined,
  );
const deletes = (requests: readonly RecordedRequest[]) => requests.filter((r) => r.method === 'DELETE');
/** One email_send row whose CSV line is about `bytes` long. */
const sized = (k: number, bytes: number) => ({
  cells: [START + k, `u${k}@example.com`, `u${k}`, 1, null, `m${k}`, null, null, null],
  payload: `{"k":${k},"pad":"${'x'.repeat(bytes)}"}`,
});

describe('BigQueryWarehouse through the BigQuery and Cloud Storage clients against local stand-ins', () => {
  let server: RecordingServer | null = null;
  let gcs: GcsServer | null = null;

  afterEach(async () => {
    await server?.close();
    await gcs?.close();
    server = null;
    gcs = null;
  });

  interface Setup {
    readonly fail?: JobFailure;
    readonly fault?: GcsFault;
    readonly partSizes?: PartSizes;
  }

  async function warehouse({ fail, fault, partSizes }: Setup = {}): Promise<{
    warehouse: BigQueryWarehouse;
    requests: RecordedRequest[];
    bq: BigQueryApi;
    gcs: GcsServer;
  }> {
    const staging = await startGcsServer({ keepText: true, ...(fault ? { fault } : {}) });
    gcs = staging;
    const bq = bigQueryApi(fail, (uri) => staging.api.objects.get(uri));
    server = await startRecordingServer(bq.handler);
    // The clients authenticate even against a custom endpoint: a pass-through client needs no
    // credentials. Retries wait at most 1 s (the least the client allows) instead of up to 64 s.
    const bigquery = new BigQuery({
      projectId: PROJECT,
      apiEndpoint: server.url,
      authClient: new PassThroughClient(),
    });
    const storage = localStorage(staging.url, 1);
    return {
      warehouse: new BigQueryWarehouse(bigquery, storage.bucket(BUCKET), {
        rawDataset: 'iterable_raw',
        location: 'EU',
        transactionRetry: { attempts: 3, firstDelayMs: 1 },
        partSizes: partSizes ?? { partBytes: CHUNK_MULTIPLE, chunkBytes: CHUNK_MULTIPLE },
      }),
      requests: server.requests,
      bq,
      gcs: staging,
    };
  }

  it('stages rows as CSV and rejects as NDJSON in Cloud Storage, loads each with one job, deletes the objects, then replaces the window in one transaction', async () => {
    const { warehouse: w, requests, bq, gcs: staging } = await warehouse();
    const counts = await w.replaceWindow(LOAD, batches(BATCHES));
    assert.deepEqual(counts, { rows: 2, rejects: 1 });

    const created = requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/datasets/iterable_raw/tables'),
    );
    assert.equal(created.length, 2);
    const tables = created.map(
      (r) =>
        JSON.parse(r.body) as {
          tableReference: { tableId: string };
          schema: { fields: { name: string; type: string }[] };
          expirationTime: string;
        },
    );
    const rowsTable = tables.find((t) => t.tableReference.tableId.endsWith('_rows'));
    const rejectsTable = tables.find((t) => t.tableReference.tableId.endsWith('_rejects'));
    assert.ok(rowsTable && rejectsTable);
    assert.match(
      rowsTable.tableReference.tableId,
      new RegExp(`^_staging_email_send_${START}_${END}_[0-9a-f]{32}_rows$`),
    );
    assert.deepEqual(
      rowsTable.schema.fields.map((f) => `${f.name}:${f.type}`),
      [
        'created_at:INT64',
        'email:STRING',
        'user_id:STRING',
        'campaign_id:INT64',
        'template_id:INT64',
        'message_id:STRING',
        'message_type_id:INT64',
        'channel_id:INT64',
        'transactional_data:STRING',
        'payload:STRING',
      ],
    );
    assert.ok(Number(rowsTable.expirationTime) > Date.now(), 'staging tables expire on their own');

    const [rowsUpload, rejectsUpload, ...others] = loads(bq);
    assert.ok(rowsUpload && rejectsUpload);
    assert.equal(others.length, 0, 'no NDJSON rows job: every row fits CSV');
    const load = rowsUpload.load;
    const prefix = `gs://${BUCKET}/windows/email_send/${START}_${END}_[0-9a-f]{32}`;
    assert.equal((load.sourceUris as string[]).length, 1);
    assert.match((load.sourceUris as string[])[0] ?? '', new RegExp(`^${prefix}/rows-00000\\.csv$`));
    assert.match(
      (rejectsUpload.load.sourceUris as string[])[0] ?? '',
      new RegExp(`^${prefix}/rejects-00000\\.ndjson$`),
    );
    assert.equal(load.sourceFormat, 'CSV');
    assert.equal(load.fieldDelimiter, '\u0001');
    assert.equal(load.quote, '');
    assert.equal(load.nullMarker, '\\N');
    assert.equal(load.writeDisposition, 'WRITE_APPEND');
    assert.equal(load.createDisposition, 'CREATE_NEVER');
    assert.deepEqual(load.destinationTable, {
      projectId: PROJECT,
      datasetId: 'iterable_raw',
      tableId: rowsTable.tableReference.tableId,
    });
    assert.deepEqual(load.schema?.fields, rowsTable.schema.fields);
    assert.deepEqual(rowsUpload.rows, [
      {
        created_at: START + 1000,
        email: 'a@example.com',
        user_id: 'u1',
        campaign_id: 11,
        template_id: 21,
        message_id: 'm1',
        message_type_id: 3,
        channel_id: 4,
        transactional_data: '{"order":1}',
        payload: '{"createdAt":"a"}',
      },
      {
        created_at: START + 2000,
        email: 'b@example.com',
        user_id: null,
        campaign_id: 12,
        template_id: null,
        message_id: 'm2',
        message_type_id: null,
        channel_id: null,
        transactional_data: null,
        payload: '{"createdAt":"b"}',
      },
    ]);
    assert.equal(rejectsUpload.load.sourceFormat, 'NEWLINE_DELIMITED_JSON');
    assert.deepEqual(rejectsUpload.rows, [{ created_at: null, line: 'not json', reason: 'malformed JSON' }]);

    const [query] = queryJobs(requests).map(
      (r) =>
        JSON.parse(r.body) as {
          configuration: {
            query: {
              query: string;
              useLegacySql: boolean;
              queryParameters: {
                name: string;
                parameterType: { type: string };
                parameterValue: { value: string };
              }[];
            };
          };
          jobReference: { location: string };
        },
    );
    assert.ok(query);
    assert.equal(query.jobReference.location, 'EU');
    assert.equal(query.configuration.query.useLegacySql, false);
    const sql = query.configuration.query.query;
    const raw = `\`${PROJECT}.iterable_raw.email_send_raw\``;
    const statements = sql.split(';\n').map((s) => s.trim());
    assert.equal(statements[0], 'BEGIN TRANSACTION');
    assert.equal(
      statements[1],
      `DELETE FROM ${raw} WHERE created_at >= @window_start AND created_at < @window_end`,
    );
    assert.match(
      statements[2] ?? '',
      new RegExp(
        `^INSERT INTO ${raw.replaceAll('.', '\\.')} \\(created_at, email, .*, payload, _window_start, _window_end, _loaded_at, _run_id\\)\nSELECT TIMESTAMP_MILLIS\\(created_at\\), email, `,
      ),
    );
    assert.match(
      statements[2] ?? '',
      /message_id, message_type_id, channel_id, transactional_data, PARSE_JSON\(payload, wide_number_mode => 'round'\), @window_start, @window_end, @loaded_at, @run_id FROM/,
    );
    assert.match(
      statements[2] ?? '',
      // Rows of users forgotten since are skipped: a reload cannot bring them back.
      new RegExp(
        `FROM \`${PROJECT}\\.iterable_raw\\.${rowsTable.tableReference.tableId}\` WHERE .*NOT IN \\(SELECT user_hash FROM \`${PROJECT}\\.iterable_raw\\.forgotten_users\`\\)$`,
      ),
    );
    assert.match(
      statements[3] ?? '',
      /^DELETE FROM `test-project\.iterable_raw\.email_send_rejects` WHERE \(created_at >= @window_start/,
    );
    assert.match(statements[4] ?? '', /^INSERT INTO `test-project\.iterable_raw\.email_send_rejects`/);
    // The stream's loaded edge moves forward to the window's end inside the same transaction.
    assert.match(
      statements[5] ?? '',
      /^MERGE INTO `test-project\.iterable_raw\.email_send_loaded_edge` AS edges\nUSING \(SELECT @stream AS stream, @window_end AS loaded_edge, @loaded_at AS updated_at\)[\s\S]*WHEN MATCHED AND edges\.loaded_edge < loaded\.loaded_edge THEN/,
    );
    assert.equal(statements.at(-1), 'COMMIT TRANSACTION;');
    const params = Object.fromEntries(
      query.configuration.query.queryParameters.map((p) => [
        p.name,
        `${p.parameterType.type}:${p.parameterValue.value}`,
      ]),
    );
    assert.deepEqual(params, {
      stream: 'STRING:email_send',
      window_start: `TIMESTAMP:${new Date(START).toISOString()}`,
      window_end: `TIMESTAMP:${new Date(END).toISOString()}`,
      loaded_at: `TIMESTAMP:${new Date(LOAD.loadedAt).toISOString()}`,
      run_id: 'STRING:task-1',
    });

    assert.deepEqual(
      deletes(requests)
        .map((r) => r.path.split('/').pop())
        .sort(),
      tables.map((t) => t.tableReference.tableId).sort(),
      'both staging tables are dropped',
    );
    assert.ok(!requests.some((r) => r.path.endsWith('/insertAll')), 'no legacy streaming inserts');
    assert.ok(!requests.some((r) => r.path.startsWith('/upload/')), 'no media upload to BigQuery');
    assert.equal(staging.api.objects.size, 0, 'the staged objects are deleted');
    assert.deepEqual(
      staging.api.log.filter((e) => e.request.method === 'DELETE').map((e) => [e.request.uri, e.status]),
      [...(load.sourceUris as string[]), ...(rejectsUpload.load.sourceUris as string[])].map((uri) => [
        uri,
        204,
      ]),
    );
  });

  it('stages the rows CSV cannot carry unquoted through a second, NDJSON load job into the same table', async () => {
    const { warehouse: w, bq } = await warehouse();
    const row = (email: string, payload: string) => ({
      cells: [START, email, null, 1, null, 'm', null, null, null],
      payload,
    });
    const odd = [
      row('line\nfeed@example.com', '{"email":"line\\nfeed@example.com"}'),
      row('\\N', '{"email":"\\\\N"}'),
      row('delimiter\u0001@example.com', '{"email":"delimiter\\u0001@example.com"}'),
      row('cr@example.com', '{"email":"cr@example.com",\r"x":1}'),
    ];
    const plain = [row('tab@example.com', '{"email":"tab@example.com",\t"x":1}'), row('', '{"email":""}')];
    await w.replaceWindow(LOAD, batches([{ rows: [...plain, ...odd], rejects: [] }]));

    const [csv, json, ...others] = loads(bq);
    assert.ok(csv && json);
    assert.equal(others.length, 0, 'no rejects job');
    assert.equal(csv.load.sourceFormat, 'CSV');
    assert.equal(json.load.sourceFormat, 'NEWLINE_DELIMITED_JSON');
    assert.deepEqual(json.load.destinationTable, csv.load.destinationTable);
    const read = (r: Record<string, unknown>) => ({ email: r.email, payload: r.payload });
    assert.deepEqual(
      csv.rows.map(read),
      plain.map((r) => ({ email: r.cells[1], payload: r.payload })),
    );
    assert.deepEqual(
      json.rows.map(read),
      odd.map((r) => ({ email: r.cells[1], payload: r.payload })),
    );
  });

  it('replaces a dimension’s whole table, and runs no load job for rejects it does not have', async () => {
    const { warehouse: w, requests, bq } = await warehouse();
    const load: WindowLoad = { ...LOAD, stream: 'channels' };
    await w.replaceWindow(
      load,
      batches([{ rows: [{ cells: [1, 'Marketing', 'Marketing', 'Email'], payload: '{}' }], rejects: [] }]),
    );
    assert.equal(bq.loads.length, 1);
    const [query] = queryJobs(requests).map(
      (r) =>
        (JSON.parse(r.body) as { configuration: { query: { query: string } } }).configuration.query.query,
    );
    assert.match(query ?? '', /DELETE FROM `test-project\.iterable_raw\.channels_raw` WHERE TRUE;/);
    assert.match(query ?? '', /DELETE FROM `test-project\.iterable_raw\.channels_rejects` WHERE TRUE;/);
  });

  it('writes nothing, loads nothing and drops staging when the export fails mid-stream', async () => {
    const { warehouse: w, requests, bq, gcs: staging } = await warehouse();
    await assert.rejects(w.replaceWindow(LOAD, batches(BATCHES, 1)), /export cut off/);
    assert.equal(queryJobs(requests).length, 0, 'no transaction ran');
    assert.equal(bq.jobs.size, 0, 'no load job ran');
    assert.equal(deletes(requests).length, 2);
    assert.equal(staging.api.objects.size, 0, 'nothing is left in the bucket');
  });

  it('fails the load, without a transaction, when a load job fails', async () => {
    const {
      warehouse: w,
      requests,
      gcs: staging,
    } = await warehouse({
      fail: (job) => (job.configuration.load ? 'Error while reading data' : null),
    });
    await assert.rejects(w.replaceWindow(LOAD, batches(BATCHES)), /Error while reading data/);
    assert.equal(queryJobs(requests).length, 0);
    assert.equal(deletes(requests).length, 2);
    assert.equal(staging.api.objects.size, 0, 'the staged objects are deleted');
  });

  it('reruns the transaction alone when BigQuery aborts it for a concurrent update', async () => {
    let conflicts = 1;
    const {
      warehouse: w,
      requests,
      bq,
    } = await warehouse({
      fail: (job) =>
        job.configuration.query && conflicts-- > 0
          ? 'Transaction is aborted due to concurrent update against table test-project:iterable_raw.email_send_rejects.'
          : null,
    });
    assert.deepEqual(await w.replaceWindow(LOAD, batches(BATCHES)), { rows: 2, rejects: 1 });
    assert.equal(queryJobs(requests).length, 2);
    assert.equal(bq.loads.length, 2, 'the staged rows are not loaded again');
  });

  it('gives up on other query errors at once', async () => {
    const { warehouse: w, requests } = await warehouse({
      fail: (job) => (job.configuration.query ? 'Syntax error' : null),
    });
    await assert.rejects(w.replaceWindow(LOAD, batches(BATCHES)), /Syntax error/);
    assert.equal(queryJobs(requests).length, 1);
    assert.equal(deletes(requests).length, 2);
  });

  it('uploads a part again after a transient error, and loads every part exactly once in one job', async () => {
    let faults = 1;
    const {
      warehouse: w,
      requests,
      bq,
      gcs: staging,
    } = await warehouse({
      // Each batch's text becomes a part of its own.
      partSizes: { partBytes: 1, chunkBytes: CHUNK_MULTIPLE },
      fault: (r) =>
        r.method === 'PUT' && r.uri.endsWith('/rows-00001.csv') && r.contentRange?.startsWith('bytes 0-')
          ? faults-- > 0
            ? 503
            : null
          : null,
    });
    const parts = [0, 1, 2].map((p) => ({ rows: [0, 1].map((k) => sized(10 * p + k, 100)), rejects: [] }));
    assert.deepEqual(await w.replaceWindow(LOAD, batches(parts)), { rows: 6, rejects: 0 });

    const [only, ...others] = loads(bq);
    assert.ok(only);
    assert.equal(others.length, 0, 'one load job for the window’s rows');
    assert.deepEqual(
      (only.load.sourceUris as string[]).map((uri) => uri.split('/').pop()),
      ['rows-00000.csv', 'rows-00001.csv', 'rows-00002.csv'],
    );
    assert.deepEqual(
      only.rows.map((r) => r.message_id),
      parts.flatMap((b) => b.rows.map((r) => r.cells[5])),
      'every row once, in order',
    );
    const second = staging.api.log.filter((e) => e.request.uri.endsWith('/rows-00001.csv'));
    assert.deepEqual(
      second.map((e) => `${e.request.method} ${e.status}`),
      ['POST 200', 'PUT 503', 'PUT 308', 'PUT 200', 'DELETE 204'],
      'session, failed chunk, offset query, chunk sent again, delete',
    );
    assert.equal(queryJobs(requests).length, 1);
    assert.equal(staging.api.objects.size, 0, 'every part is deleted');
  });

  it('sends a failed chunk of a part again from the offset the server holds', async () => {
    let faults = 1;
    const {
      warehouse: w,
      bq,
      gcs: staging,
    } = await warehouse({
      partSizes: { partBytes: 4 * CHUNK_MULTIPLE, chunkBytes: CHUNK_MULTIPLE },
      fault: (r) =>
        r.method === 'PUT' && r.contentRange?.startsWith(`bytes ${CHUNK_MULTIPLE}-`) && faults-- > 0
          ? 503
          : null,
    });
    // About 1.5 chunks of CSV in one part.
    const rows = Array.from({ length: 400 }, (_, k) => sized(k, 1000));
    await w.replaceWindow(LOAD, batches([{ rows, rejects: [] }]));

    const [only] = loads(bq);
    assert.ok(only);
    assert.equal((only.load.sourceUris as string[]).length, 1);
    assert.deepEqual(
      only.rows.map((r) => r.message_id),
      rows.map((r) => r.cells[5]),
    );
    const puts = staging.api.log.filter((e) => e.request.method === 'PUT');
    assert.deepEqual(
      puts.map((e) => `${e.request.contentRange?.replace(/\d{3,}/g, 'n')} ${e.status}`),
      ['bytes 0-n/* 308', 'bytes n-n/n 503', 'bytes */* 308', 'bytes n-n/n 200'],
    );
    assert.equal(staging.api.objects.size, 0);
  });

  it('fails the window without a load job when a part’s upload keeps failing, and deletes the parts written', async () => {
    const {
      warehouse: w,
      requests,
      bq,
      gcs: staging,
    } = await warehouse({
      partSizes: { partBytes: 1, chunkBytes: CHUNK_MULTIPLE },
      fault: (r) => (r.method === 'PUT' && r.uri.endsWith('/rows-00001.csv') ? 503 : null),
    });
    const parts = [0, 1].map((p) => ({ rows: [sized(p, 10)], rejects: [] }));
    await assert.rejects(w.replaceWindow(LOAD, batches(parts)), /503/);
    assert.equal(bq.jobs.size, 0, 'no load job ran');
    assert.equal(queryJobs(requests).length, 0, 'no transaction ran');
    assert.equal(staging.api.objects.size, 0, 'the part written is deleted');
    assert.equal(deletes(requests).length, 2, 'both staging tables are dropped');
  });

  it('writes disjoint sets of tables in the transactions of two streams’ windows', async () => {
    const { warehouse: w, requests } = await warehouse();
    const open: WindowLoad = { ...LOAD, stream: 'email_open', runId: 'task-2' };
    const openRow = {
      cells: [START + 3000, 'c@example.com', 'u3', 11, 21, 'm3', null, null, null],
      payload: '{}',
    };
    await Promise.all([
      w.replaceWindow(LOAD, batches(BATCHES)),
      w.replaceWindow(open, batches([{ rows: [openRow], rejects: BATCHES[0]?.rejects ?? [] }])),
    ]);
    const transactions = queryJobs(requests).map(
      (r) =>
        (JSON.parse(r.body) as { configuration: { query: { query: string } } }).configuration.query.query,
    );
    assert.equal(transactions.length, 2);
    // Every statement that writes: DELETE FROM, INSERT INTO, MERGE INTO, UPDATE.
    const written = (sql: string) =>
      new Set(
        [...sql.matchAll(/^(?:DELETE FROM|INSERT INTO|MERGE INTO|UPDATE) `([^`]+)`/gm)].map((m) => m[1]),
      );
    const [send, opens] = ['email_send', 'email_open'].map((stream) => {
      const sql = transactions.find((q) => q.includes(`iterable_raw.${stream}_raw\``));
      assert.ok(sql, stream);
      return written(sql);
    });
    assert.ok(send && opens);
    assert.deepEqual([...send].sort(), [
      `${PROJECT}.iterable_raw.email_send_loaded_edge`,
      `${PROJECT}.iterable_raw.email_send_raw`,
      `${PROJECT}.iterable_raw.email_send_rejects`,
    ]);
    assert.equal(opens.size, 3);
    assert.deepEqual(
      [...send].filter((t) => opens.has(t)),
      [],
    );
  });
});
