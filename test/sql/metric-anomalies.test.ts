/**
 * The anomaly detector (sql/30–33) on hand-made campaign days whose right answer is computed here
 * independently: the same-weekday median, the MAD pooled over the 8 weeks' deseasonalised
 * residuals, the modified z-score and its 3.5 cut-off, the guardrail ceilings, the minimum
 * denominator, first_detected_at kept across runs, and the 7-day forecast.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DETECTOR_FILES, insertCampaignDays, standInCampaignDays } from '../../bench/anomaly-eval.js';
import { DAY, HOUR } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { readAnomalies } from '../../local/sql/anomalies.js';
import { runModels } from '../../local/sql/models.js';
import type { CampaignDay } from '../../simulator/metric-history.js';

const FIRST = Date.UTC(2026, 0, 5);
const WEEKS = 10;
const LAST = FIRST + (WEEKS * 7 - 1) * DAY;
/** The scheduled run after the last day is loaded. */
const RUN_AT = LAST + DAY + 5 * HOUR;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A steady campaign: sends wobble by a known pattern, rates are fixed shares. */
function steady(campaignId: number, index: number, overrides: Partial<CampaignDay> = {}): CampaignDay {
  const sends = 10_000 + (((index * 37) % 11) - 5) * 60;
  const bounces = Math.round(sends * 0.01) + (index % 3);
  const delivered = sends - bounces;
  return {
    metricOn: day(FIRST + index * DAY),
    campaignId,
    messageTypeName: ['Promotions', 'Newsletter', 'Product Updates'][campaignId - 1] ?? 'Newsletter',
    channelName: 'Marketing Email',
    countSends: sends,
    countBounces: bounces,
    countDelivered: delivered,
    countUniqueHumanOpens: Math.round(delivered * 0.2) + ((index * 13) % 7) * 10,
    countUniqueClicks: Math.round(delivered * 0.03),
    countUniqueUnsubscribes: Math.round(delivered * 0.002),
    countComplaints: 1,
    revenue: delivered * 0.05,
    ...overrides,
  };
}

/** A holiday-like day: every count multiplied, every rate as usual. */
function surge(d: CampaignDay, factor: number): CampaignDay {
  const times = (n: number) => Math.round(n * factor);
  const sends = times(d.countSends);
  const bounces = times(d.countBounces);
  return {
    ...d,
    countSends: sends,
    countBounces: bounces,
    countDelivered: sends - bounces,
    countUniqueHumanOpens: times(d.countUniqueHumanOpens),
    countUniqueClicks: times(d.countUniqueClicks),
    countUniqueUnsubscribes: times(d.countUniqueUnsubscribes),
    countComplaints: times(d.countComplaints),
    revenue: d.revenue * factor,
  };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length / 2;
  return s.length % 2 ? (s[Math.floor(m)] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

describe('anomaly detector on DuckDB', () => {
  let warehouse: DuckDbWarehouse;
  const days: CampaignDay[] = [];
  const lastIndex = WEEKS * 7 - 1;

  before(async () => {
    warehouse = await DuckDbWarehouse.open(':memory:');
    await runModels(warehouse, { now: FIRST });
    await standInCampaignDays(warehouse);
    for (let i = 0; i <= lastIndex; i++) {
      // Campaign 1: sends collapse and bounces spike on the last day.
      days.push(
        i === lastIndex
          ? steady(1, i, { countSends: 4_000, countBounces: 700, countDelivered: 3_300 })
          : steady(1, i),
      );
      // Campaign 2: a surge on the last day (up is not an incident for sends), and a small
      // campaign 3 whose unsubscribe rate jumps on too few deliveries to mean anything.
      days.push(i === lastIndex ? surge(steady(2, i), 2.5) : steady(2, i));
      const small = surge(steady(3, i), 0.03);
      days.push(i === lastIndex ? { ...small, countUniqueUnsubscribes: 40 } : small);
    }
    await insertCampaignDays(warehouse, days);
    await runModels(warehouse, { now: RUN_AT, files: DETECTOR_FILES });
  });
  after(() => warehouse?.close());

  it('scores a drop in sends with the modified z-score of the same weekday', async () => {
    const anomalies = await readAnomalies(warehouse);
    const drop = anomalies.find((a) => a.series === 'campaign:1' && a.metric === 'count_sends');
    assert.ok(
      drop,
      `no count_sends anomaly in ${JSON.stringify(anomalies.map((a) => [a.series, a.metric]))}`,
    );
    const sends = (i: number) =>
      (days.find((d) => d.campaignId === 1 && d.metricOn === day(FIRST + i * DAY)) as CampaignDay).countSends;
    const window = Array.from({ length: 56 }, (_, k) => lastIndex - 56 + k);
    const weekdayMedian = (i: number) => median(window.filter((j) => (j - i) % 7 === 0).map(sends));
    const expected = weekdayMedian(lastIndex);
    const mad = median(window.map((j) => Math.abs(sends(j) - weekdayMedian(j))));
    const scale = Math.max(1.4826 * mad, 0.05 * expected);
    assert.equal(drop.anomalyOn, day(LAST));
    assert.equal(drop.expected, expected);
    assert.ok(Math.abs(drop.score - (4_000 - expected) / scale) < 1e-9);
    assert.ok(Math.abs((drop.lowerBound as number) - (expected - 3.5 * scale)) < 1e-6);
    assert.equal(drop.direction, 'down');
    assert.equal(drop.severity, 'critical');
    assert.equal(drop.kind, 'statistical');
    assert.equal(drop.firstDetectedAt, new Date(RUN_AT).toISOString());
  });

  it('raises the bounce spike both as statistical and against the 5% guardrail', async () => {
    const anomalies = await readAnomalies(warehouse);
    const bounce = anomalies.filter((a) => a.series === 'campaign:1' && a.metric === 'bounce_rate');
    assert.deepEqual(bounce.map((a) => a.kind).sort(), ['guardrail', 'statistical']);
    const guardrail = bounce.find((a) => a.kind === 'guardrail');
    assert.equal(guardrail?.expected, 0.05);
    assert.ok(Math.abs((guardrail?.value ?? 0) - 700 / 4_000) < 1e-12);
    assert.equal(guardrail?.severity, 'critical');
    // The message type holding the campaign moves too.
    assert.ok(anomalies.some((a) => a.series === 'message_type:Promotions' && a.metric === 'bounce_rate'));
  });

  it('stays quiet on a surge, on small samples and on normal days', async () => {
    const anomalies = await readAnomalies(warehouse);
    assert.deepEqual(
      anomalies
        .filter((a) => a.series === 'campaign:2' || a.series === 'message_type:Newsletter')
        .map((a) => [a.series, a.metric, a.value, a.expected, a.score]),
      [],
    );
    assert.deepEqual(
      anomalies.filter((a) => a.series === 'campaign:3' || a.series === 'message_type:Product Updates'),
      [],
    );
    assert.ok(anomalies.every((a) => a.anomalyOn === day(LAST)));
  });

  it('keeps first_detected_at when a later run finds the same anomalies', async () => {
    const before = await readAnomalies(warehouse);
    await runModels(warehouse, { now: RUN_AT + 5 * HOUR, files: DETECTOR_FILES });
    const again = await readAnomalies(warehouse);
    assert.deepEqual(again, before);
  });

  it('forecasts 7 days of every live series with the robust baseline', async () => {
    const rows = await warehouse.query<{ days: bigint; model: string; first: string }>(
      `SELECT COUNT(DISTINCT forecast_on) AS days, ANY_VALUE(model) AS model, CAST(MIN(forecast_on) AS VARCHAR) AS first
       FROM iterable_analytics.metric_forecast WHERE series = 'campaign:2' AND metric = 'count_sends'`,
    );
    assert.equal(Number(rows[0]?.days), 7);
    assert.equal(rows[0]?.model, 'robust_z');
    assert.equal(rows[0]?.first, day(RUN_AT));
  });
});
