/**
 * The warehouse adapter wired to local stand-ins over real HTTP: BigQuery on a recording server
 * (bigquery-api.ts) whose load jobs read the objects of a Cloud Storage fake (gcs-api.ts), each
 * driven by its real client library. Shared by the adapter's contract tests.
 */
import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import { BigQueryWarehouse } from '../../../functions/src/gcp/bigquery-warehouse.js';
import { CHUNK_MULTIPLE, type PartSizes } from '../../../functions/src/gcp/staged-load.js';
import type { LoadBatch, WindowLoad } from '../../../functions/src/ports.js';
import { type BigQueryApi, bigQueryApi, type JobFailure } from './bigquery-api.js';
import { type GcsFault, type GcsServer, startGcsServer } from './gcs-api.js';
import { type LoadConfiguration, readLoad } from './load-upload.js';
import { localStorage } from './local-storage.js';
import { type RecordedRequest, startRecordingServer } from './recording-server.js';

export const PROJECT = 'test-project';
export const BUCKET = 'test-project-load-staging';
export const START = Date.UTC(2026, 0, 1);
export const END = START + 6 * 3600_000;
export const LOAD: WindowLoad = {
  stream: 'email_send',
  window: { start: START, end: END },
  runId: 'task-1',
  loadedAt: END + 60_000,
};

/** Two email_send rows (catalog order: created_at, email, user_id, campaign_id, template_id, message_id, message_type_id, channel_id, transactional_data) and one reject. */
export const BATCHES: LoadBatch[] = [
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

export async function* batches(list: readonly LoadBatch[], failAfter?: number): AsyncIterable<LoadBatch> {
  for (const [k, batch] of list.entries()) {
    if (k === failAfter) throw new Error('export cut off');
    yield batch;
  }
  if (failAfter === list.length) throw new Error('export cut off');
}

/** One email_send row whose CSV line is a little over `bytes` long. */
export const sized = (k: number, bytes: number) => ({
  cells: [START + k, `u${k}@example.com`, `u${k}`, 1, null, `m${k}`, null, null, null],
  payload: `{"k":${k},"pad":"${'x'.repeat(bytes)}"}`,
});

/** Each load job that ran: its configuration and the rows BigQuery would read from its objects. */
export const loads = (api: BigQueryApi) =>
  api.loads.map(({ job, sources }) => {
    const load = job.configuration.load as LoadConfiguration & Record<string, unknown>;
    return { load, rows: readLoad(load, sources.map((s) => s.text ?? '').join('')) };
  });
export const queryJobs = (requests: readonly RecordedRequest[]) =>
  requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.path === `/bigquery/v2/projects/${PROJECT}/jobs` &&
      (JSON.parse(r.body) as { configuration: { query?: unknown } }).configuration.query !== undefined,
  );
/** Staging tables dropped (BigQuery's DELETE calls). */
export const deletes = (requests: readonly RecordedRequest[]) =>
  requests.filter((r) => r.method === 'DELETE');

export interface Setup {
  readonly fail?: JobFailure;
  readonly fault?: GcsFault;
  readonly partSizes?: PartSizes;
}

export interface StandIns {
  readonly warehouse: BigQueryWarehouse;
  readonly requests: RecordedRequest[];
  readonly bq: BigQueryApi;
  readonly gcs: GcsServer;
  close(): Promise<void>;
}

export async function standIns({ fail, fault, partSizes }: Setup = {}): Promise<StandIns> {
  const gcs = await startGcsServer({ keepText: true, ...(fault ? { fault } : {}) });
  const bq = bigQueryApi(fail, (uri) => gcs.api.objects.get(uri));
  const server = await startRecordingServer(bq.handler);
  // The clients authenticate even against a custom endpoint: a pass-through client needs no
  // credentials. Retries wait at most 1 s (the least the client allows) instead of up to 64 s.
  const bigquery = new BigQuery({
    projectId: PROJECT,
    apiEndpoint: server.url,
    authClient: new PassThroughClient(),
  });
  return {
    warehouse: new BigQueryWarehouse(bigquery, localStorage(gcs.url, 1).bucket(BUCKET), {
      rawDataset: 'iterable_raw',
      location: 'EU',
      transactionRetry: { attempts: 3, firstDelayMs: 1 },
      partSizes: partSizes ?? { partBytes: CHUNK_MULTIPLE, chunkBytes: CHUNK_MULTIPLE },
    }),
    requests: server.requests,
    bq,
    gcs,
    close: async () => {
      await server.close();
      await gcs.close();
    },
  };
}
