/**
 * Worker: load one window of one stream. Claim it in the ledger, stream it from Iterable through
 * validation into the warehouse (which replaces exactly that interval in one transaction), then
 * mark it done and move the watermark. A failure leaves the window visible as failed in the ledger,
 * for the queue or the next fan-out to retry (a failure no retry can fix is returned, not thrown,
 * so the queue stops retrying it and only the next plan tries again); the raw table holds either the old rows of the window
 * or, for a window loaded in pieces after repeated cuts, the pieces replaced so far — never a half
 * of one piece, and never a row twice.
 */
import { streamByName } from '../catalog.js';
import {
  IterableError,
  IterableRateLimitError,
  IterableTimeoutError,
  IterableTruncatedError,
} from '../iterable/errors.js';
import type { ExportMode } from '../iterable/export-modes.js';
import type { Logger } from '../log.js';
import type { IterableSource, LoadCounts, StateStore, Warehouse } from '../ports.js';
import { exportModeFor } from './export-mode.js';
import { applyClaim, applyComplete, applyFail } from './ledger.js';
import { normaliser, toLoadBatches } from './normalise.js';
import { piecesOf } from './split.js';
import type { ParsedTask } from './task.js';
import { formatWindow, type PlannedWindow } from './window.js';

export interface LoadDeps {
  readonly iterable: IterableSource;
  readonly warehouse: Warehouse;
  readonly state: StateStore;
  readonly now: () => number;
  readonly log: Logger;
}

export interface LoadSettings {
  /**
   * How long a claim holds the window against other attempts. It must outlast the worker's own
   * timeout, so a live attempt is never overtaken; a killed one is retried once it expires.
   */
  readonly leaseMs: number;
  readonly runId: string;
  /** `ITERABLE_EXPORT_MODE` when forced; unset or `null`, each window chooses (`export-mode.ts`). */
  readonly exportMode?: ExportMode | null;
}

export type LoadOutcome =
  | { readonly outcome: 'loaded'; readonly counts: LoadCounts; readonly watermark: number | null }
  | { readonly outcome: 'already-done' }
  | { readonly outcome: 'busy'; readonly leaseUntil: number | null }
  /** Iterable refused the request itself (a bad key, a bad request): repeating it cannot help. */
  | { readonly outcome: 'failed-permanently'; readonly error: string };

export async function loadWindow(
  deps: LoadDeps,
  settings: LoadSettings,
  task: ParsedTask,
): Promise<LoadOutcome> {
  const stream = streamByName(task.stream);
  const window: PlannedWindow = { start: task.start, end: task.end, kind: task.kind };
  const context = {
    stream: task.stream,
    kind: task.kind,
    windowStart: new Date(task.start).toISOString(),
    windowEnd: new Date(task.end).toISOString(),
    runId: settings.runId,
  };
  const claim = await deps.state.update(task.stream, (s) =>
    applyClaim(s, task.stream, window, deps.now(), settings.leaseMs),
  );
  if (claim.outcome === 'done') return { outcome: 'already-done' };
  if (claim.outcome === 'busy') return { outcome: 'busy', leaseUntil: claim.record.leaseUntil };

  const attempt = claim.record.attempts;
  const started = deps.now();
  // Dimensions are read whole; an export window cut off repeatedly is loaded in pieces.
  const pieces = stream.source.kind === 'export' ? piecesOf(window, claim.record.cuts) : [window];
  // Both ways yield the same raw lines into the same validation and the same replace of the piece.
  const viaJob =
    stream.source.kind === 'export' &&
    deps.iterable.jobLines !== undefined &&
    exportModeFor(settings.exportMode ?? null, window, started) === 'jobs';
  try {
    const counts = { rows: 0, rejects: 0 };
    for (const piece of pieces) {
      const lines =
        stream.source.kind === 'dimension'
          ? deps.iterable.dimensionLines(stream.source)
          : viaJob && deps.iterable.jobLines
            ? deps.iterable.jobLines(stream.source, piece)
            : deps.iterable.exportLines(stream.source, piece);
      const loaded = await deps.warehouse.replaceWindow(
        { stream: task.stream, window: piece, runId: settings.runId, loadedAt: started },
        toLoadBatches(lines, normaliser(stream, piece)),
      );
      counts.rows += loaded.rows;
      counts.rejects += loaded.rejects;
    }
    const state = await deps.state.update(task.stream, (s) =>
      applyComplete(s, task.stream, window, counts, pieces.length, deps.now()),
    );
    deps.log({
      severity: counts.rejects > 0 ? 'WARNING' : 'INFO',
      message: `loaded ${task.stream} ${formatWindow(window)}${inPieces(pieces.length)}: ${counts.rows} rows, ${counts.rejects} rejects`,
      ...context,
      rows: counts.rows,
      rejects: counts.rejects,
      pieces: pieces.length,
      via: viaJob ? 'job' : 'stream',
      attempt,
      durationMs: deps.now() - started,
      watermark: state.watermark === null ? null : new Date(state.watermark).toISOString(),
    });
    return { outcome: 'loaded', counts, watermark: state.watermark };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // A body that ended early or a stream that went silent: the symptoms of a window too large.
    const cut = error instanceof IterableTruncatedError || error instanceof IterableTimeoutError;
    const permanent = error instanceof IterableError && !error.retryable;
    const failed = await deps.state.update(task.stream, (s) =>
      applyFail(
        s,
        task.stream,
        window,
        { error: message, cut, pieces: pieces.length, permanent },
        deps.now(),
      ),
    );
    // Waiting for Iterable's export limit is the pace of every long run, not a fault.
    const limited = error instanceof IterableRateLimitError;
    deps.log({
      severity: limited ? 'WARNING' : 'ERROR',
      message: limited
        ? `waiting${error.retryAfterMs === null ? '' : ` ${Math.ceil(error.retryAfterMs / 1000)} s`} for Iterable's export limit: ${task.stream} ${formatWindow(window)} is retried after it`
        : `failed ${permanent ? 'for good ' : ''}${task.stream} ${formatWindow(window)}${inPieces(pieces.length)}: ${message}`,
      ...context,
      attempt,
      cut,
      cuts: failed.cuts,
      pieces: pieces.length,
      permanent,
      durationMs: deps.now() - started,
    });
    if (permanent) return { outcome: 'failed-permanently', error: message };
    throw error;
  }
}

const inPieces = (n: number): string => (n > 1 ? ` in ${n} pieces` : '');
