/**
 * JSON or CSV: `format` wins, else the Accept header's preference (RFC 9110 §12.5.1: media ranges
 * with q-values, the more specific range first), JSON when nothing says.
 */
import { ApiProblem } from './problem.js';

export type Format = 'json' | 'csv';

const MEDIA: Record<Format, string> = { json: 'application/json', csv: 'text/csv' };

function quality(accept: string, media: string): number {
  const [type] = media.split('/');
  let best = -1;
  let bestQ = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...parameters] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = Number(parameters.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    const specificity = range === media ? 2 : range === `${type}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity > best && Number.isFinite(q)) {
      best = specificity;
      bestQ = q;
    }
  }
  return best < 0 ? 0 : bestQ;
}

export function negotiate(format: Format | undefined, accept: string | undefined): Format {
  if (format !== undefined) return format;
  if (accept === undefined || accept.trim() === '') return 'json';
  const json = quality(accept, MEDIA.json);
  const csv = quality(accept, MEDIA.csv);
  if (json <= 0 && csv <= 0) {
    throw new ApiProblem('not-acceptable', 'ask for application/json or text/csv (or pass format=csv)');
  }
  return csv > json ? 'csv' : 'json';
}
