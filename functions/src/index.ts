/**
 * Entry point of the deployed functions: registers `fanout`, `worker` and the daily `forget` with the Functions
 * Framework over the GCP adapters. Each adapter (and its Google client library) is built once per
 * instance, on its first use: importing this file stays cheap, and an instance serving one
 * function never loads the clients only the other one needs (`gcp/deferred.ts`).
 */
import { deferredEraser, deferredStateStore, deferredTaskQueue, deferredWarehouse } from './gcp/deferred.js';
import { fanoutSettings, loadGcpConfig } from './gcp/gcp-config.js';
import { iterableSource } from './gcp/iterable-source.js';
import { stdoutLogger } from './log.js';
import { registerFanout, registerForget, registerWorker } from './register.js';

const config = loadGcpConfig();
const { pipeline } = config;
const state = deferredStateStore(async () =>
  (await import('./gcp/open-firestore.js')).openStateStore(config),
);
const now = Date.now;
const iterable = iterableSource(pipeline.iterable);

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
    iterable,
    warehouse: deferredWarehouse(async () => (await import('./gcp/open-bigquery.js')).openWarehouse(config)),
    state,
    now,
    log: stdoutLogger,
  },
  { leaseMs: config.leaseMs },
);

registerForget({
  iterable,
  warehouse: deferredEraser(async () => (await import('./gcp/open-bigquery.js')).openEraser(config)),
  now,
  log: stdoutLogger,
});
