/**
 * The forms Iterable writes `createdAt` in (shared/iterable-api.md, "Timestamps"), mixed as they
 * are in real exports so the pipeline's parser meets all of them.
 */
import { formatExportTimestamp } from '../functions/src/iterable/timestamps.js';
import type { Random } from './random.js';

const FORMS: readonly { share: number; write: (ms: number) => string; precision: number }[] = [
  { share: 0.9, write: (ms) => `${formatExportTimestamp(ms)} +00:00`, precision: 1000 },
  { share: 0.05, write: (ms) => `${formatExportTimestamp(ms)} +0000`, precision: 1000 },
  { share: 0.03, write: (ms) => new Date(ms).toISOString(), precision: 1 },
  { share: 0.02, write: (ms) => `${new Date(ms).toISOString().slice(0, 19)}Z`, precision: 1000 },
];

const FIRST_FORM = FORMS[0] as (typeof FORMS)[number];

/** The text of a timestamp and the instant it denotes (forms without milliseconds truncate). */
export function createdAtText(random: Random, at: number): { text: string; ms: number } {
  const draw = random.next();
  let cumulative = 0;
  const form =
    FORMS.find((f) => {
      cumulative += f.share;
      return draw < cumulative;
    }) ?? FIRST_FORM;
  const ms = Math.floor(at / form.precision) * form.precision;
  return { text: form.write(ms), ms };
}
