/**
 * `npm run status` as text: one row per stream, then the last error of every stream with failed
 * windows, then why counts are missing if they are.
 */
import type { PipelineStatus, StreamStatus } from './status-model.js';
import { textTable } from './text-table.js';

const count = (n: number | null): string => (n === null ? '?' : n.toLocaleString('en-US'));
const instant = (ms: number | null): string =>
  ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `3d 4h`, `2h 15m`, `12m`, `40s`: the largest unit and the next one, enough to judge a lag. */
export function duration(ms: number | null): string {
  if (ms === null) return '-';
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, ms);
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
    if (parts.length === 2 || (parts.length === 1 && n === 0)) break;
  }
  return parts.join(' ') || '0s';
}

const COLUMNS: [string, (s: StreamStatus, now: number) => string][] = [
  ['stream', (s) => s.stream],
  ['watermark', (s) => instant(s.watermark)],
  ['lag', (s) => duration(s.lagMs)],
  ['pending', (s) => count(s.pending)],
  ['running', (s) => count(s.running)],
  ['failed', (s) => count(s.failed)],
  ['rows', (s) => count(s.rows)],
  ['rejects', (s) => count(s.rejects)],
  ['settled until', (s) => instant(s.settledUntil)],
  ['last run', (s, now) => (s.lastRunAt === null ? '-' : `${duration(now - s.lastRunAt)} ago`)],
];

/** Columns holding names and times read left-aligned; counts read right-aligned. */
const LEFT = new Set(['stream', 'watermark', 'settled until', 'last run']);

export function statusReport(status: PipelineStatus, where: string): string {
  const table = textTable({
    header: COLUMNS.map(([name]) => name),
    rows: status.streams.map((s) => COLUMNS.map(([, cell]) => cell(s, status.at))),
    left: new Set(COLUMNS.flatMap(([name], i) => (LEFT.has(name) ? [i] : []))),
  });
  const lines = [`Pipeline status at ${instant(status.at)} (${where})`, '', table];
  const failing = status.streams.filter((s) => s.failed > 0);
  if (failing.length > 0) {
    lines.push('', 'Failed windows (the next run retries them; failed backfill windows, the next backfill):');
    for (const s of failing)
      lines.push(`  ${s.stream}: ${s.failed} failed, last error: ${s.lastError ?? '-'}`);
  }
  if (status.note) lines.push('', `Note: ${status.note}`);
  return lines.join('\n');
}
