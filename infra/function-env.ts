/**
 * The environment of the deployed functions, from the stack's settings: the pipeline's variables
 * (functions/src/config.ts) and the GCP ones (functions/src/gcp/gcp-config.ts, whose type keeps
 * the names in step). The Iterable key is not here: it reaches the worker from Secret Manager.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { GcpEnv } from '../functions/src/gcp/gcp-config.js';
import type { Settings } from './config.js';

export interface FunctionRefs {
  readonly queuePath: pulumi.Input<string>;
  readonly campaignMetricsQueuePath: pulumi.Input<string>;
  readonly exportJobsQueuePath: pulumi.Input<string>;
  readonly tasksInvokerEmail: pulumi.Input<string>;
  readonly firestoreDatabase: pulumi.Input<string>;
  /** Where the worker stages window loads (load-staging.ts). */
  readonly loadStagingBucket: pulumi.Input<string>;
}

/** The pipeline's own variables this program sets (functions/src/config.ts). */
type PipelineVariable =
  | 'ITERABLE_REGION'
  | 'ITERABLE_EXPORT_MODE'
  | 'RAW_DATASET'
  | 'ANALYTICS_DATASET'
  | 'STREAMS'
  | 'HISTORY_DAYS'
  | 'LAG_MINUTES'
  | 'LOOKBACK_MINUTES';

export type FunctionEnv = Partial<Record<keyof GcpEnv | PipelineVariable, pulumi.Input<string>>>;

/** Variables both functions get. */
export function sharedEnvironment(settings: Settings, refs: FunctionRefs): FunctionEnv {
  return {
    GOOGLE_CLOUD_PROJECT: settings.project,
    BIGQUERY_LOCATION: settings.bigqueryLocation,
    FIRESTORE_DATABASE: refs.firestoreDatabase,
    TASKS_QUEUE: refs.queuePath,
    CAMPAIGN_METRICS_QUEUE: refs.campaignMetricsQueuePath,
    EXPORT_JOBS_QUEUE: refs.exportJobsQueuePath,
    TASKS_INVOKER_SERVICE_ACCOUNT: refs.tasksInvokerEmail,
    LOAD_STAGING_BUCKET: refs.loadStagingBucket,
    WORKER_TIMEOUT_SECONDS: String(settings.workerTimeoutSeconds),
    ITERABLE_REGION: settings.iterableRegion,
    // Unset, each window chooses (functions/src/pipeline/export-mode.ts); the fan-out routes by
    // the same choice the worker makes, so both functions get the same value.
    ...(settings.iterableExportMode === 'auto' ? {} : { ITERABLE_EXPORT_MODE: settings.iterableExportMode }),
    RAW_DATASET: settings.rawDataset,
    ANALYTICS_DATASET: settings.analyticsDataset,
    STREAMS: settings.streams.join(','),
    HISTORY_DAYS: String(settings.historyDays),
    LAG_MINUTES: String(settings.lagMinutes),
    LOOKBACK_MINUTES: String(settings.lookbackMinutes),
  };
}
