/**
 * Status of the deployed pipeline: the ledger in Firestore (read through the functions' own
 * FirestoreStateStore) and row counts from BigQuery. A BigQuery failure (no permission on the
 * dataset, say) still shows the ledger, with the reason the counts are missing.
 */
import type { BigQuery } from '@google-cloud/bigquery';
import type { Firestore } from '@google-cloud/firestore';
import type { StreamName } from '../functions/src/catalog.js';
import { FirestoreStateStore } from '../functions/src/gcp/firestore-state-store.js';
import type { GcpConfig } from '../functions/src/gcp/gcp-config.js';
import { type CountRow, countsSql, toCounts } from './status-counts.js';
import { type CountsResult, collectStatus, type PipelineStatus } from './status-model.js';

export function gcpStatus(
  clients: { readonly firestore: Firestore; readonly bigquery: BigQuery },
  config: GcpConfig,
  streams: readonly StreamName[],
  now: number,
): Promise<PipelineStatus> {
  const state = new FirestoreStateStore(clients.firestore, config.stateCollection);
  return collectStatus(
    {
      readState: (stream) => state.read(stream),
      counts: () => bigQueryCounts(clients.bigquery, config),
    },
    streams,
    now,
  );
}

async function bigQueryCounts(bigquery: BigQuery, config: GcpConfig): Promise<CountsResult> {
  try {
    const [rows] = await bigquery.query({
      query: countsSql(config.pipeline.datasets.raw),
      location: config.bigqueryLocation,
    });
    return { counts: toCounts(rows as CountRow[]) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      unavailable: `rows and rejects are unknown: BigQuery answered "${message}"; the account needs BigQuery Data Viewer and Job User on the project`,
    };
  }
}
