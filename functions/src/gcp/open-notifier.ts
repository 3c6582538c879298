/** The notifier's adapters; imported on first use, so the other functions never load them. */
import { BigQuery } from '@google-cloud/bigquery';
import { Firestore } from '@google-cloud/firestore';
import { BigQueryAnomalySource } from './bigquery-anomaly-source.js';
import { FirestoreSentLedger } from './firestore-sent-ledger.js';
import type { GcpConfig } from './gcp-config.js';
import type { NotifierConfig } from './notifier-config.js';

export const openNotifierAdapters = (config: GcpConfig, notifier: NotifierConfig) => ({
  source: new BigQueryAnomalySource(new BigQuery({ projectId: config.projectId }), {
    analyticsDataset: config.pipeline.datasets.analytics,
    location: config.bigqueryLocation,
  }),
  ledger: new FirestoreSentLedger(
    new Firestore({ projectId: config.projectId, databaseId: config.firestoreDatabase }),
    notifier.notifiedCollection,
  ),
});
