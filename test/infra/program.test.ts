import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { METADATA_COLUMNS, rawTableName, STREAMS } from '../../functions/src/catalog.js';
import {
  CAMPAIGN_METRICS_REQUESTS_PER_MINUTE,
  EXPORT_JOB_REQUESTS_PER_SECOND,
  EXPORT_JOBS_AT_ONCE,
  ITERABLE_EXPORTS_PER_MINUTE,
} from '../../functions/src/iterable/limits.js';
import { REPO_ROOT } from '../../infra/bundle.js';
import { declaredColumns, INTERMEDIATE_TABLES } from '../../infra/intermediate-tables.js';
import { FACT_TABLES } from '../../infra/looker.js';
import { RULES, STACK_RULES } from '../../infra/policy/rules.js';
import { readFactQueries } from '../../infra/sql-files.js';
import {
  API_KEY,
  DEPLOYER,
  type MockedProgram,
  type MockResource,
  PROJECT,
  runProgram,
} from './mock-program.js';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});

describe('the Pulumi program under mocks', () => {
  let program: MockedProgram;
  const ofType = (suffix: string): MockResource[] => program.resources.filter((r) => r.type.endsWith(suffix));
  const accountEmails = (): string[] =>
    ofType('serviceaccount/account:Account').map(
      (a) => `${String(a.inputs.accountId)}@${PROJECT}.iam.gserviceaccount.com`,
    );
  const fn = (entryPoint: string): Json => {
    const found = ofType('cloudfunctionsv2/function:Function').find(
      (f) => obj(f.inputs.buildConfig).entryPoint === entryPoint,
    );
    assert.ok(found, `a ${entryPoint} function`);
    return found.inputs;
  };

  before(async () => {
    program = await runProgram();
  });

  it('gives every catalog stream a raw table with the catalog’s columns, then payload and load metadata', () => {
    const tables = new Map(ofType('bigquery/table:Table').map((t) => [String(t.inputs.tableId), t.inputs]));
    for (const stream of STREAMS) {
      const table = tables.get(rawTableName(stream.name));
      assert.ok(table, `${stream.name} has a raw table`);
      const schema = JSON.parse(String(table.schema)) as { name: string; type: string }[];
      assert.deepEqual(
        schema.map((f) => `${f.name}:${f.type}`),
        [...stream.columns, ...METADATA_COLUMNS].map((c) => `${c.name}:${c.type}`),
      );
      if (stream.source.kind === 'export') {
        // Partitioned on the column windows are cut on, so a window's replace touches its days only.
        const field = stream.name === 'users' ? 'profile_updated_at' : 'created_at';
        assert.deepEqual(table.timePartitioning, { type: 'DAY', field }, stream.name);
        assert.deepEqual(table.clusterings, [stream.name === 'users' ? 'email' : 'campaign_id'], stream.name);
      }
    }
    assert.ok(tables.get('forgotten_users'), 'the audit of forgotten users has a table');
  });

  it('creates the fact build’s intermediate tables partitioned by day and clustered on their keys', () => {
    const tables = new Map(ofType('bigquery/table:Table').map((t) => [String(t.inputs.tableId), t]));
    // The lifetime tables, one row per key, have no date to be partitioned on.
    const expected = {
      campaign_recipient_daily: { field: 'event_on', clusterings: ['campaign_id', 'user_key'] },
      campaign_recipient_lifetime: { field: null, clusterings: ['campaign_id', 'user_key'] },
      user_daily: { field: 'event_on', clusterings: ['user_key'] },
      user_lifetime: { field: null, clusterings: ['user_key'] },
      email_message_daily: { field: 'event_on', clusterings: ['message_id', 'campaign_id'] },
      campaign_recipient_last_send: { field: null, clusterings: ['campaign_id', 'user_key'] },
      user_profiles: { field: 'profile_updated_at', clusterings: ['user_key'] },
    };
    for (const [table, { field, clusterings }] of Object.entries(expected)) {
      const resource = tables.get(table);
      assert.ok(resource, `${table} is created by the program`);
      assert.equal(resource.name, `warehouse-analytics-${table}`, 'in the analytics dataset');
      assert.deepEqual(
        resource.inputs.timePartitioning,
        field === null ? undefined : { type: 'DAY', field },
        table,
      );
      assert.deepEqual(resource.inputs.clusterings, clusterings, table);
      // New columns replace the table, which its file then rebuilds from history.
      assert.deepEqual(resource.replaceOnChanges, ['schema'], table);
      assert.equal(resource.deleteBeforeReplace, true, table);
      assert.equal(resource.inputs.deletionProtection, false, table);
      // The columns of the SQL's CREATE TABLE, so the scheduled query finds the table it expects.
      const file = INTERMEDIATE_TABLES.find((t) => t.table === table)?.file ?? '';
      assert.deepEqual(
        JSON.parse(String(resource.inputs.schema)),
        declaredColumns(readFileSync(join(REPO_ROOT, 'sql', file), 'utf8'), table),
      );
    }
  });

  it('schedules one query per fact SQL file, with the stack’s dataset names, run by its own service account', () => {
    const queries = readFactQueries(join(REPO_ROOT, 'sql'), {
      datasets: { raw: 'iterable_raw', analytics: 'iterable_analytics' },
      lookbackDays: 7,
    });
    const transfers = ofType('bigquery/dataTransferConfig:DataTransferConfig');
    assert.equal(transfers.length, queries.length);
    for (const query of queries) {
      const transfer = transfers.find((t) => t.name === `facts-${query.key}`);
      assert.ok(transfer, `${query.file} has a scheduled query`);
      assert.equal(transfer.inputs.dataSourceId, 'scheduled_query');
      assert.equal(obj(transfer.inputs.params).query, query.sql);
      assert.equal(
        transfer.inputs.serviceAccountName,
        `iterable-fact-queries@${PROJECT}.iam.gserviceaccount.com`,
      );
      assert.match(String(transfer.inputs.schedule), /^every \d+ hours from \d\d:(?!00)\d\d/, 'off the hour');
    }
    const starts = queries.map((q) =>
      String(transfers.find((t) => t.name === `facts-${q.key}`)?.inputs.schedule).replace(
        /.* from (\d\d:\d\d).*/,
        '$1',
      ),
    );
    assert.deepEqual(starts, [...starts].sort(), 'files start in file order');
    assert.equal(new Set(starts).size, starts.length, 'one after another, not together');
    assert.deepEqual(
      Object.keys(obj(program.outputs.scheduledQueries)),
      queries.map((q) => q.key),
    );
  });

  it('runs the SQL files once at deploy, in file order, before any scheduled query exists', () => {
    const queries = readFactQueries(join(REPO_ROOT, 'sql'), {
      datasets: { raw: 'iterable_raw', analytics: 'iterable_analytics' },
      lookbackDays: 7,
    });
    assert.deepEqual(ofType('bigquery/job:Job'), [], 'no fire-and-forget jobs');
    const [setup] = ofType('dynamic/iterable:SqlSetup');
    assert.ok(setup, 'one SQL set-up step');
    const files = setup.inputs.files as { key: string; sql: string }[];
    const modelFiles = files.filter((f) => !f.key.endsWith('_columns'));
    assert.deepEqual(
      modelFiles.map((f) => f.key),
      queries.map((q) => q.key),
    );
    assert.deepEqual(
      modelFiles.map((f) => f.sql),
      queries.map((q) => q.sql),
    );
    // Each file that declares tables is preceded by the check that drops them if their columns changed.
    for (const [i, file] of files.entries()) {
      if (file.key.endsWith('_columns')) assert.equal(`${file.key}`, `${files[i + 1]?.key}_columns`);
    }
    assert.ok(files.some((f) => f.key === '10_campaign_fact_table_columns'));
    assert.match(String(setup.inputs.hash), /^[0-9a-f]{64}$/);
    assert.match(String(setup.inputs.__provider), /runSqlFiles/, 'the provider serializes with its runner');
    for (const transfer of ofType('bigquery/dataTransferConfig:DataTransferConfig')) {
      assert.ok(transfer.dependsOn.includes(setup.name), `${transfer.name} waits for the set-up`);
    }
  });

  it('creates the transfer service agent and lets it mint the fact account’s tokens before any transfer config', () => {
    const [agent] = ofType('projects/serviceIdentity:ServiceIdentity');
    assert.equal(agent?.inputs.service, 'bigquerydatatransfer.googleapis.com');
    const grant = ofType('serviceaccount/iAMMember:IAMMember').find((g) =>
      String(g.inputs.member).includes('bigquerydatatransfer'),
    );
    assert.ok(grant);
    assert.equal(
      grant.inputs.member,
      'serviceAccount:service-123@gcp-sa-bigquerydatatransfer.iam.gserviceaccount.com',
    );
    assert.match(String(grant.inputs.serviceAccountId), /serviceAccounts\/iterable-fact-queries@/);
    for (const transfer of ofType('bigquery/dataTransferConfig:DataTransferConfig')) {
      assert.ok(transfer.dependsOn.includes(agent.name), `${transfer.name} waits for the agent`);
      assert.ok(transfer.dependsOn.includes(grant.name), `${transfer.name} waits for its grant`);
    }
  });

  it('grants nothing to allUsers or allAuthenticatedUsers but the collector’s invoker, and passes every policy rule', () => {
    const iam = program.resources.filter((r) => /Iam|IAM/.test(r.type));
    assert.ok(iam.length > 5);
    const publicGrants = iam.filter((g) => /allUsers|allAuthenticatedUsers/.test(JSON.stringify(g.inputs)));
    assert.deepEqual(
      publicGrants.map(
        (g) => `${g.type} ${String(g.inputs.name)} ${String(g.inputs.role)} ${String(g.inputs.member)}`,
      ),
      ['gcp:cloudrunv2/serviceIamMember:ServiceIamMember iterable-collector roles/run.invoker allUsers'],
    );
    const violations = program.resources.flatMap((r) =>
      RULES.flatMap((rule) => rule.check(r.type, r.inputs).map((v) => `${r.name}: ${v}`)),
    );
    assert.deepEqual(violations, []);
    const stack = program.resources.map((r) => ({ type: r.type, props: r.inputs }));
    assert.deepEqual(
      STACK_RULES.flatMap((rule) => rule.check(stack)),
      [],
    );
  });

  it('runs each function as its own service account, on nodejs22, built by a dedicated build account', () => {
    const fanout = fn('fanout');
    const worker = fn('worker');
    const emails = accountEmails();
    const fanoutSa = String(obj(fanout.serviceConfig).serviceAccountEmail);
    const workerSa = String(obj(worker.serviceConfig).serviceAccountEmail);
    assert.notEqual(fanoutSa, workerSa);
    assert.ok(emails.includes(fanoutSa) && emails.includes(workerSa));
    for (const f of [fanout, worker]) {
      assert.equal(obj(f.buildConfig).runtime, 'nodejs22');
      assert.match(String(obj(f.buildConfig).serviceAccount), /serviceAccounts\/iterable-build@/);
    }
    assert.ok(
      Number(obj(worker.serviceConfig).timeoutSeconds) <= 1800,
      "within Cloud Tasks' 30-minute deadline",
    );
  });

  it('lets only the task invoker call the worker, the scheduler the fan-out and forget, and the push account the notifier', () => {
    const invokers = ofType('cloudrunv2/serviceIamMember:ServiceIamMember').map(
      (m) => `${String(m.inputs.name)} ${String(m.inputs.role)} ${String(m.inputs.member)}`,
    );
    assert.deepEqual(invokers.sort(), [
      // Iterable's webhooks cannot carry an OIDC token; the collector checks their header itself.
      'iterable-collector roles/run.invoker allUsers',
      `iterable-fanout roles/run.invoker serviceAccount:iterable-scheduler-invoker@${PROJECT}.iam.gserviceaccount.com`,
      `iterable-forget roles/run.invoker serviceAccount:iterable-scheduler-invoker@${PROJECT}.iam.gserviceaccount.com`,
      `iterable-notifier roles/run.invoker serviceAccount:iterable-anomaly-push@${PROJECT}.iam.gserviceaccount.com`,
      `iterable-worker roles/run.invoker serviceAccount:iterable-tasks-invoker@${PROJECT}.iam.gserviceaccount.com`,
    ]);
    const jobs = new Map(ofType('cloudscheduler/job:Job').map((j) => [String(j.inputs.name), j]));
    const job = jobs.get('iterable-fanout');
    assert.ok(job);
    assert.equal(job.inputs.schedule, '0 */5 * * *');
    assert.deepEqual(obj(obj(job.inputs.httpTarget).oidcToken), {
      serviceAccountEmail: `iterable-scheduler-invoker@${PROJECT}.iam.gserviceaccount.com`,
      audience: program.outputs.fanoutUrl,
    });
    // The forget step runs daily, as the scheduler, against the forget function only.
    const forget = jobs.get('iterable-forget');
    assert.ok(forget);
    assert.equal(forget.inputs.schedule, '30 3 * * *');
    assert.deepEqual(obj(obj(forget.inputs.httpTarget).oidcToken), {
      serviceAccountEmail: `iterable-scheduler-invoker@${PROJECT}.iam.gserviceaccount.com`,
      audience: program.outputs.forgetUrl,
    });
  });

  it('dispatches window tasks no faster than Iterable’s export limit, campaign metrics tasks no faster than theirs', () => {
    const queues = new Map(ofType('cloudtasks/queue:Queue').map((q) => [String(q.inputs.name), q.inputs]));
    assert.deepEqual([...queues.keys()].sort(), [
      'iterable-campaign-metrics',
      'iterable-export-jobs',
      'iterable-windows',
    ]);
    for (const [name, perMinute] of [
      ['iterable-windows', ITERABLE_EXPORTS_PER_MINUTE],
      ['iterable-campaign-metrics', CAMPAIGN_METRICS_REQUESTS_PER_MINUTE],
      ['iterable-export-jobs', 60 * EXPORT_JOB_REQUESTS_PER_SECOND],
    ] as const) {
      const queue = queues.get(name);
      assert.ok(queue, name);
      const limits = obj(queue.rateLimits);
      assert.equal(Number(limits.maxDispatchesPerSecond) * 60, perMinute, name);
      assert.ok(Number(limits.maxConcurrentDispatches) >= 1);
      assert.ok(obj(queue.retryConfig).minBackoff);
    }
    // One at a time: two batches' transactions would replace rows of one table at once.
    assert.equal(obj(queues.get('iterable-campaign-metrics')?.rateLimits).maxConcurrentDispatches, 1);
    assert.equal(
      CAMPAIGN_METRICS_REQUESTS_PER_MINUTE,
      10,
      'Iterable allows 10 a minute (shared/iterable-api.md)',
    );
  });

  it('dispatches windows read by export jobs at the jobs’ limits: 1 a second, 4 at once, retried past the lease', () => {
    const queue = ofType('cloudtasks/queue:Queue').find((q) => q.inputs.name === 'iterable-export-jobs');
    assert.ok(queue, 'the export jobs queue');
    assert.deepEqual(obj(queue.inputs.rateLimits), {
      maxDispatchesPerSecond: EXPORT_JOB_REQUESTS_PER_SECOND,
      maxConcurrentDispatches: EXPORT_JOBS_AT_ONCE,
    });
    assert.deepEqual([EXPORT_JOB_REQUESTS_PER_SECOND, EXPORT_JOBS_AT_ONCE], [1, 4], 'swagger: startExport');
    const retry = obj(queue.inputs.retryConfig);
    // A killed attempt's lease lapses 60 s after the worker's timeout (gcp-config.ts).
    assert.ok(Number.parseInt(String(retry.minBackoff), 10) > 60, String(retry.minBackoff));
    assert.equal(retry.maxAttempts, 8);
    for (const violation of RULES.flatMap((r) => r.check(queue.type, queue.inputs)))
      assert.fail(`the export jobs queue breaks a policy rule: ${violation}`);
  });

  it('lets only the fan-out enqueue export jobs tasks, with the invoker’s token', () => {
    const queueName = 'iterable-export-jobs';
    const enqueuers = ofType('cloudtasks/queueIamMember:QueueIamMember')
      .filter((m) => m.inputs.name === queueName)
      .map((m) => `${String(m.inputs.role)} ${String(m.inputs.member)}`);
    const fanout = `serviceAccount:iterable-fanout@${PROJECT}.iam.gserviceaccount.com`;
    assert.deepEqual(enqueuers, [`roles/cloudtasks.enqueuer ${fanout}`]);
    const actAs = ofType('serviceaccount/iAMMember:IAMMember').filter(
      (m) =>
        m.name.startsWith('export-jobs-tasks') &&
        m.inputs.role === 'roles/iam.serviceAccountUser' &&
        m.inputs.member === fanout,
    );
    assert.equal(actAs.length, 1);
    assert.match(String(actAs[0]?.inputs.serviceAccountId), /iterable-tasks-invoker@/);
  });

  it('tells the fan-out and the worker the export jobs queue, and leaves the mode to each window', () => {
    for (const entryPoint of ['fanout', 'worker']) {
      const env = obj(obj(fn(entryPoint).serviceConfig).environmentVariables);
      assert.equal(
        env.EXPORT_JOBS_QUEUE,
        `projects/${PROJECT}/locations/europe-west1/queues/iterable-export-jobs`,
        entryPoint,
      );
      assert.equal(env.ITERABLE_EXPORT_MODE, undefined, entryPoint);
    }
  });

  it('tells the fan-out the campaign metrics queue and lets it read the raw dataset, nothing more', () => {
    const env = obj(fn('fanout').serviceConfig).environmentVariables as Json;
    assert.match(String(env.CAMPAIGN_METRICS_QUEUE), /queues\/iterable-campaign-metrics$/);
    const fanout = `serviceAccount:iterable-fanout@${PROJECT}.iam.gserviceaccount.com`;
    const datasetRoles = ofType('bigquery/datasetIamMember:DatasetIamMember')
      .filter((g) => g.inputs.member === fanout)
      .map((g) => `${String(g.inputs.datasetId)}:${String(g.inputs.role)}`);
    assert.deepEqual(datasetRoles, ['iterable_raw:roles/bigquery.dataViewer']);
  });

  it('hands the Iterable key to the worker only through Secret Manager, pinned to the created version', () => {
    const worker = obj(fn('worker').serviceConfig);
    assert.deepEqual(worker.secretEnvironmentVariables, [
      { key: 'ITERABLE_API_KEY', projectId: PROJECT, secret: 'iterable-api-key', version: '1' },
    ]);
    assert.equal(obj(fn('fanout').serviceConfig).secretEnvironmentVariables, undefined);
    const holders = program.resources
      .filter((r) => JSON.stringify(r.inputs).includes(API_KEY))
      .map((r) => r.type);
    assert.deepEqual(holders, ['gcp:secretmanager/secretVersion:SecretVersion']);
    const readers = ofType('secretmanager/secretIamMember:SecretIamMember').map(
      (m) => `${String(m.inputs.secretId)} ${String(m.inputs.member)}`,
    );
    assert.deepEqual(readers.sort(), [
      `iterable-api-key serviceAccount:iterable-worker@${PROJECT}.iam.gserviceaccount.com`,
      `iterable-webhook-authorization serviceAccount:iterable-collector@${PROJECT}.iam.gserviceaccount.com`,
    ]);
  });

  it('tells the fan-out where the worker is, and both functions where the queue and state are', () => {
    const env = obj(obj(fn('fanout').serviceConfig).environmentVariables);
    assert.equal(env.WORKER_URL, program.outputs.workerUrl);
    assert.equal(env.TASKS_QUEUE, `projects/${PROJECT}/locations/europe-west1/queues/iterable-windows`);
    assert.equal(env.FIRESTORE_DATABASE, 'iterable-pipeline');
  });

  it('uploads the bundle under its content hash', () => {
    const [archive] = ofType('storage/bucketObject:BucketObject');
    assert.match(String(archive?.inputs.name), /^functions-[0-9a-f]{16}\.zip$/);
  });

  it('exports the function URLs, dataset ids and a Looker Studio link per fact table', () => {
    const { outputs } = program;
    assert.match(String(outputs.fanoutUrl), /^https:\/\//);
    assert.match(String(outputs.workerUrl), /^https:\/\//);
    assert.equal(outputs.rawDatasetId, 'iterable_raw');
    assert.equal(outputs.analyticsDatasetId, 'iterable_analytics');
    const links = obj(outputs.lookerStudio);
    assert.deepEqual(Object.keys(links), [...FACT_TABLES]);
    const url = new URL(String(links.campaign_fact_table));
    assert.equal(url.origin + url.pathname, 'https://lookerstudio.google.com/reporting/create');
    assert.equal(url.searchParams.get('ds.ds0.connector'), 'bigQuery');
    assert.equal(url.searchParams.get('ds.ds0.type'), 'TABLE');
    assert.equal(url.searchParams.get('ds.ds0.projectId'), PROJECT);
    assert.equal(url.searchParams.get('ds.ds0.datasetId'), 'iterable_analytics');
    assert.equal(url.searchParams.get('ds.ds0.tableId'), 'campaign_fact_table');
  });

  it('alerts on worker failures, a stream not loading and an old watermark, through log-based metrics', () => {
    const metrics = ofType('logging/metric:Metric').map((m) => String(m.inputs.name));
    assert.deepEqual(metrics.sort(), [
      'iterable_metric_anomalies',
      'iterable_rows_loaded',
      'iterable_watermark_lag',
      'iterable_windows_loaded',
      'iterable_worker_failures',
    ]);
    const policies = ofType('monitoring/alertPolicy:AlertPolicy');
    const conditions = policies.flatMap((p) => (p.inputs.conditions as Json[]) ?? []);
    assert.ok(
      conditions.some((c) => String(obj(c.conditionThreshold).filter).includes('iterable_worker_failures')),
    );
    const lag = conditions
      .map((c) => obj(c.conditionThreshold))
      .find((c) => String(c.filter).includes('iterable_watermark_lag'));
    assert.equal(lag?.thresholdValue, 12 * 3600, 'the freshness bound, in seconds');
    const absent = conditions.map((c) => obj(c.conditionAbsent)).find((c) => c.duration);
    assert.equal(absent?.duration, `${12 * 3600}s`);
    assert.ok(policies.every((p) => (p.inputs.notificationChannels as unknown[]).length === 1));
    assert.equal(ofType('monitoring/dashboard:Dashboard').length, 1);
  });

  it('charts the tasks waiting in both window queues on the dashboard', () => {
    const [dashboard] = ofType('monitoring/dashboard:Dashboard');
    const json = String(dashboard?.inputs.dashboardJson);
    for (const queue of ['iterable-windows', 'iterable-export-jobs'])
      assert.ok(json.includes(`resource.label.queue_id=\\"${queue}\\"`), queue);
  });

  it('creates alert policies on log-based metrics only once Cloud Monitoring lists those metrics', () => {
    // The notifier's metric has its own wait (test/infra/anomaly-notifier.test.ts).
    const ready = ofType('dynamic/iterable:MetricsReady').find((r) => r.name === 'alerts-metrics-ready');
    assert.ok(ready);
    assert.deepEqual(
      [...(ready.inputs.metricTypes as string[])].sort(),
      ['iterable_watermark_lag', 'iterable_windows_loaded', 'iterable_worker_failures'].map(
        (m) => `logging.googleapis.com/user/${m}`,
      ),
    );
    for (const metric of ofType('logging/metric:Metric').filter(
      (m) => m.name !== 'log-metrics-rows' && m.name !== 'anomalies-anomalies',
    )) {
      assert.ok(ready.dependsOn.includes(metric.name), `the wait starts after ${metric.name} exists`);
    }
    const policies = ofType('monitoring/alertPolicy:AlertPolicy');
    const onMetrics = policies.filter(
      (p) =>
        p.name !== 'anomalies-policy' &&
        JSON.stringify(p.inputs.conditions).includes('logging.googleapis.com/user/'),
    );
    assert.equal(onMetrics.length, 3);
    for (const policy of onMetrics) assert.ok(policy.dependsOn.includes(ready.name), policy.name);
  });

  it('alerts on a window failed for good straight from its log line, with rate-limited notifications', () => {
    const policy = ofType('monitoring/alertPolicy:AlertPolicy').find(
      (p) => p.name === 'alerts-failed-for-good',
    );
    assert.ok(policy);
    const [condition] = policy.inputs.conditions as Json[];
    const filter = String(obj(condition?.conditionMatchedLog).filter);
    assert.match(filter, /service_name="iterable-worker".*severity=ERROR AND jsonPayload\.permanent=true/);
    assert.deepEqual(obj(policy.inputs.alertStrategy).notificationRateLimit, { period: '3600s' });
    assert.ok(!policy.dependsOn.includes('alerts-metrics-ready'), 'a log match needs no metric');
  });

  it('builds the functions only once the build account’s and the worker’s grants are in effect', () => {
    const [ready] = ofType('dynamic/iterable:GrantsReady');
    assert.ok(ready);
    const checks = ready.inputs.checks as { serviceAccount: string; url: string; permissions: string[] }[];
    assert.deepEqual(
      checks.map((c) => `${c.serviceAccount.split('@')[0]} ${c.url.replace(/^https:\/\/([^/]+)\/.*/, '$1')}`),
      ['iterable-build cloudresourcemanager.googleapis.com', 'iterable-worker secretmanager.googleapis.com'],
    );
    assert.ok(checks[1]?.url.endsWith(`/projects/${PROJECT}/secrets/iterable-api-key:testIamPermissions`));
    assert.deepEqual(checks[1]?.permissions, ['secretmanager.versions.access']);
    // It waits for the grants themselves, and for the deployer's right to check as those accounts.
    const waitedFor = (name: string) => assert.ok(ready.dependsOn.includes(name), `waits for ${name}`);
    for (const role of ['logging-logWriter', 'artifactregistry-writer', 'storage-objectAdmin']) {
      waitedFor(`project-roles-build-${role}`);
    }
    const secretReader = ofType('secretmanager/secretIamMember:SecretIamMember')[0];
    assert.ok(secretReader);
    waitedFor(secretReader.name);
    const tokenGrants = ofType('serviceaccount/iAMMember:IAMMember').filter(
      (g) => g.inputs.member === `user:${DEPLOYER}`,
    );
    assert.equal(tokenGrants.length, 2);
    for (const grant of tokenGrants) waitedFor(grant.name);
    for (const f of ofType('cloudfunctionsv2/function:Function')) {
      assert.ok(f.dependsOn.includes(ready.name), `${f.name} is created after the grants are in effect`);
    }
  });

  it('keeps the live source archive: no age-based deletion in the source bucket', () => {
    const bucket = ofType('storage/bucket:Bucket').find((b) =>
      String(b.inputs.name).endsWith('-functions-source'),
    );
    assert.ok(bucket);
    assert.equal(bucket.inputs.lifecycleRules, undefined);
  });

  it('exempts the ledger array from indexing, so a long ledger stays under Firestore’s index-entry limit', () => {
    const [field] = ofType('firestore/field:Field');
    assert.equal(field?.inputs.collection, 'pipeline_state');
    assert.equal(field?.inputs.field, 'windows');
    assert.deepEqual(field?.inputs.indexConfig, {});
  });
});
