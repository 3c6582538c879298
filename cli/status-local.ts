/**
 * Status of the local pipeline: the ledger beside the warehouse file, and the warehouse's counts.
 * DuckDB lets one process at a time open the file, so while an `npm start` runs the counts are
 * missing (and said to be) while the ledger still shows the run's progress.
 */
import { existsSync } from 'node:fs';
import type { StreamName } from '../functions/src/catalog.js';
import { ConfigError } from '../functions/src/config.js';
import { DuckDbWarehouse } from '../local/duckdb-warehouse.js';
import { LocalFileError } from '../local/file-errors.js';
import { JsonFileStateStore } from '../local/json-state-store.js';
import { stateFileOf } from '../local/run.js';
import type { Datasets } from '../sql/datasets.js';
import { type CountRow, countsSql, toCounts } from './status-counts.js';
import { type CountsResult, collectStatus, type PipelineStatus } from './status-model.js';

export async function localStatus(
  warehouseFile: string,
  datasets: Datasets,
  streams: readonly StreamName[],
  now: number,
): Promise<PipelineStatus> {
  if (!existsSync(warehouseFile)) {
    throw new ConfigError(
      `there is no warehouse at ${warehouseFile}; run \`npm start\` first, pass --warehouse <file> ` +
        '(the default is .local/demo.duckdb, or .local/warehouse.duckdb when ITERABLE_API_KEY is set), ' +
        'or --gcp for the deployed pipeline',
    );
  }
  const state = await JsonFileStateStore.open(stateFileOf(warehouseFile));
  try {
    return await collectStatus(
      { readState: (stream) => state.read(stream), counts: () => duckDbCounts(warehouseFile, datasets) },
      streams,
      now,
    );
  } finally {
    await state.close();
  }
}

async function duckDbCounts(warehouseFile: string, datasets: Datasets): Promise<CountsResult> {
  let warehouse: DuckDbWarehouse;
  try {
    warehouse = await DuckDbWarehouse.open(warehouseFile, datasets);
  } catch (error) {
    // While a run holds the file the ledger still tells its progress; any other failure to open
    // the warehouse ends the command with the reason (exit code 2), not a report of zeros.
    if (!(error instanceof LocalFileError && error.inUse)) throw error;
    return {
      unavailable:
        'rows and rejects are unknown while another process (a running `npm start`?) has the warehouse open',
    };
  }
  try {
    return { counts: toCounts(await warehouse.query<CountRow>(countsSql(datasets.raw))) };
  } finally {
    await warehouse.close();
  }
}
