import type { Interval } from '../time.js';

/** A half-open UTC interval `[start, end)` of one stream, in epoch milliseconds: the unit of work. */
export type Window = Interval;

/**
 * `advance` windows move the watermark; `lookback` windows re-read the trailing edge behind it,
 * because Iterable's export is eventually consistent (shared/iterable-api.md); `backfill` windows
 * load an operator's range behind the watermark (`npm run backfill`) and never move it either;
 * `settle` windows re-read a whole UTC day once it has settled (settle.ts), never moving it.
 */
export const WINDOW_KINDS = ['advance', 'lookback', 'backfill', 'settle'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

export interface PlannedWindow extends Window {
  readonly kind: WindowKind;
}

export const windowKey = (w: Window): string => `${w.start}-${w.end}`;

export const formatWindow = (w: Window): string =>
  `[${new Date(w.start).toISOString()}, ${new Date(w.end).toISOString()})`;
