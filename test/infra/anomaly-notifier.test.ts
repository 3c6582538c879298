/**
 * The anomaly alerting in the Pulumi program under mocks: the detector's scheduled query notifies
 * a topic, a push subscription calls the notifier with an OIDC token of an account that is its
 * only invoker, the notifier runs as its own account with read-only access to the analytics
 * dataset, the webhook URL reaches it from Secret Manager (anomaly-notifier-no-webhook.test.ts:
 * only when configured), and its
 * `metric_anomaly` log lines feed an alert policy.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type MockResource, runProgram } from './mock-program.js';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/secret-part';

describe('anomaly alerting under mocks', () => {
  const ofType = (resources: readonly MockResource[], suffix: string) =>
    resources.filter((r) => r.type.endsWith(suffix));

  let program: readonly MockResource[] = [];
  before(async () => {
    program = (await runProgram({ 'iterable-bigquery-pipeline:anomalyWebhookUrl': WEBHOOK })).resources;
  });

  it('runs the notifier when the anomaly query completes, invoked only by its push account', () => {
    const resources = program;
    const topic = ofType(resources, 'pubsub/topic:Topic').find((t) =>
      String(t.inputs.name).endsWith('-anomaly-runs'),
    );
    assert.ok(topic, 'a topic for the anomaly runs');
    const transfers = ofType(resources, 'bigquery/dataTransferConfig:DataTransferConfig');
    const detector = transfers.find((t) => String(t.inputs.displayName).endsWith('32_metric_anomalies'));
    assert.equal(detector?.inputs.notificationPubsubTopic, `${topic.name}-id`);
    assert.equal(transfers.filter((t) => t.inputs.notificationPubsubTopic !== undefined).length, 1);
    // The default detector is robust_z: no BigQuery ML query (anomaly-detector-arima.test.ts).
    assert.ok(!transfers.some((t) => String(t.inputs.displayName).endsWith('metric_arima_plus')));
    assert.ok(
      !transfers.some((t) => String((t.inputs.params as Json).query).includes('ML.DETECT_ANOMALIES')),
    );

    const fn = ofType(resources, 'cloudfunctionsv2/function:Function').find(
      (f) => obj(f.inputs.buildConfig).entryPoint === 'notifier',
    );
    assert.ok(fn, 'a notifier function');
    const service = obj(fn.inputs.serviceConfig);
    const runner = String(service.serviceAccountEmail);
    assert.match(runner, /-notifier@/);
    const url = `https://${String(fn.inputs.name)}-x7.a.run.app`;

    const subscription = ofType(resources, 'pubsub/subscription:Subscription').find((r) =>
      String(r.inputs.name).endsWith('-anomaly-notifier'),
    );
    const push = obj(subscription?.inputs.pushConfig);
    assert.equal(push.pushEndpoint, url);
    const pusher = String(obj(push.oidcToken).serviceAccountEmail);
    const invokers = ofType(resources, 'cloudrunv2/serviceIamMember:ServiceIamMember').filter(
      (m) => m.inputs.name === fn.inputs.name,
    );
    assert.deepEqual(
      invokers.map((m) => m.inputs.member),
      [`serviceAccount:${pusher}`],
    );
    const publisher = ofType(resources, 'pubsub/topicIAMMember:TopicIAMMember').find(
      (m) => m.name === 'anomalies-dts-publisher',
    );
    assert.match(String(publisher?.inputs.member), /gcp-sa-bigquerydatatransfer\.iam\.gserviceaccount\.com$/);

    const runnerRoles = [
      ...ofType(resources, 'projects/iAMMember:IAMMember'),
      ...ofType(resources, 'bigquery/datasetIamMember:DatasetIamMember'),
    ]
      .filter((m) => m.inputs.member === `serviceAccount:${runner}`)
      .map((m) => String(m.inputs.role))
      .sort();
    assert.deepEqual(runnerRoles, [
      'roles/bigquery.dataViewer',
      'roles/bigquery.jobUser',
      'roles/datastore.user',
    ]);

    const secret = obj((service.secretEnvironmentVariables as Json[] | undefined)?.[0]);
    assert.equal(secret.key, 'ANOMALY_WEBHOOK_URL');
    assert.ok(!JSON.stringify(service.environmentVariables).includes('secret-part'));
    assert.match(String(obj(service.environmentVariables).LOOKER_REPORT_URL), /tableId=metric_anomalies/);
    const version = ofType(resources, 'secretmanager/secretVersion:SecretVersion').find((v) =>
      String(v.name).includes('webhook'),
    );
    assert.ok(version, 'the webhook URL is stored in Secret Manager');
  });

  it('alerts on the notifier’s metric_anomaly log lines', () => {
    const metric = ofType(program, 'logging/metric:Metric').find((m) =>
      String(m.inputs.filter).includes('metric_anomaly'),
    );
    assert.ok(metric);
    assert.match(String(metric.inputs.filter), /jsonPayload\.event="metric_anomaly"/);
    const policy = ofType(program, 'monitoring/alertPolicy:AlertPolicy').find((p) =>
      String(p.inputs.displayName).includes('anomaly on email metrics'),
    );
    const condition = obj((policy?.inputs.conditions as Json[] | undefined)?.[0]);
    assert.match(String(obj(condition.conditionThreshold).filter), new RegExp(String(metric.inputs.name)));
    assert.ok(policy);
    assert.equal((policy.inputs.notificationChannels as unknown[]).length, 1);
    const ready = ofType(program, 'dynamic/iterable:MetricsReady').find(
      (r) => r.name === 'anomalies-metric-ready',
    );
    assert.ok(ready && policy.dependsOn.includes(ready.name), 'the policy waits until the metric is listed');
  });
});
