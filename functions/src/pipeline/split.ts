/**
 * Splitting a window whose export keeps getting cut off. Iterable drops large exports mid-stream
 * (shared/iterable-api.md, "large windows get cut off"); peers halve such a window (Airbyte,
 * Estuary). A first cut may be bad luck, so it is simply retried; from the second cut on the window
 * is loaded in 2, then 4, 8 … pieces, each replaced on its own, down to a floor.
 */
import type { Window } from './window.js';

/** No piece is shorter than this: a minute that still cannot be exported is a real outage. */
export const MIN_PIECE_MS = 60_000;

/** Cuts tolerated before a window is split for the first time. */
const CUTS_BEFORE_SPLIT = 1;

/**
 * The pieces a window is loaded in after `cuts` cuts: halved once per cut beyond the first, each
 * boundary on a whole second (Iterable's export takes `yyyy-MM-dd HH:mm:ss`), and never below
 * the floor.
 */
export function piecesOf(window: Window, cuts: number): Window[] {
  let pieces: Window[] = [window];
  for (let depth = cuts - CUTS_BEFORE_SPLIT; depth > 0; depth--) {
    const next = pieces.flatMap(halve);
    if (next.length === pieces.length) break;
    pieces = next;
  }
  return pieces;
}

function halve(w: Window): Window[] {
  if (w.end - w.start < 2 * MIN_PIECE_MS) return [w];
  const mid = Math.floor((w.start + (w.end - w.start) / 2) / 1000) * 1000;
  return [
    { start: w.start, end: mid },
    { start: mid, end: w.end },
  ];
}
