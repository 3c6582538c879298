/**
 * Entry point of the deployed functions: registers `fanout`, `worker`, `collector` and `api` with
 * the Functions Framework over the GCP adapters. Each adapter (and its Google client library) is built once per
 * instance, on its first use: importing this file stays cheap, and an instance serving one
 * function never loads the clients only another one needs (`gcp/deferred.ts`).
 */
import { loadApiConfig } from './api/api-config.js';
import {
  deferredLiveSink,
  deferredStateStore,
  deferredTaskQueue,
  deferredWarehouse,
} from './gcp/deferred.js';
import { deferredFactReader } from './gcp/deferred-fact-reader.js';
import { fanoutSettings, loadGcpConfig } from './gcp/gcp-config.js';
import { iterableSource } from './gcp/iterable-source.js';
import { stdoutLogger } from './log.js';
import { registerApi, registerCollector, registerFanout, registerWorker } from './register.js';

const config = loadGcpConfig();
const { pipeline } = config;
const state = deferredStateStore(async () =>
  (await import('./gcp/open-firestore.js')).openStateStore(config),
);
const now = Date.now;

registerFanout(
  {
    state,
    queue: deferredTaskQueue(async () => (await import('./gcp/open-cloud-tasks.js')).openTaskQueue(config)),
    now,
    log: stdoutLogger,
  },
  fanoutSettings(config),
);

registerWorker(
  {
    iterable: iterableSource(pipeline.iterable),
    warehouse: deferredWarehouse(async () => (await import('./gcp/open-bigquery.js')).openWarehouse(config)),
    state,
    now,
    log: stdoutLogger,
  },
  { leaseMs: config.leaseMs },
);

// Only the collector's instance has the webhook secret (gcp-config.ts checks it is there).
const { live } = config;
if (live !== null) {
  registerCollector({
    sink: deferredLiveSink(async () =>
      (await import('./gcp/open-pubsub.js')).openLiveSink(config.projectId, live.topics),
    ),
    authorization: live.authorization,
    now,
    log: stdoutLogger,
  });
}

const api = loadApiConfig();
registerApi(
  {
    reader: deferredFactReader(config.projectId, config.bigqueryLocation),
    state,
    streams: pipeline.streams,
    analyticsDataset: pipeline.datasets.analytics,
    auth: api.auth,
    now,
    log: stdoutLogger,
  },
  api.settings,
);
