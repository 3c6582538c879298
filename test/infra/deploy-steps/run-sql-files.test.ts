import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BigQuery } from '@google-cloud/bigquery';
import { runSqlFiles, SqlFileError } from '../../../infra/deploy-steps/run-sql-files.js';
import { bigQueryApi, type JobResource } from '../../functions/gcp/bigquery-api.js';
import { type RecordingServer, startRecordingServer } from '../../functions/gcp/recording-server.js';

const FILES = [
  { key: '01_stg_message_types', sql: 'create or replace view a as select 1 as x' },
  { key: '02_stg_campaigns', sql: 'create or replace view b as select x from a' },
  { key: '03_stg_email_events', sql: 'create or replace view c as select x from nowhere' },
  { key: '10_campaign_fact_table', sql: 'create table if not exists d as select x from c' },
];
const BIGQUERY_MESSAGE = 'Not found: Table test-project:iterable_raw.nowhere was not found in location US';

describe('running the SQL files at deploy', () => {
  let server: RecordingServer;
  const api = bigQueryApi((job) =>
    job.configuration.query?.query.includes('nowhere') ? BIGQUERY_MESSAGE : null,
  );
  /** Times each job was polled: the fake reports RUNNING on insert and on the first poll. */
  const polls = new Map<string, number>();

  before(async () => {
    server = await startRecordingServer((request) => {
      const reply = api.handler(request);
      const job = reply.body as JobResource | undefined;
      const id = job?.jobReference?.jobId;
      if (!id) return reply;
      const seen = polls.get(id) ?? -1;
      polls.set(id, seen + 1);
      return seen < 1 ? { status: 200, body: { ...job, status: { state: 'RUNNING' } } } : reply;
    });
  });
  after(() => server.close());

  const client = () => new BigQuery({ projectId: 'test-project', apiEndpoint: server.url });
  const inserts = () =>
    server.requests
      .filter((r) => r.method === 'POST')
      .map((r) => JSON.parse(r.body) as Omit<JobResource, 'status'>);

  it('runs the files one at a time in file order, each to DONE, and stops at the failing one with its name and BigQuery’s message', async () => {
    await assert.rejects(
      runSqlFiles(client(), FILES, { location: 'US', jobPrefix: 'iterable_setup_' }),
      (error: unknown) => {
        assert.ok(error instanceof SqlFileError);
        assert.equal(error.key, '03_stg_email_events');
        assert.match(error.message, /sql\/03_stg_email_events\.sql failed/);
        assert.ok(error.message.includes(BIGQUERY_MESSAGE));
        return true;
      },
    );
    const posted = inserts();
    assert.deepEqual(
      posted.map((job) => job.configuration.query?.query),
      FILES.slice(0, 3).map((f) => f.sql),
      'nothing after the failed file runs',
    );
    // Each job is polled until DONE before the next one is inserted.
    const sequence = server.requests.map((r) => `${r.method} ${r.path.split('/').pop()}`);
    for (const [n, job] of posted.entries()) {
      const id = job.jobReference.jobId;
      const lastPoll = sequence.lastIndexOf(`GET ${id}`);
      assert.ok(lastPoll > 0, `${id} is polled`);
      if (n + 1 < posted.length)
        assert.ok(lastPoll < sequence.indexOf('POST jobs', sequence.indexOf(`GET ${id}`)));
      assert.equal(job.configuration.query?.createDisposition, undefined, 'DDL scripts take no disposition');
      assert.equal(job.jobReference.location, 'US');
    }
  });

  it('gives every run fresh job ids, so a re-run never collides with job history', async () => {
    const before = inserts().length;
    await assert.rejects(runSqlFiles(client(), FILES, { location: 'US', jobPrefix: 'iterable_setup_' }));
    const ids = inserts().map((job) => job.jobReference.jobId);
    assert.equal(ids.length, before * 2);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^iterable_setup_\d\d_[a-z_]+_[0-9a-f-]{36}$/);
  });

  it('returns each file’s job id when every file succeeds', async () => {
    const jobs = await runSqlFiles(client(), FILES.slice(0, 2), { location: 'US', jobPrefix: 'p_' });
    assert.deepEqual(Object.keys(jobs), ['01_stg_message_types', '02_stg_campaigns']);
    for (const id of Object.values(jobs)) assert.equal(api.jobs.get(id)?.status.state, 'DONE');
  });
});
