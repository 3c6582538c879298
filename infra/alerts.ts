/**
 * Alert policies: a stream whose worker keeps failing, a window that failed for good, a stream that
 * has not advanced for longer than the freshness bound, and a stream whose watermark is older than
 * that bound. Notifications go to an email channel when one is configured; incidents show in the
 * console either way.
 *
 * Where one log line is the signal (a window failed for good), the policy matches the log itself
 * (`conditionMatchedLog`), which needs no metric. The others count or measure, so they read
 * log-based metrics; a policy on a metric Cloud Monitoring does not list yet is refused ("If a
 * metric was created recently, it could take up to 10 minutes", hashicorp/terraform-provider-google#11102),
 * so those wait for the `MetricsReady` step (deploy-steps/metrics-ready.ts).
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { MetricsReady } from './deploy-steps/metrics-ready.js';
import { logMetricFilter } from './log-metrics.js';

export interface AlertsArgs {
  readonly project: string;
  readonly namePrefix: string;
  readonly failuresMetric: pulumi.Input<string>;
  readonly windowsLoadedMetric: pulumi.Input<string>;
  readonly watermarkLagMetric: pulumi.Input<string>;
  /** The worker's Cloud Run service, whose log lines the log-match policy reads. */
  readonly workerService: pulumi.Input<string>;
  readonly freshnessHours: number;
  readonly email?: string | undefined;
}

/**
 * Failures per stream per hour above which someone should look. A few are normal: a 429 or a
 * cut-off export fails one attempt, and Cloud Tasks retries it.
 */
const FAILURES_PER_HOUR_THRESHOLD = 3;

const perStream = (alignmentPeriod: string) => [
  {
    alignmentPeriod,
    perSeriesAligner: 'ALIGN_SUM',
    crossSeriesReducer: 'REDUCE_SUM',
    groupByFields: ['metric.label.stream'],
  },
];

type Condition = gcp.types.input.monitoring.AlertPolicyCondition;

export class Alerts extends pulumi.ComponentResource {
  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:Alerts', name, {}, opts);
    const channels = args.email
      ? [
          new gcp.monitoring.NotificationChannel(
            `${name}-email`,
            {
              project: args.project,
              displayName: `${args.namePrefix} pipeline alerts`,
              type: 'email',
              labels: { email_address: args.email },
            },
            { parent: this },
          ).name,
        ]
      : [];
    const metricsReady = new MetricsReady(
      `${name}-metrics-ready`,
      {
        project: args.project,
        metrics: [args.failuresMetric, args.windowsLoadedMetric, args.watermarkLagMetric],
      },
      { parent: this },
    );
    const policy = (
      key: string,
      spec: {
        title: string;
        severity: string;
        doc: string;
        condition: Condition;
        alertStrategy?: gcp.types.input.monitoring.AlertPolicyAlertStrategy;
      },
    ) =>
      new gcp.monitoring.AlertPolicy(
        `${name}-${key}`,
        {
          project: args.project,
          displayName: `${args.namePrefix}: ${spec.title}`,
          combiner: 'OR',
          severity: spec.severity,
          notificationChannels: channels,
          documentation: { mimeType: 'text/markdown', content: spec.doc },
          conditions: [spec.condition],
          ...(spec.alertStrategy ? { alertStrategy: spec.alertStrategy } : {}),
        },
        // A log-match condition reads no metric, so it need not wait for one.
        { parent: this, dependsOn: spec.condition.conditionMatchedLog ? [] : [metricsReady] },
      );

    policy('failed-for-good', {
      title: 'window failed for good',
      severity: 'ERROR',
      doc:
        "Iterable refused a window's export outright (a revoked key, a request it rejects), so the task queue " +
        "stopped retrying it. The log line carries the stream, the window and Iterable's answer; the ledger " +
        '(`npm run status -- --gcp`) shows the window as failed. Fix the cause (e.g. a new key in Secret ' +
        'Manager); the next fan-out plans the window again.',
      condition: {
        displayName: 'A window failed in a way retrying cannot fix',
        conditionMatchedLog: {
          filter: pulumi.interpolate`resource.type="cloud_run_revision" AND resource.labels.service_name="${args.workerService}" AND severity=ERROR AND jsonPayload.permanent=true`,
          labelExtractors: { stream: 'EXTRACT(jsonPayload.stream)' },
        },
      },
      // Log-match policies must rate-limit their notifications
      // (https://cloud.google.com/monitoring/alerts/log-based-alerts).
      alertStrategy: { notificationRateLimit: { period: '3600s' } },
    });

    policy('worker-failures', {
      title: 'worker failures',
      severity: 'ERROR',
      doc:
        'A stream failed more than a few window loads within the hour. The ERROR lines of the worker in ' +
        'Logs Explorer carry the stream, the window and the error; failed windows stay in the Firestore ' +
        'ledger and are planned again by the next fan-out.',
      condition: {
        displayName: `More than ${FAILURES_PER_HOUR_THRESHOLD} failed loads of a stream in an hour`,
        conditionThreshold: {
          filter: logMetricFilter(args.failuresMetric),
          aggregations: perStream('3600s'),
          comparison: 'COMPARISON_GT',
          thresholdValue: FAILURES_PER_HOUR_THRESHOLD,
          duration: '0s',
          trigger: { count: 1 },
        },
      },
    });

    // Every run loads an advance window of every stream (a partial one at least), so a stream
    // with none for this long has a watermark at least this old. Durations are whole minutes.
    policy('stale-stream', {
      title: 'stream not loading',
      severity: 'WARNING',
      doc:
        `No advance window of a stream loaded for ${args.freshnessHours} h (a liveness check; the watermark-age ` +
        'alert says how far behind the loaded data is). Check the scheduler job ' +
        'ran, the queue is not paused, and the worker logs for that stream.',
      condition: {
        displayName: `No advance window of a stream loaded for ${args.freshnessHours} h`,
        conditionAbsent: {
          filter: pulumi.interpolate`${logMetricFilter(args.windowsLoadedMetric)} AND metric.label.kind="advance"`,
          aggregations: perStream('600s'),
          duration: `${Math.round(args.freshnessHours * 60) * 60}s`,
          trigger: { count: 1 },
        },
      },
    });

    // The fan-out logs each stream's watermark lag on every run (pipeline/fanout.ts).
    policy('watermark-age', {
      title: `watermark older than ${args.freshnessHours} h`,
      severity: 'WARNING',
      doc:
        `A stream's watermark is more than ${args.freshnessHours} h behind now: everything before it is ` +
        'loaded, nothing after it is certain. The ledger in Firestore (or `npm run status`) shows the failed ' +
        'window holding it back and its last error.',
      condition: {
        displayName: `Watermark of a stream more than ${args.freshnessHours} h behind`,
        conditionThreshold: {
          filter: logMetricFilter(args.watermarkLagMetric),
          aggregations: [
            {
              alignmentPeriod: '600s',
              perSeriesAligner: 'ALIGN_PERCENTILE_50',
              crossSeriesReducer: 'REDUCE_MAX',
              groupByFields: ['metric.label.stream'],
            },
          ],
          comparison: 'COMPARISON_GT',
          thresholdValue: Math.round(args.freshnessHours * 3600),
          duration: '0s',
          trigger: { count: 1 },
        },
      },
    });
    this.registerOutputs({});
  }
}
