/**
 * The chaos run at test size, and the key-leak check on top of it: with every fault injected, the
 * raw tables hold each record exactly once, and the Iterable key appears in no log line, task
 * payload, worker answer, ledger entry, raw row or reject.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isClean, runChaos } from '../../cli/chaos-run.js';
import { REJECTS_VIEW, rawTableName, STREAMS } from '../../functions/src/catalog.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { stateFileOf } from '../../local/run.js';
import { FAULT_KINDS, FAULTS, type FaultKind, type Route } from '../../simulator/faults.js';
import { tempWarehouse } from '../support/pipeline.js';

const KEY = 'LEAK-CANARY-7d3f0b9e';
const JOB_ROUTES: readonly Route[] = ['jobStart', 'jobFiles', 'download'];
const hits = (kind: FaultKind, routes: (r: Route) => boolean) =>
  (FAULTS[kind].on as readonly Route[]).some(routes);
/** Faults a streaming run meets (every one but the jobs' own), and those only jobs meet. */
const STREAM_FAULTS = FAULT_KINDS.filter((k) => hits(k, (r) => !JOB_ROUTES.includes(r)));
const JOB_FAULTS = FAULT_KINDS.filter((k) => !STREAM_FAULTS.includes(k));

describe('the chaos run', () => {
  it('loads every record exactly once with every fault injected, and never leaks the key', async () => {
    const captured: string[] = [];
    const warehouseFile = tempWarehouse();
    const report = await runChaos({
      seed: 7,
      days: 1,
      events: 5000,
      apiKey: KEY,
      warehouseFile,
      onLog: (entry) => captured.push(JSON.stringify(entry)),
      onQueueEvent: (event) => captured.push(JSON.stringify(event)),
    });

    for (const kind of STREAM_FAULTS) assert.ok(report.faults[kind] > 0, `${kind} was injected`);
    assert.ok(report.lateRecords > 0, 'some records arrived late');
    assert.ok(
      report.landedBySettle > 0,
      'some arrived after every lookback, and the settle pass loaded them',
    );
    assert.ok(report.rejects.length > 0, 'the injected bad lines were rejected');
    assert.ok(
      isClean(report),
      JSON.stringify(report.streams.filter((s) => s.missing || s.duplicates || s.unexpected)),
    );

    captured.push(readFileSync(stateFileOf(warehouseFile), 'utf8'));
    const warehouse = await DuckDbWarehouse.open(warehouseFile);
    try {
      for (const table of [...STREAMS.map((s) => rawTableName(s.name)), REJECTS_VIEW]) {
        const rows = await warehouse.query<{ row: string }>(
          `select cast(t as varchar) as row from iterable_raw.${table} t`,
        );
        captured.push(...rows.map((r) => r.row));
      }
    } finally {
      await warehouse.close();
    }
    assert.ok(captured.length > 1000, 'the check looked at everything the run wrote');
    const leaks = captured.filter((text) => text.includes(KEY));
    assert.deepEqual(leaks, [], 'the key appears nowhere');
  });

  it('through export jobs: every record exactly once with the jobs faults injected', async () => {
    const report = await runChaos({ seed: 7, days: 1, events: 5000, apiKey: KEY, mode: 'jobs' });
    assert.deepEqual(JOB_FAULTS.sort(), ['expiredLink', 'exportTruncated', 'jobFailed', 'jobRestart']);
    for (const kind of JOB_FAULTS) assert.ok(report.faults[kind] > 0, `${kind} was injected`);
    assert.equal(report.exports, 0, 'no window streamed');
    assert.ok(report.jobs > 0);
    assert.ok(
      isClean(report),
      JSON.stringify(report.streams.filter((s) => s.missing || s.duplicates || s.unexpected)),
    );
  });
});
