/**
 * BigQuery: the raw dataset with one table per catalog stream plus its rejects, and the analytics
 * dataset the scheduled queries fill, with the fact build's intermediate tables partitioned and
 * clustered (intermediate-tables.ts). Access is granted per dataset, to the service accounts that
 * need it: the worker writes raw tables, the fact queries read raw and write analytics.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { REJECTS } from '../functions/src/per-stream-tables.js';
import { perStreamTables } from './per-stream-tables.js';
import { RAW_TABLE_SPECS, REJECTS_LAYOUT, type TableSpec } from './raw-tables.js';

export interface WarehouseArgs {
  readonly project: string;
  readonly location: string;
  readonly rawDataset: string;
  readonly analyticsDataset: string;
  readonly deletionProtection: boolean;
  /** Tables of the analytics dataset created here rather than by their SQL: partitioned, clustered. */
  readonly analyticsTables: readonly TableSpec[];
  /** Members that write raw tables (load jobs, the replace transaction), by role name. */
  readonly rawWriters: Readonly<Record<string, pulumi.Input<string>>>;
  /** Members that only read raw tables (the fan-out's campaign query), by role name. */
  readonly rawReaders: Readonly<Record<string, pulumi.Input<string>>>;
  /** Members that read raw tables and write the analytics dataset, by role name. */
  readonly analyticsWriters: Readonly<Record<string, pulumi.Input<string>>>;
}

export class Warehouse extends pulumi.ComponentResource {
  readonly rawDatasetId: pulumi.Output<string>;
  readonly analyticsDatasetId: pulumi.Output<string>;

  constructor(name: string, args: WarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:Warehouse', name, {}, opts);
    const dataset = (role: string, datasetId: string, description: string) =>
      new gcp.bigquery.Dataset(
        `${name}-${role}`,
        {
          project: args.project,
          datasetId,
          location: args.location,
          description,
          deleteContentsOnDestroy: !args.deletionProtection,
        },
        { parent: this },
      );
    const raw = dataset(
      'raw',
      args.rawDataset,
      'Iterable events and dimensions as loaded, one table per stream',
    );
    const analytics = dataset(
      'analytics',
      args.analyticsDataset,
      'Email analytics fact tables for Looker Studio',
    );

    for (const [key, spec] of Object.entries(RAW_TABLE_SPECS)) {
      new gcp.bigquery.Table(
        `${name}-raw-${key}`,
        {
          project: args.project,
          datasetId: raw.datasetId,
          deletionProtection: args.deletionProtection,
          ...spec,
        },
        { parent: this },
      );
    }
    perStreamTables(
      `${name}-raw-rejects`,
      REJECTS,
      {
        project: args.project,
        datasetId: raw.datasetId,
        deletionProtection: args.deletionProtection,
        layout: REJECTS_LAYOUT,
      },
      { parent: this },
    );

    // An intermediate table is derived from the raw tables, so a new version of its columns
    // replaces it (deleted, then created empty) rather than patching it: a column merely added
    // would stay NULL in every row built before, while an empty table makes its file's next run
    // rebuild it from all history. Nothing is lost, so it needs no deletion protection.
    for (const spec of args.analyticsTables) {
      new gcp.bigquery.Table(
        `${name}-analytics-${spec.tableId}`,
        {
          project: args.project,
          datasetId: analytics.datasetId,
          deletionProtection: false,
          ...spec,
        },
        { parent: this, replaceOnChanges: ['schema'], deleteBeforeReplace: true },
      );
    }

    const grant = (
      key: string,
      datasetId: pulumi.Input<string>,
      role: string,
      member: pulumi.Input<string>,
    ) =>
      new gcp.bigquery.DatasetIamMember(
        `${name}-${key}`,
        { project: args.project, datasetId, role, member },
        { parent: this },
      );
    for (const [who, member] of Object.entries(args.rawWriters)) {
      grant(`raw-editor-${who}`, raw.datasetId, 'roles/bigquery.dataEditor', member);
    }
    for (const [who, member] of Object.entries(args.rawReaders)) {
      grant(`raw-reader-${who}`, raw.datasetId, 'roles/bigquery.dataViewer', member);
    }
    for (const [who, member] of Object.entries(args.analyticsWriters)) {
      grant(`raw-viewer-${who}`, raw.datasetId, 'roles/bigquery.dataViewer', member);
      grant(`analytics-editor-${who}`, analytics.datasetId, 'roles/bigquery.dataEditor', member);
    }

    this.rawDatasetId = raw.datasetId;
    this.analyticsDatasetId = analytics.datasetId;
    this.registerOutputs({ rawDatasetId: this.rawDatasetId, analyticsDatasetId: this.analyticsDatasetId });
  }
}
