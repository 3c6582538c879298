/**
 * Log-based metrics over the worker's structured JSON logs (functions/src/pipeline/load-window.ts
 * writes one `loaded …` line per window with stream, kind and rows, and one ERROR `failed …`
 * line per failed attempt). Gen2 functions log as their Cloud Run service.
 * https://cloud.google.com/logging/docs/logs-based-metrics
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';

export interface LogMetricsArgs {
  readonly project: string;
  readonly namePrefix: string;
  /** Name of the worker function, which is its Cloud Run service's name. */
  readonly workerService: pulumi.Input<string>;
  /** Name of the fan-out function, which logs every stream's watermark lag on each run. */
  readonly fanoutService: pulumi.Input<string>;
}

const label = (key: string, description: string) => ({ key, valueType: 'STRING', description });

export class LogMetrics extends pulumi.ComponentResource {
  /** Failed load attempts, by stream. */
  readonly failures: pulumi.Output<string>;
  /** Windows loaded, by stream and kind (`advance` windows are the ones that move watermarks). */
  readonly windowsLoaded: pulumi.Output<string>;
  /** Rows per loaded window, as a distribution, by stream. */
  readonly rowsLoaded: pulumi.Output<string>;
  /** Seconds each stream's watermark is behind now, as the fan-out sees it, by stream. */
  readonly watermarkLag: pulumi.Output<string>;

  constructor(name: string, args: LogMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:LogMetrics', name, {}, opts);
    const worker = pulumi.interpolate`resource.type="cloud_run_revision" AND resource.labels.service_name="${args.workerService}"`;
    const stream = { stream: 'EXTRACT(jsonPayload.stream)' };
    const streamLabel = label('stream', 'Catalog stream name');

    const failures = new gcp.logging.Metric(
      `${name}-failures`,
      {
        project: args.project,
        name: `${args.namePrefix}_worker_failures`,
        description: 'Failed window load attempts of the worker',
        filter: pulumi.interpolate`${worker} AND severity=ERROR AND jsonPayload.message=~"^failed "`,
        metricDescriptor: { metricKind: 'DELTA', valueType: 'INT64', unit: '1', labels: [streamLabel] },
        labelExtractors: stream,
      },
      { parent: this },
    );
    const loaded = pulumi.interpolate`${worker} AND jsonPayload.message=~"^loaded " AND jsonPayload.rows>=0`;
    const windows = new gcp.logging.Metric(
      `${name}-windows`,
      {
        project: args.project,
        name: `${args.namePrefix}_windows_loaded`,
        description: 'Windows loaded by the worker',
        filter: loaded,
        metricDescriptor: {
          metricKind: 'DELTA',
          valueType: 'INT64',
          unit: '1',
          labels: [streamLabel, label('kind', 'advance, lookback or backfill')],
        },
        labelExtractors: { ...stream, kind: 'EXTRACT(jsonPayload.kind)' },
      },
      { parent: this },
    );
    const rows = new gcp.logging.Metric(
      `${name}-rows`,
      {
        project: args.project,
        name: `${args.namePrefix}_rows_loaded`,
        description: 'Rows loaded per window',
        filter: loaded,
        metricDescriptor: {
          metricKind: 'DELTA',
          valueType: 'DISTRIBUTION',
          unit: '1',
          labels: [streamLabel],
        },
        valueExtractor: 'EXTRACT(jsonPayload.rows)',
        labelExtractors: stream,
        // 1 row to ~2 billion in 32 doubling buckets.
        bucketOptions: { exponentialBuckets: { numFiniteBuckets: 32, growthFactor: 2, scale: 1 } },
      },
      { parent: this },
    );
    const lag = new gcp.logging.Metric(
      `${name}-watermark-lag`,
      {
        project: args.project,
        name: `${args.namePrefix}_watermark_lag`,
        description: "How far each stream's watermark is behind now, at each fan-out",
        filter: pulumi.interpolate`resource.type="cloud_run_revision" AND resource.labels.service_name="${args.fanoutService}" AND jsonPayload.watermarkLagSeconds>=0`,
        metricDescriptor: {
          metricKind: 'DELTA',
          valueType: 'DISTRIBUTION',
          unit: 's',
          labels: [streamLabel],
        },
        valueExtractor: 'EXTRACT(jsonPayload.watermarkLagSeconds)',
        labelExtractors: stream,
        // One minute to ~3 years in 25 doubling buckets.
        bucketOptions: { exponentialBuckets: { numFiniteBuckets: 25, growthFactor: 2, scale: 60 } },
      },
      { parent: this },
    );
    this.watermarkLag = lag.name;
    this.failures = failures.name;
    this.windowsLoaded = windows.name;
    this.rowsLoaded = rows.name;
    this.registerOutputs({
      failures: this.failures,
      windowsLoaded: this.windowsLoaded,
      rowsLoaded: this.rowsLoaded,
      watermarkLag: this.watermarkLag,
    });
  }
}

/** The Cloud Monitoring filter of a log-based metric's time series. */
export const logMetricFilter = (metric: pulumi.Input<string>): pulumi.Output<string> =>
  pulumi.interpolate`metric.type="logging.googleapis.com/user/${metric}" AND resource.type="cloud_run_revision"`;
