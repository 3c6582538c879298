/**
 * The window's staging in Cloud Storage under transient failures, through the real storage client
 * against the local fake: a part's upload that meets a 503 is resumed and the window still loads
 * every row exactly once, in one load job; one that keeps failing fails the window before any load.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { CHUNK_MULTIPLE } from '../../../functions/src/gcp/staged-load.js';
import {
  batches,
  deletes,
  LOAD,
  loads,
  queryJobs,
  type Setup,
  type StandIns,
  sized,
  standIns,
} from './warehouse-stand-ins.js';

describe('staging a window in Cloud Storage through resumable uploads', () => {
  let stand: StandIns | null = null;

  afterEach(async () => {
    await stand?.close();
    stand = null;
  });

  async function warehouse(setup: Setup): Promise<StandIns> {
    stand = await standIns(setup);
    return stand;
  }

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
});
