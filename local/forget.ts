/**
 * The forget step on the laptop, as the deployed daily task runs it: Iterable's forgotten lists
 * against the local warehouse. `npm start` runs it after loading; `npm run forget` on its own.
 */
import type { Logger } from '../functions/src/log.js';
import { type ForgetResult, forgetUsers } from '../functions/src/pipeline/forget.js';
import type { ForgottenSource } from '../functions/src/ports.js';
import type { Datasets } from '../sql/datasets.js';
import { DuckDbWarehouse } from './duckdb-warehouse.js';

export async function forgetLocal(options: {
  readonly iterable: ForgottenSource;
  readonly warehouseFile: string;
  readonly datasets?: Datasets;
  readonly log: Logger;
  readonly now?: () => number;
}): Promise<ForgetResult> {
  const warehouse = await DuckDbWarehouse.open(options.warehouseFile, options.datasets);
  try {
    return await forgetUsers({
      iterable: options.iterable,
      warehouse,
      now: options.now ?? Date.now,
      log: options.log,
    });
  } finally {
    await warehouse.close();
  }
}

/** The run summary's lines about forgetting: counts, or WARNING lines when a list was unreadable. */
export function forgetSummary(result: ForgetResult): string {
  const lines = result.warnings.map((w) => `WARNING: ${w}`);
  if (result.outcome !== null) {
    const rows = result.outcome.forgotten.reduce((sum, u) => sum + u.rows, 0);
    lines.unshift(
      `Forgotten users: ${result.listed} listed by Iterable, ${result.outcome.forgotten.length} forgotten now ` +
        `(${rows} rows deleted), ${result.outcome.unchanged} already forgotten`,
    );
  }
  return lines.join('\n');
}
