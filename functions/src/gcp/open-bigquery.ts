/** The BigQuery warehouse; imported on first use (`deferred.ts`), so loading BigQuery waits until then. */
import { BigQuery } from '@google-cloud/bigquery';
import { Storage } from '@google-cloud/storage';
import { ConfigError } from '../config.js';
import { LIVE_DATASET } from '../live/live-tables.js';
import type { UserEraser, Warehouse } from '../ports.js';
import { BigQueryCampaignMetrics } from './bigquery-campaign-metrics.js';
import { BigQueryEraser } from './bigquery-eraser.js';
import { BigQueryWarehouse } from './bigquery-warehouse.js';
import type { GcpConfig } from './gcp-config.js';

export function openWarehouse(config: GcpConfig): Warehouse {
  // Only the worker loads windows, and its configuration requires the bucket (gcp-config.ts).
  if (config.loadStagingBucket === null) {
    throw new ConfigError(
      'LOAD_STAGING_BUCKET is not set: the worker stages window loads in Cloud Storage; run `pulumi up` again',
    );
  }
  return new BigQueryWarehouse(
    new BigQuery({ projectId: config.projectId }),
    new Storage({ projectId: config.projectId }).bucket(config.loadStagingBucket),
    { rawDataset: config.pipeline.datasets.raw, location: config.bigqueryLocation },
  );
}

export const openEraser = (config: GcpConfig): UserEraser =>
  new BigQueryEraser(
    new BigQuery({ projectId: config.projectId }),
    { projectId: config.projectId, ...config.pipeline.datasets, live: LIVE_DATASET },
    config.bigqueryLocation,
  );

export const openCampaignMetrics = (config: GcpConfig): BigQueryCampaignMetrics =>
  new BigQueryCampaignMetrics(new BigQuery({ projectId: config.projectId }), {
    rawDataset: config.pipeline.datasets.raw,
    location: config.bigqueryLocation,
  });
