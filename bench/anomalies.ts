/**
 * Bench section: the anomaly detector's quality on the simulator's labelled history (issue 17's
 * targets): recall per incident kind for incidents of at least 4 robust SDs, precision per kind,
 * false alerts per series per 90 days, and the delay from a day's load to its alert.
 */
import { evaluateDetector, SCHEDULE_HOURS, TARGET_SIZE_SDS } from './anomaly-eval.js';
import { atLeast, atMost, type Figure, figure } from './figure.js';

export interface AnomalySizes {
  readonly days: number;
  readonly campaigns: number;
  readonly incidentsPerKind: number;
  readonly seed: number;
}

export async function measureAnomalies(sizes: AnomalySizes): Promise<Figure[]> {
  const result = await evaluateDetector({
    seed: sizes.seed,
    from: Date.UTC(2026, 0, 5),
    days: sizes.days,
    campaigns: sizes.campaigns,
    incidentsPerKind: sizes.incidentsPerKind,
    sizeSds: [2, 9],
  });
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  const figures: Figure[] = [];
  for (const k of result.kinds) {
    figures.push(
      figure(
        `${k.kind}: recall, incidents >= ${TARGET_SIZE_SDS} SDs (${k.detectedAtTarget}/${k.incidentsAtTarget})`,
        ratio(k.detectedAtTarget, k.incidentsAtTarget),
        '',
        atLeast(0.9),
      ),
      figure(
        `${k.kind}: recall, all sizes 2-9 SDs (${k.detected}/${k.incidents})`,
        ratio(k.detected, k.incidents),
        '',
      ),
      figure(`${k.kind}: precision (${k.trueAlerts}/${k.alerts} alerts)`, ratio(k.trueAlerts, k.alerts), ''),
    );
  }
  const perSeries90 = (n: number) => (n * 90) / result.judgedDays;
  const delays = [...result.delaysHours].sort((a, b) => a - b);
  figures.push(
    figure(
      `false alerts per series per 90 days, after 8 weeks (${result.falseAlerts} on ${result.series} series x ${result.judgedDays} days)`,
      perSeries90(result.falseAlerts / result.series),
      '',
      atMost(1),
    ),
    figure('false alerts per 90 days, worst series', perSeries90(result.worstSeriesFalseAlerts), ''),
    figure(
      'false alerts in the first 8 weeks (4 to 7 weeks of baseline), all series',
      result.warmUpFalseAlerts,
      '',
    ),
    figure('delay from load to alert, worst', delays.at(-1) ?? 0, 'h', atMost(SCHEDULE_HOURS)),
    figure('guardrail alerts (rates stay under the ceilings here)', result.guardrailAlerts, ''),
    figure(`detector runs (one per loaded day of ${sizes.days})`, result.runs, ''),
    figure('time per run', result.ms / result.runs, 'ms'),
  );
  return figures;
}
