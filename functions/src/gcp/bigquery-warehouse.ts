/**
 * The warehouse on BigQuery. Each window load stages its rows and rejects in Cloud Storage (rows
 * as CSV, the few rows CSV cannot carry and the rejects as NDJSON; see staging-csv.ts), in parts
 * uploaded resumably (staged-load.ts), loads each kind into a staging table of its own with one
 * load job, deletes the objects, then swaps the window in with one multi-statement transaction
 * (delete the interval, insert from staging, same for rejects) and drops the staging tables,
 * whether the load worked or not. Nothing in the raw tables changes unless the transaction commits.
 * https://cloud.google.com/bigquery/docs/transactions
 */
import { randomUUID } from 'node:crypto';
import type { BigQuery, Dataset, Table } from '@google-cloud/bigquery';
import type { Bucket } from '@google-cloud/storage';
import { streamByName } from '../catalog.js';
import type { LoadBatch, LoadCounts, Warehouse, WindowLoad } from '../ports.js';
import { type LoadPlan, loadPlan, type StagingTables } from './bigquery-load.js';
import type { TableField } from './raw-schema.js';
import { DEFAULT_PART_SIZES, NDJSON, type PartSizes, type SourceFormat, StagedLoad } from './staged-load.js';
import { STAGING_CSV } from './staging-csv.js';
import {
  DEFAULT_TRANSACTION_RETRY,
  retryConflicts,
  type TransactionRetryOptions,
} from './transaction-retry.js';

export interface BigQueryWarehouseOptions {
  /** The raw dataset (`iterable_raw`), which also holds the short-lived staging tables. */
  readonly rawDataset: string;
  /** Where the datasets live (`US`, `EU`, a region); jobs must run in the same location. */
  readonly location: string;
  /**
   * Staging tables expire on their own after this long, so a worker killed between load and
   * drop leaves nothing behind for long. It outlasts the worker's 30-minute limit.
   */
  readonly stagingTtlMs?: number;
  /** How the staged text is cut into objects and upload requests (staged-load.ts). */
  readonly partSizes?: PartSizes;
  readonly transactionRetry?: TransactionRetryOptions;
}

const DEFAULT_STAGING_TTL_MS = 6 * 3600_000;

/** A window load's staging names, unique per attempt so two attempts never share a table or object. */
interface Staging {
  readonly tables: StagingTables;
  /** Object names of its parts in the staging bucket begin with it. */
  readonly objectPrefix: string;
}

/** Table ids allow letters, digits and underscores (https://cloud.google.com/bigquery/docs/tables#table_naming). */
const staging = (load: WindowLoad): Staging => {
  const id = randomUUID().replaceAll('-', '');
  const base = `_staging_${load.stream}_${load.window.start}_${load.window.end}_${id}`;
  return {
    tables: { rows: `${base}_rows`, rejects: `${base}_rejects` },
    objectPrefix: `windows/${load.stream}/${load.window.start}_${load.window.end}_${id}`,
  };
};

export class BigQueryWarehouse implements Warehouse {
  private readonly dataset: Dataset;

  /** `bucket` is the load staging bucket, whose lifecycle rule deletes what a crashed worker left. */
  constructor(
    private readonly bigquery: BigQuery,
    private readonly bucket: Bucket,
    private readonly options: BigQueryWarehouseOptions,
  ) {
    this.dataset = bigquery.dataset(options.rawDataset, { location: options.location });
  }

  async replaceWindow(load: WindowLoad, batches: AsyncIterable<LoadBatch>): Promise<LoadCounts> {
    const plan = loadPlan(streamByName(load.stream), {
      projectId: this.bigquery.projectId,
      dataset: this.options.rawDataset,
    });
    const names = staging(load);
    const staged: StagedLoad[] = [];
    try {
      await this.createStaging(plan, names.tables);
      const counts = await this.stage(plan, names, load, batches, staged);
      const { query, params, types } = plan.replace(load, names.tables);
      await retryConflicts(async () => {
        const [job] = await this.bigquery.createQueryJob({
          query,
          params: { ...params },
          types: { ...types },
          location: this.options.location,
          jobPrefix: `replace_${load.stream}_`,
        });
        await job.promise();
      }, this.options.transactionRetry ?? DEFAULT_TRANSACTION_RETRY);
      return counts;
    } finally {
      // After the transaction, so its wait does not include the deletes.
      await Promise.all([this.dropStaging(names.tables), this.deleteObjects(staged)]);
    }
  }

  /** Nothing to release: the client holds no connections between requests. */
  async close(): Promise<void> {}

  private async createStaging(plan: LoadPlan, staging: StagingTables): Promise<void> {
    const expirationTime = String(Date.now() + (this.options.stagingTtlMs ?? DEFAULT_STAGING_TTL_MS));
    await Promise.all([
      this.dataset.createTable(staging.rows, { schema: { fields: [...plan.rowFields] }, expirationTime }),
      this.dataset.createTable(staging.rejects, {
        schema: { fields: [...plan.rejectFields] },
        expirationTime,
      }),
    ]);
  }

  private async stage(
    plan: LoadPlan,
    names: Staging,
    load: WindowLoad,
    batches: AsyncIterable<LoadBatch>,
    staged: StagedLoad[],
  ): Promise<LoadCounts> {
    const rowsTable = this.dataset.table(names.tables.rows);
    const stream = (table: Table, format: SourceFormat, fields: readonly TableField[], name: string) =>
      new StagedLoad(this.bucket, table, {
        format,
        fields,
        jobPrefix: `stage_${load.stream}_${name}_`,
        objectPrefix: `${names.objectPrefix}/${name}`,
        sizes: this.options.partSizes ?? DEFAULT_PART_SIZES,
      });
    // Both row streams append to the one staging table; the NDJSON job starts only if needed.
    const csvRows = stream(rowsTable, STAGING_CSV, plan.rowFields, 'rows');
    const jsonRows = stream(rowsTable, NDJSON, plan.rowFields, 'rows_json');
    const rejects = stream(this.dataset.table(names.tables.rejects), NDJSON, plan.rejectFields, 'rejects');
    const all = [csvRows, jsonRows, rejects];
    staged.push(...all);
    const counts = { rows: 0, rejects: 0 };
    try {
      for await (const batch of batches) {
        const staged = plan.stageRows(batch.rows);
        await csvRows.write(staged.csv);
        await jsonRows.write(staged.ndjson);
        await rejects.write(plan.stageRejects(batch.rejects));
        counts.rows += batch.rows.length;
        counts.rejects += batch.rejects.length;
      }
      // Every load settles before the caller deletes the objects, so none goes under a job still reading it.
      const failed = (await Promise.allSettled(all.map((s) => s.finish()))).find(
        (r) => r.status === 'rejected',
      );
      if (failed) throw failed.reason;
      return counts;
    } catch (error) {
      for (const s of all) s.abort();
      throw error;
    }
  }

  /**
   * Once the load jobs are done (or the load failed) the objects are of no more use. Best effort:
   * the bucket's lifecycle rule deletes whatever is left (infra/load-staging.ts).
   */
  private async deleteObjects(loads: readonly StagedLoad[]): Promise<void> {
    await Promise.allSettled(
      loads.flatMap((l) => l.objects).map((file) => file.delete({ ignoreNotFound: true })),
    );
  }

  /** Best effort: a table that could not be dropped expires on its own (see `stagingTtlMs`). */
  private async dropStaging(staging: StagingTables): Promise<void> {
    await Promise.allSettled([
      this.dataset.table(staging.rows).delete({ ignoreNotFound: true }),
      this.dataset.table(staging.rejects).delete({ ignoreNotFound: true }),
    ]);
  }
}
