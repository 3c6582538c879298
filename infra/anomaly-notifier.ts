/**
 * Alerts on email metrics: the `notifier` gen2 function, run when the anomaly query's scheduled
 * run completes. The transfer config publishes each finished run to a Pub/Sub topic
 * (`notificationPubsubTopic`, https://cloud.google.com/bigquery/docs/scheduling-queries#set_up_scheduled_queries:
 * "Pub/Sub notifications … when the transfer run completes"), the BigQuery Data Transfer service
 * agent publishing it; a push subscription calls the function with an OIDC token of its own
 * account, the function's only invoker. Each anomaly it sends is a `metric_anomaly` log line,
 * counted by a log-based metric whose alert policy opens an incident and emails.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { FUNCTION_NAMES } from '../functions/src/register.js';
import { NODE_MAJOR } from './bundle.js';
import { MetricsReady } from './deploy-steps/metrics-ready.js';
import type { FunctionEnv } from './function-env.js';
import { logMetricFilter } from './log-metrics.js';

export interface AnomalyNotifierArgs {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly source: { readonly bucket: pulumi.Input<string>; readonly object: pulumi.Input<string> };
  readonly buildServiceAccount: pulumi.Input<string>;
  readonly environment: FunctionEnv;
  readonly analyticsDatasetId: pulumi.Input<string>;
  /** The report every message links to. */
  readonly reportUrl: pulumi.Input<string>;
  /** A Slack-compatible incoming webhook URL; only the log line and the alert policy without one. */
  readonly webhookUrl?: pulumi.Input<string> | undefined;
  /** Where the alert policy emails; incidents show in the console either way. */
  readonly alertEmail?: string | undefined;
}

export class AnomalyNotifier extends pulumi.ComponentResource {
  /** The topic the anomaly query's transfer config notifies (`notificationPubsubTopic`). */
  readonly topicId: pulumi.Output<string>;
  readonly notifierUrl: pulumi.Output<string>;

  constructor(name: string, args: AnomalyNotifierArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:AnomalyNotifier', name, {}, opts);
    const parent = { parent: this };
    const account = (role: string, description: string) =>
      new gcp.serviceaccount.Account(
        `${name}-${role}`,
        {
          project: args.project,
          accountId: `${args.namePrefix}-${role}`.slice(0, 30),
          displayName: description,
          description,
        },
        parent,
      );
    const runner = account(
      'notifier',
      'Runs the anomaly notifier: reads metric_anomalies, keeps what it sent in Firestore',
    );
    const pusher = account('anomaly-push', 'Pub/Sub push to the anomaly notifier (its only invoker)');

    const projectRole = (key: string, role: string) =>
      new gcp.projects.IAMMember(
        `${name}-${key}`,
        { project: args.project, role, member: pulumi.interpolate`serviceAccount:${runner.email}` },
        parent,
      );
    projectRole('jobs', 'roles/bigquery.jobUser');
    projectRole('ledger', 'roles/datastore.user');
    new gcp.bigquery.DatasetIamMember(
      `${name}-reader`,
      {
        project: args.project,
        datasetId: args.analyticsDatasetId,
        role: 'roles/bigquery.dataViewer',
        member: pulumi.interpolate`serviceAccount:${runner.email}`,
      },
      parent,
    );

    const secretEnvironmentVariables: gcp.types.input.cloudfunctionsv2.FunctionServiceConfigSecretEnvironmentVariable[] =
      [];
    if (args.webhookUrl !== undefined) {
      const secret = new gcp.secretmanager.Secret(
        `${name}-webhook`,
        { project: args.project, secretId: `${args.namePrefix}-anomaly-webhook`, replication: { auto: {} } },
        parent,
      );
      const version = new gcp.secretmanager.SecretVersion(
        `${name}-webhook-version`,
        { secret: secret.id, secretData: args.webhookUrl },
        parent,
      );
      new gcp.secretmanager.SecretIamMember(
        `${name}-webhook-reader`,
        {
          project: args.project,
          secretId: secret.secretId,
          role: 'roles/secretmanager.secretAccessor',
          member: pulumi.interpolate`serviceAccount:${runner.email}`,
        },
        parent,
      );
      secretEnvironmentVariables.push({
        key: 'ANOMALY_WEBHOOK_URL',
        projectId: args.project,
        secret: secret.secretId,
        version: version.version,
      });
    }

    const fn = new gcp.cloudfunctionsv2.Function(
      `${name}-function`,
      {
        project: args.project,
        location: args.region,
        name: `${args.namePrefix}-${FUNCTION_NAMES.notifier}`,
        buildConfig: {
          runtime: `nodejs${NODE_MAJOR}`,
          entryPoint: FUNCTION_NAMES.notifier,
          serviceAccount: args.buildServiceAccount,
          source: { storageSource: { bucket: args.source.bucket, object: args.source.object } },
        },
        serviceConfig: {
          ingressSettings: 'ALLOW_ALL',
          allTrafficOnLatestRevision: true,
          serviceAccountEmail: runner.email,
          timeoutSeconds: 120,
          availableMemory: '256Mi',
          maxInstanceCount: 1,
          environmentVariables: { ...args.environment, LOOKER_REPORT_URL: args.reportUrl },
          secretEnvironmentVariables,
        },
      },
      // A component's dependsOn reaches the engine only through its children's own.
      { parent: this, dependsOn: opts?.dependsOn ?? [] },
    );
    this.notifierUrl = fn.serviceConfig.apply((c) => c?.uri ?? '');
    new gcp.cloudrunv2.ServiceIamMember(
      `${name}-invoker`,
      {
        project: args.project,
        location: args.region,
        name: fn.name,
        role: 'roles/run.invoker',
        member: pulumi.interpolate`serviceAccount:${pusher.email}`,
      },
      parent,
    );

    const topic = new gcp.pubsub.Topic(
      `${name}-runs`,
      { project: args.project, name: `${args.namePrefix}-anomaly-runs` },
      parent,
    );
    // The Data Transfer service agent publishes run notifications, so it needs the publisher role
    // on the topic (https://cloud.google.com/bigquery/docs/enable-transfer-service#service_agent).
    const projectNumber = gcp.organizations.getProjectOutput({ projectId: args.project }).number;
    new gcp.pubsub.TopicIAMMember(
      `${name}-dts-publisher`,
      {
        project: args.project,
        topic: topic.name,
        role: 'roles/pubsub.publisher',
        member: pulumi.interpolate`serviceAccount:service-${projectNumber}@gcp-sa-bigquerydatatransfer.iam.gserviceaccount.com`,
      },
      parent,
    );
    new gcp.pubsub.Subscription(
      `${name}-push`,
      {
        project: args.project,
        name: `${args.namePrefix}-anomaly-notifier`,
        topic: topic.name,
        ackDeadlineSeconds: 120,
        pushConfig: {
          pushEndpoint: this.notifierUrl,
          oidcToken: { serviceAccountEmail: pusher.email },
        },
        // A failing notifier is retried with backoff; the ledger keeps retries from repeating.
        retryPolicy: { minimumBackoff: '30s', maximumBackoff: '600s' },
      },
      parent,
    );
    this.topicId = topic.id;

    const channels = args.alertEmail
      ? [
          new gcp.monitoring.NotificationChannel(
            `${name}-email`,
            {
              project: args.project,
              displayName: `${args.namePrefix} email metric anomalies`,
              type: 'email',
              labels: { email_address: args.alertEmail },
            },
            parent,
          ).name,
        ]
      : [];
    const metric = new gcp.logging.Metric(
      `${name}-anomalies`,
      {
        project: args.project,
        name: `${args.namePrefix}_metric_anomalies`,
        description: 'Anomalies on email metrics the notifier sent (one log line each)',
        filter: pulumi.interpolate`resource.type="cloud_run_revision" AND resource.labels.service_name="${fn.name}" AND jsonPayload.event="metric_anomaly"`,
        metricDescriptor: { metricKind: 'DELTA', valueType: 'INT64', unit: '1' },
      },
      parent,
    );
    // A policy on a log-based metric is refused until Cloud Monitoring lists the metric.
    const metricReady = new MetricsReady(
      `${name}-metric-ready`,
      { project: args.project, metrics: [metric.name] },
      parent,
    );
    new gcp.monitoring.AlertPolicy(
      `${name}-policy`,
      {
        project: args.project,
        displayName: `${args.namePrefix}: anomaly on email metrics`,
        combiner: 'OR',
        severity: 'WARNING',
        notificationChannels: channels,
        documentation: {
          mimeType: 'text/markdown',
          content:
            'The notifier sent an anomaly on an email metric (what moved, by how much against normal, where, since ' +
            'when). The notifier\'s log lines with `jsonPayload.event="metric_anomaly"` carry each one; the table ' +
            '`iterable_analytics.metric_anomalies` and its Looker Studio report list them all.',
        },
        conditions: [
          {
            displayName: 'An anomaly on an email metric',
            conditionThreshold: {
              filter: logMetricFilter(metric.name),
              aggregations: [
                { alignmentPeriod: '300s', perSeriesAligner: 'ALIGN_SUM', crossSeriesReducer: 'REDUCE_SUM' },
              ],
              comparison: 'COMPARISON_GT',
              thresholdValue: 0,
              duration: '0s',
              trigger: { count: 1 },
            },
          },
        ],
      },
      { parent: this, dependsOn: [metricReady] },
    );
    this.registerOutputs({ topicId: this.topicId, notifierUrl: this.notifierUrl });
  }
}
