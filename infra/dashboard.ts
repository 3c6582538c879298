/**
 * The Cloud Monitoring dashboard of the pipeline: what loaded, what failed, what waits.
 * https://cloud.google.com/monitoring/api/ref_v3/rest/v1/projects.dashboards
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';

export interface DashboardArgs {
  readonly project: string;
  readonly namePrefix: string;
  readonly windowsLoadedMetric: pulumi.Input<string>;
  readonly rowsLoadedMetric: pulumi.Input<string>;
  readonly failuresMetric: pulumi.Input<string>;
  readonly queueName: pulumi.Input<string>;
  /** The queue of windows read by export jobs, charted beside the window queue. */
  readonly jobsQueueName: pulumi.Input<string>;
  readonly workerService: pulumi.Input<string>;
}

interface Chart {
  readonly title: string;
  readonly filter: string;
  readonly aligner: string;
  readonly reducer: string;
  readonly groupBy: readonly string[];
}

const WIDTH = 6;
const HEIGHT = 4;

const tile = (chart: Chart, k: number) => ({
  xPos: (k % 2) * WIDTH,
  yPos: Math.floor(k / 2) * HEIGHT,
  width: WIDTH,
  height: HEIGHT,
  widget: {
    title: chart.title,
    xyChart: {
      dataSets: [
        {
          plotType: 'LINE',
          timeSeriesQuery: {
            timeSeriesFilter: {
              filter: chart.filter,
              aggregation: {
                alignmentPeriod: '3600s',
                perSeriesAligner: chart.aligner,
                crossSeriesReducer: chart.reducer,
                groupByFields: chart.groupBy,
              },
            },
          },
        },
      ],
    },
  },
});

/** The dashboard's JSON, from the names of what it charts. */
function dashboardJson(
  namePrefix: string,
  names: {
    windows: string;
    rows: string;
    failures: string;
    queue: string;
    jobsQueue: string;
    worker: string;
  },
): string {
  const logMetric = (metric: string) =>
    `metric.type="logging.googleapis.com/user/${metric}" resource.type="cloud_run_revision"`;
  const charts: Chart[] = [
    {
      title: 'Rows loaded per hour, by stream',
      filter: logMetric(names.rows),
      aligner: 'ALIGN_DELTA',
      reducer: 'REDUCE_SUM',
      groupBy: ['metric.label.stream'],
    },
    {
      title: 'Windows loaded per hour, by kind',
      filter: logMetric(names.windows),
      aligner: 'ALIGN_SUM',
      reducer: 'REDUCE_SUM',
      groupBy: ['metric.label.kind'],
    },
    {
      title: 'Failed load attempts per hour, by stream',
      filter: logMetric(names.failures),
      aligner: 'ALIGN_SUM',
      reducer: 'REDUCE_SUM',
      groupBy: ['metric.label.stream'],
    },
    {
      title: 'Tasks waiting in the queue',
      filter: `metric.type="cloudtasks.googleapis.com/queue/depth" resource.type="cloud_tasks_queue" resource.label.queue_id="${names.queue}"`,
      aligner: 'ALIGN_MAX',
      reducer: 'REDUCE_MAX',
      groupBy: [],
    },
    {
      title: 'Windows waiting for export jobs',
      filter: `metric.type="cloudtasks.googleapis.com/queue/depth" resource.type="cloud_tasks_queue" resource.label.queue_id="${names.jobsQueue}"`,
      aligner: 'ALIGN_MAX',
      reducer: 'REDUCE_MAX',
      groupBy: [],
    },
    {
      title: 'Worker request latency (95th percentile)',
      filter: `metric.type="run.googleapis.com/request_latencies" resource.type="cloud_run_revision" resource.label.service_name="${names.worker}"`,
      aligner: 'ALIGN_PERCENTILE_95',
      reducer: 'REDUCE_MAX',
      groupBy: [],
    },
  ];
  return JSON.stringify({
    displayName: `${namePrefix}: Iterable → BigQuery pipeline`,
    mosaicLayout: { columns: 2 * WIDTH, tiles: charts.map(tile) },
  });
}

export class Dashboard extends pulumi.ComponentResource {
  readonly id: pulumi.Output<string>;

  constructor(name: string, args: DashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:Dashboard', name, {}, opts);
    const json = pulumi
      .all([
        args.windowsLoadedMetric,
        args.rowsLoadedMetric,
        args.failuresMetric,
        args.queueName,
        args.jobsQueueName,
        args.workerService,
      ])
      .apply(([windows, rows, failures, queue, jobsQueue, worker]) =>
        dashboardJson(args.namePrefix, { windows, rows, failures, queue, jobsQueue, worker }),
      );
    const dashboard = new gcp.monitoring.Dashboard(
      `${name}-dashboard`,
      { project: args.project, dashboardJson: json },
      { parent: this },
    );
    this.id = dashboard.id;
    this.registerOutputs({ id: this.id });
  }
}
