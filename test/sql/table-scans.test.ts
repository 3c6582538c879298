/**
 * The check behind "every raw read is bounded": DuckDB's profiler reports a raw scan's
 * `created_at` bound only when it is a constant or a script variable, as BigQuery prunes
 * partitions only for those; a scalar subquery or no bound at all is reported as unbounded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { runProfiled, unboundedRawScans } from '../../local/sql/table-scans.js';
import { duckDbScript } from '../../sql/script-variables.js';

const OPENS = 'iterable_raw.email_open_raw';

describe('unbounded raw reads', () => {
  let warehouse: DuckDbWarehouse;

  before(async () => {
    warehouse = await DuckDbWarehouse.open(':memory:');
    await warehouse.query(
      `INSERT INTO ${OPENS} (created_at, email, campaign_id)
       SELECT TIMESTAMPTZ '2026-01-01' + to_hours(CAST(i AS BIGINT)), 'a@example.com', 1 FROM range(100) AS r(i)`,
    );
  });
  after(() => warehouse?.close());

  const unbounded = async (sql: string) => {
    const connection = await warehouse.connect();
    try {
      const scans = await runProfiled(connection, duckDbScript(sql));
      assert.ok(
        scans.some((s) => s.table === OPENS),
        'the raw table was scanned',
      );
      return unboundedRawScans(scans, warehouse.datasets).map((s) => s.table);
    } finally {
      connection.closeSync();
    }
  };

  const cases = [
    {
      name: 'a constant bound',
      sql: `SELECT COUNT(*) FROM ${OPENS} WHERE created_at >= TIMESTAMP '2026-01-03 00:00:00'`,
      want: [],
    },
    {
      name: 'a script variable set from a query',
      sql: `DECLARE opens_from TIMESTAMP;
SET opens_from = (SELECT MAX(created_at) - INTERVAL 1 DAY FROM ${OPENS} WHERE created_at >= TIMESTAMP '2026-01-01 00:00:00');
SELECT COUNT(*) FROM ${OPENS} WHERE created_at >= opens_from;`,
      want: [],
    },
    {
      name: 'a bound through a view',
      sql: `SELECT COUNT(*) FROM iterable_analytics.stg_opens WHERE created_at >= TIMESTAMP '2026-01-03 00:00:00'`,
      want: [],
      view: true,
    },
    {
      name: 'a scalar subquery (unbounded)',
      sql: `SELECT COUNT(*) FROM ${OPENS}
            WHERE created_at >= (SELECT TIMESTAMP '2026-01-03 00:00:00' AS starts_at)`,
      want: [OPENS],
    },
    {
      name: 'no bound (unbounded)',
      sql: `SELECT COUNT(*) FROM ${OPENS} WHERE campaign_id = 1`,
      want: [OPENS],
    },
  ];
  for (const { name, sql, want, view } of cases) {
    it(`${want.length === 0 ? 'accepts' : 'reports'} ${name}`, async () => {
      if (view) {
        await warehouse.query(
          `CREATE OR REPLACE VIEW iterable_analytics.stg_opens AS SELECT created_at, email FROM ${OPENS}`,
        );
      }
      assert.deepEqual(await unbounded(sql), want);
    });
  }
});
