import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { WindowLoad } from '../../../functions/src/ports.js';
import {
  BATCHES,
  BUCKET,
  batches,
  deletes,
  END,
  LOAD,
  loads,
  PROJECT,
  queryJobs,
  type Setup,
  START,
  type StandIns,
  standIns,
} from './warehouse-stand-ins.js';

describe('BigQueryWarehouse through the BigQuery and Cloud Storage clients against local stand-ins', () => {
  let stand: StandIns | null = null;

  afterEach(async () => {
    await stand?.close();
    stand = null;
  });

  async function warehouse(setup: Setup = {}): Promise<StandIns> {
    stand = await standIns(setup);
    return stand;
  }

  it('stages rows as CSV and rejects as NDJSON in Cloud Storage, loads each with one job, replaces the window in one transaction, then deletes the objects', async () => {
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

    // The window's loads finish in parallel, so their jobs reach the stand-in in either order.
    const jobs = loads(bq);
    assert.equal(jobs.length, 2, 'no NDJSON rows job: every row fits CSV');
    const into = (tableId: string) =>
      jobs.find((j) => (j.load.destinationTable as { tableId?: string } | undefined)?.tableId === tableId);
    const rowsUpload = into(rowsTable.tableReference.tableId);
    const rejectsUpload = into(rejectsTable.tableReference.tableId);
    assert.ok(rowsUpload && rejectsUpload);
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

    // The two loads finish in parallel, so their jobs reach the stand-in in either order.
    const jobs = loads(bq);
    assert.equal(jobs.length, 2, 'no rejects job');
    const csv = jobs.find((j) => j.load.sourceFormat === 'CSV');
    const json = jobs.find((j) => j.load.sourceFormat === 'NEWLINE_DELIMITED_JSON');
    assert.ok(csv && json);
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
