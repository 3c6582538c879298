/**
 * Entry point of both deployed functions: registers `fanout` and `worker` with the Functions
 * Framework over the GCP adapters. Clients are built once per instance, at cold start.
 */
import { BigQuery } from '@google-cloud/bigquery';
import { Firestore } from '@google-cloud/firestore';
import { CloudTasksClient } from '@google-cloud/tasks';
import { BigQueryWarehouse } from './gcp/bigquery-warehouse.js';
import { CloudTasksQueue } from './gcp/cloud-tasks-queue.js';
import { FirestoreStateStore } from './gcp/firestore-state-store.js';
import { loadGcpConfig } from './gcp/gcp-config.js';
import { iterableSource } from './gcp/iterable-source.js';
import { stdoutLogger } from './log.js';
import { registerFanout, registerWorker } from './register.js';

const config = loadGcpConfig();
const { pipeline, projectId } = config;
const state = new FirestoreStateStore(
  new Firestore({ projectId, databaseId: config.firestoreDatabase }),
  config.stateCollection,
);
const now = Date.now;

registerFanout(
  { state, queue: new CloudTasksQueue(new CloudTasksClient(), config.tasks), now, log: stdoutLogger },
  {
    streams: pipeline.streams,
    windowMinutes: pipeline.windowMinutes,
    lagMs: pipeline.lagMs,
    lookbackMs: pipeline.lookbackMs,
    historyMs: pipeline.historyMs,
    staleAfterMs: config.staleAfterMs,
    failedRetryDelayMs: config.failedRetryDelayMs,
  },
);

registerWorker(
  {
    iterable: iterableSource(pipeline.iterable),
    warehouse: new BigQueryWarehouse(new BigQuery({ projectId }), {
      rawDataset: pipeline.datasets.raw,
      location: config.bigqueryLocation,
    }),
    state,
    now,
    log: stdoutLogger,
  },
  { leaseMs: config.leaseMs },
);
