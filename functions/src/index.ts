/**
 * Entry point of the deployed functions: registers `fanout` (which also enqueues the campaign
 * metrics tasks), `worker` (which also serves them), `collector`, `api`,
 * `notifier` and the daily `forget` with the Functions Framework over the GCP adapters. Each adapter (and its Google client library) is built once per
 * instance, on its first use: importing this file stays cheap, and an instance serving one
 * function never loads the clients only another one needs (`gcp/deferred.ts`).
 */

import { SlackWebhook } from './anomalies/slack-webhook.js';
import { loadApiConfig } from './api/api-config.js';
import {
  deferredCampaignMetrics,
  deferredEraser,
  deferredLiveSink,
  deferredStateStore,
  deferredTaskQueue,
  deferredWarehouse,
} from './gcp/deferred.js';
import { deferredFactReader } from './gcp/deferred-fact-reader.js';
import { fanoutSettings, loadGcpConfig } from './gcp/gcp-config.js';
import { campaignMetricsSource, iterableSource, windowSource } from './gcp/iterable-source.js';
import { loadNotifierConfig } from './gcp/notifier-config.js';
import { stdoutLogger } from './log.js';
import {
  registerApi,
  registerCollector,
  registerFanout,
  registerForget,
  registerNotifier,
  registerWorker,
} from './register.js';

const config = loadGcpConfig();
const { pipeline } = config;
const state = deferredStateStore(async () =>
  (await import('./gcp/open-firestore.js')).openStateStore(config),
);
const now = Date.now;
const iterable = iterableSource(pipeline.iterable);
const campaignMetrics = deferredCampaignMetrics(async () =>
  (await import('./gcp/open-bigquery.js')).openCampaignMetrics(config),
);
const metricsQueuePath = config.campaignMetricsQueuePath;

registerFanout(
  {
    state,
    queue: deferredTaskQueue(async () =>
      (await import('./gcp/open-cloud-tasks.js')).openTaskQueue(config, now),
    ),
    now,
    log: stdoutLogger,
  },
  fanoutSettings(config),
  metricsQueuePath === null
    ? null
    : {
        state,
        campaigns: campaignMetrics,
        queue: deferredTaskQueue(async () =>
          (await import('./gcp/open-cloud-tasks.js')).openCampaignMetricsQueue(config, metricsQueuePath),
        ),
        log: stdoutLogger,
      },
);

registerWorker(
  {
    iterable: windowSource(pipeline.iterable, config.tasks.dispatchDeadlineSeconds, stdoutLogger),
    warehouse: deferredWarehouse(async () => (await import('./gcp/open-bigquery.js')).openWarehouse(config)),
    state,
    now,
    log: stdoutLogger,
  },
  { leaseMs: config.leaseMs, exportMode: pipeline.iterable.exportMode },
  { metrics: campaignMetricsSource(pipeline.iterable), store: campaignMetrics, now, log: stdoutLogger },
);

registerForget({
  iterable,
  warehouse: deferredEraser(async () => (await import('./gcp/open-bigquery.js')).openEraser(config)),
  now,
  log: stdoutLogger,
});

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

const notifier = loadNotifierConfig();
const notifierAdapters = async () =>
  (await import('./gcp/open-notifier.js')).openNotifierAdapters(config, notifier);
let adapters: ReturnType<typeof notifierAdapters> | undefined;
const openAdapters = () => {
  adapters ??= notifierAdapters();
  return adapters;
};
registerNotifier(
  {
    source: { anomaliesFrom: async (fromDay) => (await openAdapters()).source.anomaliesFrom(fromDay) },
    ledger: {
      claim: async (key) => (await openAdapters()).ledger.claim(key),
      release: async (key) => (await openAdapters()).ledger.release(key),
    },
    chat: notifier.webhookUrl === null ? null : new SlackWebhook(notifier.webhookUrl),
    now,
    log: stdoutLogger,
  },
  { reportUrl: notifier.reportUrl, lookbackDays: notifier.lookbackDays },
);
