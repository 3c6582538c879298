/**
 * Where a load's time goes, measured by timing spans around the stages the worker already has:
 *   read       inside the Iterable source's iterator (waiting for the body, splitting lines);
 *   transform  inside the load batches' iterator, minus the read inside it (parse, validate, normalise);
 *   write      inside `replaceWindow` but outside its batches (appending, the replacing transaction).
 * Loads run side by side, so the spans of different windows overlap: they add up to more than the
 * wall time, and their shares say where the worker's time goes, not how long anyone waited.
 */
import type { IterableSource, LoadBatch, Warehouse } from '../functions/src/ports.js';

export interface Spans {
  readMs: number;
  batchesMs: number;
  loadMs: number;
  rows: number;
}

export const emptySpans = (): Spans => ({ readMs: 0, batchesMs: 0, loadMs: 0, rows: 0 });

/** Iterates `items`, adding the time spent inside its `next()` to `add`. */
async function* timed<T>(items: AsyncIterable<T>, add: (ms: number) => void): AsyncIterable<T> {
  const iterator = items[Symbol.asyncIterator]();
  for (;;) {
    const started = performance.now();
    const step = await iterator.next();
    add(performance.now() - started);
    if (step.done) return;
    yield step.value;
  }
}

export function timedSource(source: IterableSource, spans: Spans): IterableSource {
  const add = (ms: number) => {
    spans.readMs += ms;
  };
  return {
    exportLines: (s, window, signal) => timed(source.exportLines(s, window, signal), add),
    dimensionLines: (s, signal) => timed(source.dimensionLines(s, signal), add),
  };
}

export function timedWarehouse(warehouse: Warehouse, spans: Spans): Warehouse {
  const add = (ms: number) => {
    spans.batchesMs += ms;
  };
  return {
    async replaceWindow(load, batches: AsyncIterable<LoadBatch>) {
      const started = performance.now();
      try {
        const counts = await warehouse.replaceWindow(load, timed(batches, add));
        spans.rows += counts.rows;
        return counts;
      } finally {
        spans.loadMs += performance.now() - started;
      }
    },
    close: () => warehouse.close(),
  };
}

/** The three stages' span sums, in milliseconds. */
export const stages = (s: Spans) => ({
  read: s.readMs,
  transform: s.batchesMs - s.readMs,
  write: s.loadMs - s.batchesMs,
});
