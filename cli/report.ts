/**
 * What a person sees of a local run: a progress line per stream while it runs, then a summary
 * table with each stream's watermark.
 */
import { anomalyMessage, anomalySince } from '../functions/src/anomalies/anomaly.js';
import type { StreamName } from '../functions/src/catalog.js';
import type { FactBuild } from '../local/facts.js';
import type { StreamTally } from '../local/run-tally.js';
import { textTable } from './text-table.js';

export interface StreamSummary extends StreamTally {
  readonly watermark: number | null;
  /**
   * Rows the raw table gained. Fewer than the rows read when a window is read again (the lookback,
   * a retry): its replace swaps rows for the same ones. A snapshot's may be negative.
   */
  readonly newRows: number;
}

const count = (n: number): string => n.toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

export function progressLine(p: StreamTally): string {
  const failed = p.failed > 0 ? `, ${p.failed} failed` : '';
  return `${p.stream.padEnd(26)} ${`${p.done}/${p.planned}`.padStart(9)} windows ${count(p.rows).padStart(11)} rows${failed}`;
}

export function summaryTable(rows: readonly StreamSummary[]): string {
  const header = ['stream', 'windows', 'rows read', 'new rows', 'rejects', 'failed', 'time', 'watermark'];
  const body = rows.map((p) => [
    p.stream,
    `${p.done}/${p.planned}`,
    count(p.rows),
    count(p.newRows),
    count(p.rejects),
    count(p.failed),
    seconds(p.elapsedMs),
    p.watermark === null ? '-' : new Date(p.watermark).toISOString().replace('.000Z', 'Z'),
  ]);
  const total = [
    'total',
    `${sum(rows, 'done')}/${sum(rows, 'planned')}`,
    count(sum(rows, 'rows')),
    count(sum(rows, 'newRows')),
    count(sum(rows, 'rejects')),
    count(sum(rows, 'failed')),
    seconds(Math.max(0, ...rows.map((p) => p.elapsedMs))),
    '',
  ];
  return textTable({ header, rows: body, left: new Set([0, 7]), footer: [total] });
}

/** The tallies with each stream's watermark and the rows its table gained between two counts. */
export function withWatermarks(
  tallies: readonly StreamTally[],
  watermarks: ReadonlyMap<StreamName, number | null>,
  rowsBefore: ReadonlyMap<string, number>,
  rowsAfter: ReadonlyMap<string, number>,
): StreamSummary[] {
  return tallies.map((t) => ({
    ...t,
    watermark: watermarks.get(t.stream) ?? null,
    newRows: (rowsAfter.get(t.stream) ?? 0) - (rowsBefore.get(t.stream) ?? 0),
  }));
}

function sum(
  rows: readonly StreamSummary[],
  key: 'done' | 'planned' | 'rows' | 'newRows' | 'rejects' | 'failed',
): number {
  return rows.reduce((n, p) => n + p[key], 0);
}

const percent = (rate: number | null): string => (rate === null ? '-' : `${(rate * 100).toFixed(1)}%`);

/** The fact build: time per model, the top campaigns, and how many reconcile with Iterable. */
export function factsReport(facts: FactBuild): string {
  const ms = facts.models.reduce((n, m) => n + m.ms, 0);
  const lines = [`Fact tables built: ${facts.models.length} models in ${seconds(ms)}`, ''];
  const rebuilt = facts.models.flatMap((m) => m.rebuilt);
  if (rebuilt.length > 0) {
    lines.splice(
      1,
      0,
      `Rebuilt from the raw tables, as their columns changed in this version: ${rebuilt.join(', ')}`,
    );
  }
  if (facts.campaigns.length > 0) {
    const rows = facts.campaigns.map((c) => [
      `${c.campaign_name ?? '(unnamed)'} (${c.campaign_id})`.slice(0, 40),
      count(Number(c.count_sends)),
      percent(c.open_rate),
      percent(c.click_rate),
    ]);
    lines.push(
      textTable({ header: ['campaign', 'sends', 'open rate', 'click rate'], rows, left: new Set([0]) }),
      '',
    );
  }
  const r = facts.reconciliation;
  if (r) {
    lines.push(
      `Reconciliation with Iterable's campaign metrics: ${r.reconciled} of ${r.campaigns} campaigns match exactly`,
    );
    for (const m of r.mismatches)
      lines.push(`  campaign ${m.campaign_id} ${m.metric}: ours ${m.ours}, Iterable ${m.theirs ?? '-'}`);
  } else {
    lines.push(
      `Reconciliation skipped: ${facts.metricsError ?? 'nothing is loaded across every stream yet'}`,
    );
  }
  lines.push('', anomaliesReport(facts));
  return lines.join('\n');
}

/** The anomalies this build found first, as the notifier words them (no report link locally). */
function anomaliesReport(facts: FactBuild): string {
  if (facts.newAnomalies.length === 0) {
    return `No new anomalies (${facts.anomalies.length} known in metric_anomalies)`;
  }
  return [
    `New anomalies: ${facts.newAnomalies.length}`,
    ...facts.newAnomalies.map((a) => `  ${anomalyMessage(a, anomalySince(a, facts.anomalies), null)}`),
  ].join('\n');
}
