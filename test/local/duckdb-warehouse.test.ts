import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import {
  type Column,
  REJECT_COLUMNS,
  rawTableName,
  STREAMS,
  type StreamName,
  streamByName,
} from '../../functions/src/catalog.js';
import type { Window } from '../../functions/src/pipeline/window.js';
import type { Cell, LoadBatch, RawRow, Reject, WindowLoad } from '../../functions/src/ports.js';
import { HOUR } from '../../functions/src/time.js';
import { DUCKDB_TYPES, rawTableColumns } from '../../local/duckdb-ddl.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';

const T0 = Date.UTC(2026, 9, 1);
const W1: Window = { start: T0, end: T0 + HOUR };
const W2: Window = { start: T0 + HOUR, end: T0 + 2 * HOUR };

/** How DuckDB's information_schema spells the types the DDL writes. */
const SPELLED: Record<string, string> = { TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE' };

function cell(column: Column, id: number, createdAt: number): Cell {
  if (column.type === 'TIMESTAMP') return column.name === 'created_at' ? createdAt : null;
  if (column.type === 'STRING') return `${column.name}-${id}`;
  if (column.type === 'INT64') return id;
  if (column.type === 'FLOAT64') return id + 0.5;
  if (column.type === 'BOOL') return id % 2 === 0;
  return JSON.stringify([id]);
}

/** A row of any stream, with every catalog column filled from `id`. */
function row(stream: StreamName, id: number, createdAt: number): RawRow {
  return {
    cells: streamByName(stream).columns.map((c) => cell(c, id, createdAt)),
    payload: JSON.stringify({ id, createdAt, stream }),
  };
}

/** `count` rows spread over the window, ids from `firstId`. */
const rowsIn = (stream: StreamName, w: Window, firstId: number, count: number): RawRow[] =>
  Array.from({ length: count }, (_, i) =>
    row(stream, firstId + i, w.start + Math.floor(((w.end - w.start) * i) / count)),
  );

/** Batches that yield to the event loop between them, as a network stream does. */
async function* batches(list: readonly LoadBatch[], failAfter?: number): AsyncIterable<LoadBatch> {
  for (const [i, batch] of list.entries()) {
    if (i === failAfter) throw new Error('connection reset');
    await tick();
    yield batch;
  }
}

const load = (stream: StreamName, window: Window, runId = 'run-1'): WindowLoad => ({
  stream,
  window,
  runId,
  loadedAt: T0 + 10 * HOUR,
});

async function ids(warehouse: DuckDbWarehouse, stream: StreamName): Promise<number[]> {
  const rows = await warehouse.query<{ id: number }>(
    `SELECT CAST(payload->>'id' AS INTEGER) AS id FROM iterable_raw.${rawTableName(stream)} ORDER BY id`,
  );
  return rows.map((r) => r.id);
}

async function rejectLines(warehouse: DuckDbWarehouse, stream: StreamName): Promise<string[]> {
  const rows = await warehouse.query<{ line: string }>(
    `SELECT line FROM iterable_raw.rejects WHERE stream = '${stream}' ORDER BY line`,
  );
  return rows.map((r) => r.line);
}

describe('DuckDbWarehouse', () => {
  let warehouse: DuckDbWarehouse;
  before(async () => {
    warehouse = await DuckDbWarehouse.open(
      join(mkdtempSync(join(tmpdir(), 'warehouse-')), 'nested', 'w.duckdb'),
    );
  });
  after(async () => {
    await warehouse.close();
  });

  it('creates both datasets, a raw table per catalog stream with its columns, and the rejects table', async () => {
    const schemas = await warehouse.query<{ name: string }>(
      'SELECT schema_name AS name FROM information_schema.schemata',
    );
    assert.ok(schemas.some((s) => s.name === 'iterable_analytics'));
    const columns = async (table: string) =>
      warehouse.query<{ name: string; type: string }>(
        `SELECT column_name AS name, data_type AS type FROM information_schema.columns
         WHERE table_schema = 'iterable_raw' AND table_name = '${table}' ORDER BY ordinal_position`,
      );
    const expected = (list: readonly { name: string; type: keyof typeof DUCKDB_TYPES }[]) =>
      list.map((c) => ({ name: c.name, type: SPELLED[DUCKDB_TYPES[c.type]] ?? DUCKDB_TYPES[c.type] }));
    for (const stream of STREAMS) {
      assert.deepEqual(
        await columns(rawTableName(stream.name)),
        expected(rawTableColumns(stream)),
        stream.name,
      );
    }
    assert.deepEqual(await columns('rejects'), expected(REJECT_COLUMNS));
  });

  it('replaces exactly [start, end) and fills the load metadata', async () => {
    const counts = await warehouse.replaceWindow(
      load('email_send', W1),
      batches([{ rows: rowsIn('email_send', W1, 0, 10), rejects: [] }]),
    );
    assert.deepEqual(counts, { rows: 10, rejects: 0 });
    await warehouse.replaceWindow(
      load('email_send', W2),
      batches([{ rows: rowsIn('email_send', W2, 100, 5), rejects: [] }]),
    );
    const fresh = [
      { rows: rowsIn('email_send', W1, 200, 3), rejects: [] },
      { rows: [row('email_send', 203, W1.end - 1)], rejects: [] },
    ];
    for (const runId of ['run-2', 'run-3']) {
      await warehouse.replaceWindow(load('email_send', W1, runId), batches(fresh));
      assert.deepEqual(await ids(warehouse, 'email_send'), [100, 101, 102, 103, 104, 200, 201, 202, 203]);
    }
    assert.equal(await warehouse.countRows('email_send', W1), 4);
    assert.equal(await warehouse.countRows('email_send', W2), 5);
    assert.equal(await warehouse.countRows('email_send'), 9);

    const [loaded] = await warehouse.query<Record<string, unknown>>(
      `SELECT epoch_ms(created_at) AS created_at, campaign_id, email, epoch_ms(_window_start) AS ws,
              epoch_ms(_window_end) AS we, epoch_ms(_loaded_at) AS loaded_at, _run_id, payload->>'stream' AS stream
       FROM iterable_raw.email_send_raw WHERE payload->>'id' = '203'`,
    );
    assert.deepEqual(loaded, {
      created_at: W1.end - 1,
      campaign_id: 203,
      email: 'email-203',
      ws: W1.start,
      we: W1.end,
      loaded_at: T0 + 10 * HOUR,
      _run_id: 'run-3',
      stream: 'email_send',
    });
  });

  it('types every cell kind: timestamps as instants (UTC dates), floats, JSON', async () => {
    const late = Date.UTC(2026, 9, 1, 23, 30);
    const w: Window = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 9, 2) };
    await warehouse.replaceWindow(
      load('purchase', w),
      batches([{ rows: [row('purchase', 7, late)], rejects: [] }]),
    );
    const [r] = await warehouse.query<Record<string, unknown>>(
      `SELECT CAST(DATE(created_at) AS VARCHAR) AS day, EXTRACT(HOUR FROM created_at) AS hour, total,
              items->>'$[0]' AS first_item, json_type(items) AS items_type, typeof(campaign_id) AS id_type
       FROM iterable_raw.purchase_raw`,
    );
    assert.deepEqual(r, {
      day: '2026-10-01',
      hour: 23,
      total: 7.5,
      first_item: '7',
      items_type: 'ARRAY',
      id_type: 'BIGINT',
    });
  });

  it('stages every row whatever the batch sizes, across data chunk boundaries', async () => {
    const w: Window = { start: T0 + 20 * HOUR, end: T0 + 21 * HOUR };
    let next = 10_000;
    const sizes = [1, 2047, 3000, 0, 5];
    const list = sizes.map((n) => {
      const rows = rowsIn('email_complaint', w, next, n);
      next += n;
      return { rows, rejects: [] };
    });
    assert.deepEqual(await warehouse.replaceWindow(load('email_complaint', w), batches(list)), {
      rows: 5053,
      rejects: 0,
    });
    const [r] = await warehouse.query<{ n: number; distinct_ids: number; lowest: number; highest: number }>(
      `SELECT count(*) AS n, count(DISTINCT campaign_id) AS distinct_ids, min(campaign_id) AS lowest,
              max(campaign_id) AS highest FROM iterable_raw.email_complaint_raw`,
    );
    assert.deepEqual(r, { n: 5053, distinct_ids: 5053, lowest: 10_000, highest: 15_052 });
  });

  it('leaves the table as it was when the batches throw, or a cell has the wrong type', async () => {
    const before = await ids(warehouse, 'email_send');
    const good = { rows: rowsIn('email_send', W1, 300, 4), rejects: [] };
    await assert.rejects(
      warehouse.replaceWindow(load('email_send', W1), batches([good, good, good], 2)),
      /connection reset/,
    );
    const wrong: RawRow = {
      cells: row('email_send', 9, W1.start).cells.map((c, i) => (i === 3 ? 'x' : c)),
      payload: '{}',
    };
    await assert.rejects(
      warehouse.replaceWindow(load('email_send', W1), batches([good, { rows: [wrong], rejects: [] }])),
      /campaign_id expects a number cell/,
    );
    assert.deepEqual(await ids(warehouse, 'email_send'), before);
  });

  it('replaces a dimension whole, whatever the window', async () => {
    await warehouse.replaceWindow(
      load('campaigns', W1),
      batches([{ rows: rowsIn('campaigns', W1, 0, 6), rejects: [] }]),
    );
    await warehouse.replaceWindow(
      load('campaigns', W2),
      batches([{ rows: rowsIn('campaigns', W2, 50, 2), rejects: [] }]),
    );
    assert.deepEqual(await ids(warehouse, 'campaigns'), [50, 51]);
    assert.equal(await warehouse.countRows('campaigns', W1), 2);
  });

  it("replaces a window's rejects: those dated inside it, and undated ones filed under it", async () => {
    const reject = (line: string, createdAt: number | null): Reject => ({
      line,
      reason: 'invalid',
      createdAt,
    });
    const rejectsOnly = (list: Reject[]) => batches([{ rows: [], rejects: list }]);
    await warehouse.replaceWindow(
      load('email_open', W1),
      rejectsOnly([reject('a', W1.start + 5), reject('b', null)]),
    );
    await warehouse.replaceWindow(
      load('email_open', W2),
      rejectsOnly([reject('c', null), reject('d', W2.start)]),
    );
    assert.deepEqual(await rejectLines(warehouse, 'email_open'), ['a', 'b', 'c', 'd']);
    const counts = await warehouse.replaceWindow(load('email_open', W1), rejectsOnly([reject('e', null)]));
    assert.deepEqual(counts, { rows: 0, rejects: 1 });
    assert.deepEqual(await rejectLines(warehouse, 'email_open'), ['c', 'd', 'e']);
    const [e] = await warehouse.query<{ ws: number; created_at: number | null }>(
      `SELECT epoch_ms(_window_start) AS ws, created_at FROM iterable_raw.rejects WHERE line = 'e'`,
    );
    assert.deepEqual(e, { ws: W1.start, created_at: null });

    await warehouse.replaceWindow(load('lists', W1), rejectsOnly([reject('f', null)]));
    await warehouse.replaceWindow(load('lists', W2), rejectsOnly([reject('g', null)]));
    assert.deepEqual(await rejectLines(warehouse, 'lists'), ['g']);
  });

  it('lands every one of many concurrent loads, of one stream and of several', async () => {
    const windows = Array.from({ length: 6 }, (_, i) => ({
      start: T0 + (10 + i) * HOUR,
      end: T0 + (11 + i) * HOUR,
    }));
    const streams: StreamName[] = ['email_click', 'email_bounce', 'hosted_unsubscribe_click'];
    const loads = [
      ...windows.map((w, i) =>
        warehouse.replaceWindow(
          load('email_click', w),
          batches(
            Array.from({ length: 5 }, (_, b) => ({
              rows: rowsIn('email_click', w, i * 1000 + b * 100, 50),
              rejects: [],
            })),
          ),
        ),
      ),
      ...streams
        .slice(1)
        .map((s) =>
          warehouse.replaceWindow(load(s, W1), batches([{ rows: rowsIn(s, W1, 0, 30), rejects: [] }])),
        ),
    ];
    const counts = await Promise.all(loads);
    assert.deepEqual(
      counts.map((c) => c.rows),
      [250, 250, 250, 250, 250, 250, 30, 30],
    );
    for (const w of windows) assert.equal(await warehouse.countRows('email_click', w), 250);
    assert.equal(await warehouse.countRows('email_bounce'), 30);
    assert.equal(await warehouse.countRows('hosted_unsubscribe_click'), 30);
  });

  it('shares one database between two opens of a file, until the last one closes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'warehouse-')), 'shared.duckdb');
    const first = await DuckDbWarehouse.open(file);
    const second = await DuckDbWarehouse.open(file);
    await first.replaceWindow(
      load('email_send', W1),
      batches([{ rows: rowsIn('email_send', W1, 0, 3), rejects: [] }]),
    );
    await first.close();
    assert.equal(await second.countRows('email_send'), 3);
    await second.close();
    const reopened = await DuckDbWarehouse.open(file);
    assert.equal(await reopened.countRows('email_send'), 3);
    await reopened.close();
  });

  it('refuses dataset names that are not plain identifiers', async () => {
    await assert.rejects(
      DuckDbWarehouse.open(':memory:', { raw: 'raw; drop', analytics: 'a' }),
      /plain identifier/,
    );
  });
});

describe('a warehouse file from before the per-stream rejects and loaded edges', () => {
  it('moves the shared tables’ rows to each stream’s table and puts the views in their place', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'warehouse-')), 'old.duckdb');
    const old = await DuckDbWarehouse.open(file);
    try {
      // As an earlier version left it: one table for every stream's rejects and loaded edges.
      await old.query('DROP VIEW iterable_raw.rejects');
      await old.query('CREATE TABLE iterable_raw.rejects AS SELECT * FROM iterable_raw.email_send_rejects');
      await old.query(
        `INSERT INTO iterable_raw.rejects (stream, line, reason) VALUES
         ('email_send', '{"a":1}', 'bad send'), ('email_open', '{"b":2}', 'bad open')`,
      );
      await old.query('DROP VIEW iterable_raw.loaded_edges');
      await old.query(
        `CREATE TABLE iterable_raw.loaded_edges AS
         SELECT 'email_click' AS stream, TIMESTAMPTZ '2026-11-02 00:00:00+00' AS loaded_edge, now() AS updated_at`,
      );
    } finally {
      await old.close();
    }
    const upgraded = await DuckDbWarehouse.open(file);
    try {
      assert.deepEqual(await upgraded.query('SELECT reason FROM iterable_raw.email_send_rejects'), [
        { reason: 'bad send' },
      ]);
      assert.deepEqual(await upgraded.query('SELECT reason FROM iterable_raw.email_open_rejects'), [
        { reason: 'bad open' },
      ]);
      assert.deepEqual(
        await upgraded.query('SELECT stream, reason FROM iterable_raw.rejects ORDER BY stream'),
        [
          { stream: 'email_open', reason: 'bad open' },
          { stream: 'email_send', reason: 'bad send' },
        ],
      );
      assert.deepEqual(await upgraded.query('SELECT stream FROM iterable_raw.loaded_edges'), [
        { stream: 'email_click' },
      ]);
      const kinds = await upgraded.query<{ name: string; kind: string }>(
        `SELECT table_name AS name, table_type AS kind FROM information_schema.tables
         WHERE table_schema = 'iterable_raw' AND table_name IN ('rejects', 'loaded_edges') ORDER BY 1`,
      );
      assert.deepEqual(kinds, [
        { name: 'loaded_edges', kind: 'VIEW' },
        { name: 'rejects', kind: 'VIEW' },
      ]);
    } finally {
      await upgraded.close();
    }
  });
});
