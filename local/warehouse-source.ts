/**
 * A warehouse holds one Iterable project. The first run records which source filled it (where it
 * read from and the project's channel ids, never the key); a later run against another source is
 * refused, since its windows would be planned from the first source's watermarks and its rows,
 * campaigns and facts would mix with the first one's without a word.
 */
import { ConfigError } from '../functions/src/config.js';
import type { DuckDbWarehouse } from './duckdb-warehouse.js';

export interface WarehouseSource {
  /** Where the rows come from: Iterable's base URL, or a fixed name for the demo simulator. */
  readonly origin: string;
  /**
   * The project's channel ids (`GET /api/channels`), sorted. Ids are per project, so two keys of
   * one project share them, and a channel added later still leaves the old ones in common.
   */
  readonly channelIds: readonly number[];
}

/** Outside the datasets, so it never shows among the raw or fact tables. */
const SOURCE_TABLE = 'main.pipeline_source';

const sameSource = (a: WarehouseSource, b: WarehouseSource): boolean =>
  a.origin === b.origin &&
  (a.channelIds.length === 0 ||
    b.channelIds.length === 0 ||
    b.channelIds.some((id) => a.channelIds.includes(id)));

/** Records the source on a warehouse's first run; refuses (exit code 2) a run against another. */
export async function claimWarehouse(
  warehouse: DuckDbWarehouse,
  file: string,
  source: WarehouseSource,
): Promise<void> {
  await warehouse.query(
    `CREATE TABLE IF NOT EXISTS ${SOURCE_TABLE} (origin VARCHAR NOT NULL, channel_ids VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL)`,
  );
  const [row] = await warehouse.query<{ origin: string; channel_ids: string }>(
    `SELECT origin, channel_ids FROM ${SOURCE_TABLE} LIMIT 1`,
  );
  if (row === undefined) {
    await warehouse.query(`INSERT INTO ${SOURCE_TABLE} VALUES ($origin, $ids, CURRENT_TIMESTAMP)`, {
      origin: source.origin,
      ids: JSON.stringify(source.channelIds),
    });
    return;
  }
  const recorded: WarehouseSource = {
    origin: row.origin,
    channelIds: JSON.parse(row.channel_ids) as number[],
  };
  if (sameSource(recorded, source)) return;
  const project = (s: WarehouseSource) => `${s.origin} (channels ${s.channelIds.join(', ') || 'none'})`;
  throw new ConfigError(
    `the warehouse ${file} holds data from ${project(recorded)}, but this run reads ${project(source)}. ` +
      'A warehouse holds one project: pass --warehouse <another file> for this one, or move ' +
      `${file} and ${file}.state.json away to start afresh`,
  );
}
