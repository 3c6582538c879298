/**
 * What a person sees of a local run: live progress per stream while it runs, then a summary table.
 * Both read the window ledger, the same record an operator reads on GCP.
 */
import type { StreamName } from '../functions/src/catalog.js';
import type { StreamState } from '../functions/src/ports.js';

export interface StreamProgress {
  readonly stream: StreamName;
  readonly planned: number;
  readonly done: number;
  readonly failed: number;
  readonly rows: number;
  readonly rejects: number;
  /** Milliseconds from the run's start to the stream's last finished window. */
  readonly elapsedMs: number;
  readonly watermark: number | null;
  readonly lastError: string | null;
}

/** A stream's progress in this run: windows it planned, and what the ledger says of them since. */
export function streamProgress(
  stream: StreamName,
  planned: number,
  state: StreamState,
  startedAt: number,
): StreamProgress {
  const touched = state.windows.filter((w) => w.updatedAt >= startedAt);
  const done = touched.filter((w) => w.status === 'done');
  const failed = touched.filter((w) => w.status === 'failed');
  return {
    stream,
    planned,
    done: done.length,
    failed: failed.length,
    rows: done.reduce((n, w) => n + (w.rows ?? 0), 0),
    rejects: done.reduce((n, w) => n + (w.rejects ?? 0), 0),
    elapsedMs: Math.max(0, ...done.map((w) => w.updatedAt - startedAt)),
    watermark: state.watermark,
    lastError: failed.at(-1)?.lastError ?? null,
  };
}

const count = (n: number): string => n.toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

export function progressLine(p: StreamProgress): string {
  const failed = p.failed > 0 ? `, ${p.failed} failing` : '';
  return `${p.stream.padEnd(26)} ${`${p.done}/${p.planned}`.padStart(9)} windows ${count(p.rows).padStart(11)} rows${failed}`;
}

export function summaryTable(rows: readonly StreamProgress[]): string {
  const header = ['stream', 'windows', 'rows', 'rejects', 'failed', 'time', 'watermark'];
  const body = rows.map((p) => [
    p.stream,
    `${p.done}/${p.planned}`,
    count(p.rows),
    count(p.rejects),
    count(p.failed),
    seconds(p.elapsedMs),
    p.watermark === null ? '-' : new Date(p.watermark).toISOString().replace('.000Z', 'Z'),
  ]);
  const total = [
    'total',
    `${sum(rows, 'done')}/${sum(rows, 'planned')}`,
    count(sum(rows, 'rows')),
    count(sum(rows, 'rejects')),
    count(sum(rows, 'failed')),
    seconds(Math.max(0, ...rows.map((p) => p.elapsedMs))),
    '',
  ];
  const table = [header, ...body, total];
  const widths = header.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i === 0 || i === 6 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line), rule, line(total)].join('\n');
}

function sum(rows: readonly StreamProgress[], key: 'done' | 'planned' | 'rows' | 'rejects' | 'failed'): number {
  return rows.reduce((n, p) => n + p[key], 0);
}
