/** The BigQuery warehouse; imported on first use (`deferred.ts`), so loading BigQuery waits until then. */
import { BigQuery } from '@google-cloud/bigquery';
import type { Warehouse } from '../ports.js';
import { BigQueryWarehouse } from './bigquery-warehouse.js';
import type { GcpConfig } from './gcp-config.js';

export const openWarehouse = (config: GcpConfig): Warehouse =>
  new BigQueryWarehouse(new BigQuery({ projectId: config.projectId }), {
    rawDataset: config.pipeline.datasets.raw,
    location: config.bigqueryLocation,
  });
