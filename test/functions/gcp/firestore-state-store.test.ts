import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Firestore } from '@google-cloud/firestore';
import { FirestoreStateStore } from '../../../functions/src/gcp/firestore-state-store.js';
import { MAX_BACKFILL_WINDOWS } from '../../../functions/src/pipeline/fanout.js';
import {
  applyClaim,
  applyComplete,
  applyFail,
  applyPlan,
  EMPTY_STATE,
  LEDGER_RETENTION_MS,
} from '../../../functions/src/pipeline/ledger.js';
import {
  LEDGER_BUDGET_BYTES,
  MAX_ERROR_CHARS,
  storedBytes,
} from '../../../functions/src/pipeline/ledger-size.js';
import { cutWindows } from '../../../functions/src/pipeline/plan.js';
import type { PlannedWindow } from '../../../functions/src/pipeline/window.js';
import type { StreamState, WindowRecord } from '../../../functions/src/ports.js';
import { DAY, HOUR } from '../../../functions/src/time.js';
import { type FirestoreEmulator, startFirestoreEmulator } from './firestore-emulator.js';

const FROM = Date.UTC(2026, 0, 1);
const LEASE_MS = 30 * 60_000;
const STREAM = 'email_send';

describe('FirestoreStateStore on the Firestore emulator', () => {
  let emulator: FirestoreEmulator;
  const clients: Firestore[] = [];
  let collections = 0;

  /** A client of its own (as each worker instance has), on a collection no other test uses. */
  const stores = (count: number): FirestoreStateStore[] => {
    collections += 1;
    return Array.from({ length: count }, () => {
      const client = new Firestore({ projectId: 'state-store-test' });
      clients.push(client);
      return new FirestoreStateStore(client, `state_${collections}`);
    });
  };

  before(async () => {
    emulator = await startFirestoreEmulator();
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.terminate()));
    await emulator?.stop();
  });

  it('reads a stream it has never seen as the empty state', async () => {
    const [store] = stores(1);
    assert.deepEqual(await store?.read(STREAM), EMPTY_STATE);
  });

  it('keeps what an update wrote, and returns the change’s result', async () => {
    const [store] = stores(1);
    assert.ok(store);
    const windows = cutWindows(FROM, FROM + 3 * HOUR, HOUR, 'advance');
    const planned = await store.update(STREAM, (s) => applyPlan(s, STREAM, windows, FROM, FROM, HOUR));
    assert.equal(planned.length, 3);
    const state = await store.read(STREAM);
    assert.equal(state.watermark, FROM);
    assert.deepEqual(
      state.windows.map((w) => [w.start, w.end, w.status]),
      windows.map((w) => [w.start, w.end, 'pending']),
    );
    const [first] = windows;
    assert.ok(first);
    await store.update(STREAM, (s) => applyClaim(s, STREAM, first, FROM, HOUR));
    await store.update(STREAM, (s) => applyComplete(s, STREAM, first, { rows: 1, rejects: 0 }, 1, FROM));
    assert.deepEqual((await store.read(STREAM)).loaded, [{ start: first.start, end: first.end }]);
  });

  it('lets exactly one of two concurrent claims of one window win', async () => {
    const [a, b] = stores(2);
    assert.ok(a && b);
    const window: PlannedWindow = { start: FROM, end: FROM + HOUR, kind: 'advance' };
    await a.update(STREAM, (s) => applyPlan(s, STREAM, [window], FROM, FROM, HOUR));
    const outcomes = await Promise.all(
      [a, b].map((store) => store.update(STREAM, (s) => applyClaim(s, STREAM, window, FROM + 1, LEASE_MS))),
    );
    assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['busy', 'claimed']);
    const [record] = (await a.read(STREAM)).windows;
    assert.equal(record?.status, 'running');
    assert.equal(record?.attempts, 1, 'only the winning claim counts as an attempt');
  });

  it('never loses a completion or moves the watermark back when windows finish concurrently, out of order', async () => {
    const workers = stores(6);
    const [first] = workers;
    assert.ok(first);
    const windows = cutWindows(FROM, FROM + 6 * HOUR, HOUR, 'advance');
    await first.update(STREAM, (s) => applyPlan(s, STREAM, windows, FROM, FROM, HOUR));
    // The last window completes first: the watermark must wait for the ones before it.
    const last = windows.at(-1);
    assert.ok(last);
    const early = await first.update(STREAM, (s) =>
      applyComplete(s, STREAM, last, { rows: 1, rejects: 0 }, 1, FROM + 1),
    );
    assert.equal(early.watermark, FROM);
    const marks = await Promise.all(
      windows
        .slice(0, -1)
        .map((w, k) =>
          workers[k]?.update(STREAM, (s) =>
            applyComplete(s, STREAM, w, { rows: k, rejects: 0 }, 1, FROM + 2),
          ),
        ),
    );
    for (const state of marks) assert.ok((state?.watermark ?? 0) >= FROM);
    const final = await first.read(STREAM);
    assert.equal(final.watermark, FROM + 6 * HOUR);
    assert.equal(final.windows.filter((w) => w.status === 'done').length, 6);
  });

  it('keeps the worst-case ledger (a full backfill and a week of windows, all failing with long errors) under 1 MiB', async () => {
    const [store] = stores(1);
    assert.ok(store);
    const watermark = FROM + 400 * DAY;
    const longError = `BigQueryError: ${'Query error: Column payload … at [12:34]; '.repeat(40)}`;
    const failing = (w: PlannedWindow, k: number): WindowRecord => ({
      stream: STREAM,
      ...w,
      status: 'failed',
      attempts: 8,
      generation: 3,
      updatedAt: FROM + k,
      leaseUntil: null,
      lastError: `${k} ${longError}`,
      permanent: false,
      cuts: 1,
      pieces: 2,
      rows: null,
      rejects: null,
    });
    const backfill = cutWindows(FROM, FROM + MAX_BACKFILL_WINDOWS * HOUR, HOUR, 'backfill');
    // A week behind the watermark in 15-minute windows, each read as advance and again as lookback.
    const recent = [
      ...cutWindows(watermark - LEDGER_RETENTION_MS, watermark, 15 * 60_000, 'advance'),
      ...cutWindows(watermark - LEDGER_RETENTION_MS, watermark, 15 * 60_000, 'lookback'),
    ];
    const windows = [...backfill, ...recent].map(failing);
    const unbounded: StreamState = { watermark, windows };
    assert.ok(storedBytes(unbounded) > 4 * 1_048_576, 'unbounded, the errors alone are megabytes');

    const last = recent.at(-1);
    assert.ok(last);
    const { state: bounded } = applyFail(
      unbounded,
      STREAM,
      last,
      { error: `${longError} (newest)`, cut: false, pieces: 1 },
      FROM + 10 * DAY,
    );
    assert.ok(storedBytes(bounded) <= LEDGER_BUDGET_BYTES);
    await store.update(STREAM, () => ({ state: bounded, result: null }));
    const stored = await store.read(STREAM);
    assert.equal(stored.windows.length, windows.length, 'no window is dropped');
    const newest = stored.windows.find((w) => w.start === last.start && w.kind === last.kind);
    assert.equal(newest?.lastError?.length, MAX_ERROR_CHARS, 'the newest failure keeps the most');
    assert.ok(newest?.lastError?.startsWith('BigQueryError: Query error'));
  });

  it('refuses a document that is not a stream state, saying how to recover', async () => {
    const [store] = stores(1);
    assert.ok(store);
    const client = clients.at(-1);
    await client?.collection(`state_${collections}`).doc(STREAM).set({ watermark: 'yesterday', windows: [] });
    await assert.rejects(
      store.read(STREAM),
      /state_\d+\/email_send is not \{watermark, windows\[\]\}.*Firestore console/,
    );
  });
});
