/**
 * `GET /api/campaigns/metrics`: Iterable's own per-campaign totals as CSV, computed from the same
 * records the exports serve, so a correct pipeline reconciles with zero difference.
 *
 * Definitions (events with `createdAt` in `[startDateTime, endDateTime)`):
 * delivered = sends − bounces; totals count events; uniques count distinct emails; revenue is
 * the sum of attributed purchase totals, written with two decimals (totals are whole cents).
 */
import type { StreamName } from '../functions/src/catalog.js';
import type { Range, RecordStore } from './store.js';

const METRIC_COLUMNS = [
  'Total Email Sends',
  'Total Emails Delivered',
  'Total Emails Bounced',
  'Total Email Opens',
  'Unique Email Opens',
  'Total Email Clicks',
  'Unique Email Clicks',
  'Total Complaints',
  'Total Unsubscribes',
  'Unique Unsubscribes',
  'Total Purchases',
  'Revenue',
] as const;

type Metric = (typeof METRIC_COLUMNS)[number];

interface Tally {
  readonly counts: Map<Metric, number>;
  readonly uniques: Map<Metric, Set<string>>;
  revenueCents: number;
}

/** Which stream feeds which total, and which unique count (by email) it also feeds. */
const SOURCES: readonly { stream: StreamName; total: Metric; unique?: Metric }[] = [
  { stream: 'email_send', total: 'Total Email Sends' },
  { stream: 'email_bounce', total: 'Total Emails Bounced' },
  { stream: 'email_open', total: 'Total Email Opens', unique: 'Unique Email Opens' },
  { stream: 'email_click', total: 'Total Email Clicks', unique: 'Unique Email Clicks' },
  { stream: 'email_complaint', total: 'Total Complaints' },
  { stream: 'email_unsubscribe', total: 'Total Unsubscribes', unique: 'Unique Unsubscribes' },
  { stream: 'purchase', total: 'Total Purchases' },
];

export function campaignMetricsCsv(store: RecordStore, campaignIds: readonly number[], range: Range): string {
  const tallies = new Map<number, Tally>(
    campaignIds.map((id) => [id, { counts: new Map(), uniques: new Map(), revenueCents: 0 }]),
  );
  for (const source of SOURCES) {
    for (const line of store.lines(source.stream, range)) {
      const record = JSON.parse(line) as { campaignId?: number; email?: string; total?: number };
      const tally = record.campaignId === undefined ? undefined : tallies.get(record.campaignId);
      if (!tally) continue;
      tally.counts.set(source.total, (tally.counts.get(source.total) ?? 0) + 1);
      if (source.unique && record.email !== undefined) {
        const seen = tally.uniques.get(source.unique) ?? new Set<string>();
        tally.uniques.set(source.unique, seen.add(record.email.toLowerCase()));
      }
      if (source.stream === 'purchase') tally.revenueCents += Math.round((record.total ?? 0) * 100);
    }
  }
  const rows = [...tallies].map(([id, tally]) => {
    const value = (metric: Metric): string => {
      if (metric === 'Revenue') return (tally.revenueCents / 100).toFixed(2);
      if (metric === 'Total Emails Delivered') {
        return String(
          (tally.counts.get('Total Email Sends') ?? 0) - (tally.counts.get('Total Emails Bounced') ?? 0),
        );
      }
      return String(tally.uniques.get(metric)?.size ?? tally.counts.get(metric) ?? 0);
    };
    return [String(id), ...METRIC_COLUMNS.map(value)].join(',');
  });
  return `${['id', ...METRIC_COLUMNS].join(',')}\n${rows.join('\n')}\n`;
}
