/**
 * GET /v1/anomalies: the rows of `metric_anomalies` (sql/32_metric_anomalies.sql, or BigQuery ML's
 * ARIMA_PLUS with the stack key anomalyDetector = arima_plus), newest day first. Every filter is a
 * closed pattern or an allow-list and travels as a bound parameter; the date range is required
 * (defaulted to the last 30 days) and bounded like the other dated routes, and rows come a page at a time.
 */
import { z } from 'zod';
import { ANOMALY_KINDS, ANOMALY_METRICS } from '../anomalies/anomaly.js';
import type { Statement } from './fact-reader.js';
import { CursorParam, dateRange, FormatParam, FromParam, LimitParam, ToParam } from './params.js';
import { invalidParameters } from './problem.js';
import type { Page } from './queries.js';
import { listRoute } from './route.js';

/** The table both detectors write (sql/32_metric_anomalies.sql states its grain). */
const TABLE = 'metric_anomalies';

/** One row of `metric_anomalies`: a day × series × metric × kind that was anomalous. */
export const AnomalyRow = z
  .object({
    anomaly_on: z.iso.date().meta({ description: 'the anomalous day (UTC)' }),
    series: z.string().meta({ description: '`message_type:<name>`, `channel:<name>` or `campaign:<id>`' }),
    metric: z.enum(ANOMALY_METRICS),
    value: z.number(),
    expected: z
      .number()
      .meta({ description: 'normal for that weekday (statistical) or the ceiling (guardrail)' }),
    lower_bound: z.number().nullable(),
    upper_bound: z.number().nullable(),
    score: z
      .number()
      .meta({ description: 'robust SDs from normal (statistical), multiple of the ceiling (guardrail)' }),
    direction: z.enum(['up', 'down']),
    severity: z.enum(['warning', 'critical']),
    kind: z.enum(ANOMALY_KINDS),
    first_detected_at: z.iso.datetime().meta({ description: 'when a detector run first found it (UTC)' }),
  })
  .meta({ id: 'Anomaly' });

/**
 * A series name as sql/30 writes it: a prefix, a colon, then a message type or channel name
 * (letters, digits, spaces and a little punctuation) or a campaign id. Bound as a value either way;
 * the pattern only turns a typo into a 400 that says what a series looks like.
 */
const SeriesParam = z
  .string()
  .regex(
    /^(message_type|channel|campaign):[\w .&'/()+-]{1,200}$/,
    'use a series like message_type:Promotions, channel:Marketing Email or campaign:123',
  )
  .optional()
  .meta({ description: 'one series, e.g. `message_type:Promotions` or `campaign:123`' });

const query = z.strictObject({
  from: FromParam,
  to: ToParam,
  series: SeriesParam,
  metric: z.enum(ANOMALY_METRICS).optional().meta({ description: 'one metric (a fact column name)' }),
  kind: z.enum(ANOMALY_KINDS).optional().meta({ description: 'statistical or guardrail' }),
  limit: LimitParam,
  cursor: CursorParam,
  format: FormatParam,
});

type AnomalyQuery = {
  readonly from: string;
  readonly to: string;
  readonly series: string | undefined;
  readonly metric: string | undefined;
  readonly kind: string | undefined;
};

/** DATE comes back as different types from the two client libraries; as text it is the same. */
const SELECTED = Object.keys(AnomalyRow.shape).map((column) =>
  column === 'anomaly_on' ? 'CAST(anomaly_on AS STRING) AS anomaly_on' : column,
);

export function anomaliesStatement(q: AnomalyQuery, dataset: string, page: Page): Statement {
  const params: Record<string, string | number> = { from_date: q.from, to_date: q.to };
  const where = ['anomaly_on >= CAST(@from_date AS DATE)', 'anomaly_on < CAST(@to_date AS DATE)'];
  for (const column of ['series', 'metric', 'kind'] as const) {
    const value = q[column];
    if (value === undefined) continue;
    params[column] = value;
    where.push(`${column} = @${column}`);
  }
  params.page_limit = page.limit + 1;
  params.page_offset = page.offset;
  return {
    sql: `SELECT ${SELECTED.join(', ')}
FROM ${dataset}.${TABLE}
WHERE ${where.join(' AND ')}
ORDER BY anomaly_on DESC, series, metric, kind
LIMIT @page_limit OFFSET @page_offset`,
    params,
  };
}

export const anomaliesRoute = listRoute({
  name: 'anomalies',
  path: '/v1/anomalies',
  summary: `Anomalies on email metrics (${TABLE})`,
  description:
    'One row per day × series × metric × kind that was anomalous, newest day first. from/to filter on ' +
    'anomaly_on (default: the last 30 days).',
  query,
  row: AnomalyRow,
  resolve: (p, now): AnomalyQuery => {
    const range = dateRange(p, now);
    if (typeof range === 'string') throw invalidParameters([{ parameter: 'from', message: range }]);
    return { ...range, series: p.series, metric: p.metric, kind: p.kind };
  },
  statement: anomaliesStatement,
});
