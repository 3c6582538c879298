/**
 * Where every export stream is loaded up to: the end of the range Iterable's campaign totals are
 * read for, locally (local/facts.ts) and on GCP (campaign-metrics-plan.ts) alike.
 */
import { STREAMS, type StreamName } from '../catalog.js';

/**
 * The least watermark of the export streams in `watermarks` (the streams the deployment loads);
 * null while one of them has none, or none is given.
 */
export function exportsLoadedUntil(watermarks: ReadonlyMap<StreamName, number | null>): number | null {
  const marks = STREAMS.filter((s) => s.source.kind === 'export' && watermarks.has(s.name)).map(
    (s) => watermarks.get(s.name) ?? null,
  );
  return marks.length === 0 || marks.some((m) => m === null) ? null : Math.min(...(marks as number[]));
}
