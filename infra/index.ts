/**
 * The Pulumi program: composes one component per concern and exports what an operator needs.
 * Configuration is in config.ts; docs/deploy.md walks through a deployment.
 */
import { join } from 'node:path';
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_STATE_COLLECTION } from '../functions/src/gcp/gcp-config.js';
import { Alerts } from './alerts.js';
import { AnomalyNotifier } from './anomaly-notifier.js';
import { ApiFunction } from './api-function.js';
import { ApiKeyGateway } from './api-key-gateway.js';
import { ProjectApis } from './apis.js';
import { bundleFunctions, REPO_ROOT } from './bundle.js';
import { settings } from './config.js';
import { Dashboard } from './dashboard.js';
import { DeployGrants } from './deploy-grants.js';
import { FactQueries } from './fact-queries.js';
import { ForgetSchedule } from './forget-schedule.js';
import { sharedEnvironment } from './function-env.js';
import { Functions } from './functions.js';
import { FunctionsSource } from './functions-source.js';
import { intermediateTableSpecs } from './intermediate-tables.js';
import { IterableSecret } from './iterable-secret.js';
import { LiveIngest } from './live.js';
import { LoadStaging } from './load-staging.js';
import { LogMetrics } from './log-metrics.js';
import { FACT_TABLES, lookerStudioUrl } from './looker.js';
import { ProjectRoles } from './project-roles.js';
import { QUEUE_KINDS } from './queue-kinds.js';
import { RunSchedule } from './scheduler.js';
import { memberOf, ServiceAccounts } from './service-accounts.js';
import { ANOMALY_QUERY, ARIMA_PLUS_QUERY, readArimaPlusQuery, readFactQueries } from './sql-files.js';
import { StateDatabase } from './state-database.js';
import { TaskQueue } from './task-queue.js';
import { Warehouse } from './warehouse.js';

const { project, region, namePrefix } = settings;
const datasets = { raw: settings.rawDataset, analytics: settings.analyticsDataset };

const apis = new ProjectApis('apis', { project });
const afterApis = { dependsOn: [...apis.services] };

const { accounts } = new ServiceAccounts('identities', { project, namePrefix }, afterApis);
const projectRoles = new ProjectRoles('project-roles', { project, accounts }, afterApis);

const state = new StateDatabase(
  'state',
  {
    project,
    databaseId: settings.firestoreDatabase,
    location: settings.firestoreLocation,
    deletionProtection: settings.deletionProtection,
    stateCollection: DEFAULT_STATE_COLLECTION,
  },
  afterApis,
);

const iterableKey = new IterableSecret(
  'iterable-key',
  { project, namePrefix, apiKey: settings.iterableApiKey, readers: { worker: memberOf(accounts.worker) } },
  afterApis,
);

const webhookSecret = new IterableSecret(
  'webhook-authorization',
  {
    project,
    namePrefix,
    suffix: 'webhook-authorization',
    apiKey: settings.webhookAuthorization,
    readers: { collector: memberOf(accounts.collector) },
  },
  afterApis,
);

const warehouse = new Warehouse(
  'warehouse',
  {
    project,
    location: settings.bigqueryLocation,
    rawDataset: datasets.raw,
    analyticsDataset: datasets.analytics,
    deletionProtection: settings.deletionProtection,
    analyticsTables: intermediateTableSpecs(join(REPO_ROOT, 'sql')),
    rawWriters: { worker: memberOf(accounts.worker) },
    // The fan-out finds the campaigns whose totals to ask Iterable for (campaign-metrics-plan.ts).
    rawReaders: { fanout: memberOf(accounts.fanout) },
    // The forget step runs as the worker and deletes forgotten users' rows from the facts too.
    analyticsWriters: { factQueries: memberOf(accounts.factQueries), forget: memberOf(accounts.worker) },
  },
  afterApis,
);

// The worker stages each window's rows here before BigQuery's load job reads them.
const loadStaging = new LoadStaging(
  'load-staging',
  { project, location: settings.bigqueryLocation, namePrefix, worker: memberOf(accounts.worker) },
  afterApis,
);

const live = new LiveIngest(
  'live',
  {
    project,
    location: settings.bigqueryLocation,
    namePrefix,
    rawDatasetId: warehouse.rawDatasetId,
    deletionProtection: settings.deletionProtection,
    projectNumber: gcp.organizations.getProjectOutput({ projectId: project }).apply((p) => p.number ?? ''),
    publisher: memberOf(accounts.collector),
    writer: { email: accounts.liveWriter.email, member: memberOf(accounts.liveWriter) },
    readers: { factQueries: memberOf(accounts.factQueries) },
  },
  afterApis,
);

const queue = new TaskQueue(
  'tasks',
  {
    project,
    region,
    namePrefix,
    kind: 'windows',
    maxConcurrentDispatches: settings.maxConcurrentDispatches,
    maxAttempts: settings.taskMaxAttempts,
    enqueuer: memberOf(accounts.fanout),
    invokerAccountId: accounts.tasksInvoker.name,
  },
  afterApis,
);

// Iterable's campaign totals for the reconciliation: one request per task, one task at a time
// (their transactions replace rows of one table).
const campaignMetricsQueue = new TaskQueue(
  'campaign-metrics-tasks',
  {
    project,
    region,
    namePrefix,
    kind: 'campaignMetrics',
    maxConcurrentDispatches: 1,
    maxAttempts: settings.taskMaxAttempts,
    enqueuer: memberOf(accounts.fanout),
    invokerAccountId: accounts.tasksInvoker.name,
  },
  afterApis,
);

// Windows read by Iterable's export jobs: one job at a time per task, from its start to its last
// download, so the queue's 1 dispatch a second and 4 at once keep every worker instance within
// the organization's 1 start a second and 4 jobs at once (queue-kinds.ts). A task can take up to
// the worker's timeout; its retry waits 2 minutes, past the lease a killed attempt leaves
// (the worker's timeout + 60 s, functions/src/gcp/gcp-config.ts), so the retry finds the window free.
const exportJobsQueue = new TaskQueue(
  'export-jobs-tasks',
  {
    project,
    region,
    namePrefix,
    kind: 'exportJobs',
    maxConcurrentDispatches: QUEUE_KINDS.exportJobs.concurrentLimit,
    maxAttempts: settings.taskMaxAttempts,
    retry: { minBackoff: '120s', maxDoublings: 3 },
    enqueuer: memberOf(accounts.fanout),
    invokerAccountId: accounts.tasksInvoker.name,
  },
  afterApis,
);

// The functions' first build needs the grants above in effect, not just stored.
const grants = new DeployGrants(
  'deploy-grants',
  {
    project,
    build: accounts.build,
    worker: accounts.worker,
    secretId: iterableKey.secretId,
    grants: [projectRoles, iterableKey],
  },
  afterApis,
);

const source = new FunctionsSource(
  'functions-source',
  { project, region, namePrefix, bundle: await bundleFunctions() },
  afterApis,
);

const environment = sharedEnvironment(settings, {
  queuePath: queue.path,
  campaignMetricsQueuePath: campaignMetricsQueue.path,
  exportJobsQueuePath: exportJobsQueue.path,
  tasksInvokerEmail: accounts.tasksInvoker.email,
  firestoreDatabase: state.name,
  loadStagingBucket: loadStaging.bucket,
});

const functions = new Functions(
  'functions',
  {
    project,
    region,
    namePrefix,
    source,
    buildServiceAccount: accounts.build.name,
    serviceAccounts: {
      fanout: accounts.fanout.email,
      worker: accounts.worker.email,
      forget: accounts.worker.email,
    },
    invokers: {
      fanout: memberOf(accounts.schedulerInvoker),
      worker: memberOf(accounts.tasksInvoker),
      forget: memberOf(accounts.schedulerInvoker),
    },
    environment,
    iterableKey,
    workerTimeoutSeconds: settings.workerTimeoutSeconds,
    workerMemory: settings.workerMemory,
    collector: {
      serviceAccount: accounts.collector.email,
      eventsTopic: live.eventsTopic,
      rejectsTopic: live.rejectsTopic,
      authorization: webhookSecret,
    },
  },
  // A gen2 deploy checks the runtime account can read its secrets, and builds as the build account.
  // The worker stages window loads in its bucket from its first task.
  {
    dependsOn: [...apis.services, projectRoles, iterableKey, webhookSecret, grants.ready, loadStaging.grant],
  },
);

const api = new ApiFunction(
  'api',
  {
    project,
    region,
    namePrefix,
    source,
    buildServiceAccount: accounts.build.name,
    analyticsDatasetId: warehouse.analyticsDatasetId,
    invokers: settings.apiInvokers,
    apiKeySha256: settings.apiKeySha256,
    environment,
  },
  // Its first build, like the other functions', needs the build account's roles in effect.
  { dependsOn: [...apis.services, projectRoles, grants.ready] },
);

new RunSchedule(
  'schedule',
  {
    project,
    region,
    namePrefix,
    schedule: settings.fanoutSchedule,
    timeZone: settings.scheduleTimeZone,
    fanoutUrl: functions.fanoutUrl,
    invokerEmail: accounts.schedulerInvoker.email,
  },
  afterApis,
);

new ForgetSchedule(
  'forget-schedule',
  {
    project,
    region,
    namePrefix,
    schedule: settings.forgetSchedule,
    timeZone: settings.scheduleTimeZone,
    forgetUrl: functions.forgetUrl,
    invokerEmail: accounts.schedulerInvoker.email,
  },
  afterApis,
);

const looker = (tableId: string) =>
  warehouse.analyticsDatasetId.apply((datasetId) =>
    lookerStudioUrl({
      projectId: project,
      datasetId,
      tableId,
      templateReportId: settings.lookerTemplateReportId,
    }),
  );

const notifier = new AnomalyNotifier(
  'anomalies',
  {
    project,
    region,
    namePrefix,
    source,
    buildServiceAccount: accounts.build.name,
    environment,
    analyticsDatasetId: warehouse.analyticsDatasetId,
    reportUrl: looker('metric_anomalies'),
    webhookUrl: settings.anomalyWebhookUrl,
    alertEmail: settings.alertEmail,
  },
  // Built as the build account, whose roles must be in effect first (as for the other functions).
  { dependsOn: [...apis.services, projectRoles, warehouse, grants.ready] },
);

const sqlRender = {
  datasets,
  lookbackDays: settings.factLookbackDays,
  conversionEventNames: settings.conversionEventNames,
  anomalyDetector: settings.anomalyDetector,
};
const arimaPlus = settings.anomalyDetector === 'arima_plus';
const facts = new FactQueries(
  'facts',
  {
    project,
    location: settings.bigqueryLocation,
    namePrefix,
    schedule: settings.factSchedule,
    queries: readFactQueries(join(REPO_ROOT, 'sql'), sqlRender),
    scheduledOnly: arimaPlus ? [readArimaPlusQuery(join(REPO_ROOT, 'sql'), sqlRender)] : [],
    serviceAccountEmail: accounts.factQueries.email,
    serviceAccountId: accounts.factQueries.name,
    // The notifier runs when the detector's run completes: BigQuery ML's, when it is the detector.
    notificationTopics: { [arimaPlus ? ARIMA_PLUS_QUERY : ANOMALY_QUERY]: notifier.topicId },
  },
  { dependsOn: [...apis.services, projectRoles, warehouse, live] },
);

const metrics = new LogMetrics(
  'log-metrics',
  { project, namePrefix, workerService: functions.workerName, fanoutService: functions.fanoutName },
  afterApis,
);
new Alerts(
  'alerts',
  {
    project,
    namePrefix,
    failuresMetric: metrics.failures,
    windowsLoadedMetric: metrics.windowsLoaded,
    watermarkLagMetric: metrics.watermarkLag,
    workerService: functions.workerName,
    freshnessHours: settings.freshnessHours,
    email: settings.alertEmail,
  },
  afterApis,
);
const dashboard = new Dashboard(
  'dashboard',
  {
    project,
    namePrefix,
    windowsLoadedMetric: metrics.windowsLoaded,
    rowsLoadedMetric: metrics.rowsLoaded,
    failuresMetric: metrics.failures,
    queueName: queue.name,
    jobsQueueName: exportJobsQueue.name,
    workerService: functions.workerName,
  },
  afterApis,
);

export const fanoutUrl = functions.fanoutUrl;
export const notifierUrl = notifier.notifierUrl;
export const anomaliesReport = looker('metric_anomalies');
export const workerUrl = functions.workerUrl;
export const forgetUrl = functions.forgetUrl;
/** The URL to give Iterable's system webhooks (README, "Live events"). */
export const collectorUrl = functions.collectorUrl;
export const apiUrl = api.url;
/** Where API-key callers (spreadsheets) go; set only with `apiKeySha256`. */
export const apiKeyUrl = settings.apiKeySha256
  ? new ApiKeyGateway('api-keys', {
      project,
      region,
      namePrefix,
      service: api.serviceName,
      url: api.url,
    }).url
  : undefined;
export const rawDatasetId = warehouse.rawDatasetId;
export const analyticsDatasetId = warehouse.analyticsDatasetId;
export const taskQueue = queue.path;
export const exportJobsQueuePath = exportJobsQueue.path;
export const scheduledQueries = facts.configs;
export const dashboardUrl = pulumi.interpolate`https://console.cloud.google.com/monitoring/dashboards/custom/${dashboard.id.apply((id) => id.split('/').pop())}?project=${project}`;
export const lookerStudio = warehouse.analyticsDatasetId.apply((datasetId) =>
  Object.fromEntries(
    FACT_TABLES.map((tableId) => [
      tableId,
      lookerStudioUrl({
        projectId: project,
        datasetId,
        tableId,
        templateReportId: settings.lookerTemplateReportId,
      }),
    ]),
  ),
);
