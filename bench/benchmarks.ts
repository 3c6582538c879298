/**
 * Every measurement of the benchmark, run one after the other in one process so the figures are
 * comparable, at the sizes given: the issues' (`FULL_SIZES`) or tiny ones for the smoke test.
 */

import { type AnomalySizes, measureAnomalies } from './anomalies.js';
import { type ApiSizes, measureApi } from './api.js';
import { type BundleSizes, measureBundle } from './bundle.js';
import { type EndToEndSizes, measureEndToEnd } from './end-to-end.js';
import { type FactSizes, measureFacts } from './facts.js';
import type { Figure } from './figure.js';
import { type IncrementalFactSizes, measureIncrementalFacts } from './incremental-facts.js';
import { type LiveSizes, measureLive } from './live.js';
import { type MemorySizes, measureMemory } from './memory.js';
import { measureTransform, type TransformSizes } from './transform.js';
import { measureWindows, type WindowSizes } from './windows.js';

export interface BenchSizes {
  readonly transform: TransformSizes;
  readonly endToEnd: EndToEndSizes;
  readonly memory: MemorySizes;
  readonly bundle: BundleSizes;
  readonly facts: FactSizes;
  readonly live: LiveSizes;
  readonly windows: WindowSizes;
  readonly incrementalFacts: IncrementalFactSizes;
  readonly api: ApiSizes;
  readonly anomalies: AnomalySizes;
}

/** The sizes issue 6 names. */
export const FULL_SIZES: BenchSizes = {
  transform: { records: 200_000, rounds: 5 },
  endToEnd: { events: 1_000_000, days: 7, concurrency: 4 },
  memory: { windows: [100_000, 1_000_000, 3_000_000] },
  bundle: { imports: 5 },
  facts: { baseEvents: 250_000, warehouses: [1_000_000, 5_000_000] },
  live: { webhooks: 50_000, connections: 64, visible: { events: 3_000, perSecond: 500, pollMs: 100 } },
  windows: {
    backfillDays: 365,
    demoEventsPerDay: 10_000,
    busyEventsPerDay: 1_000_000,
    historyDays: 7,
    simulatedDays: 90,
  },
  incrementalFacts: { weeklyEvents: 100_000, shortWeeks: 4, longWeeks: 26, rounds: 3 },
  api: {
    baseEvents: 250_000,
    events: 5_000_000,
    cachedRequests: 20_000,
    uncachedRequests: 180,
    concurrency: 16,
  },
  anomalies: { days: 130, campaigns: 12, incidentsPerKind: 20, seed: 1 },
};

export const SMOKE_SIZES: BenchSizes = {
  transform: { records: 2_000, rounds: 1 },
  endToEnd: { events: 2_000, days: 2, concurrency: 2 },
  memory: { windows: [1_000] },
  bundle: { imports: 1 },
  facts: { baseEvents: 2_000, warehouses: [2_000] },
  live: { webhooks: 600, connections: 4, visible: { events: 50, perSecond: 200, pollMs: 20 } },
  windows: {
    backfillDays: 10,
    demoEventsPerDay: 1_000,
    busyEventsPerDay: 100_000,
    historyDays: 1,
    simulatedDays: 3,
  },
  incrementalFacts: { weeklyEvents: 1_000, shortWeeks: 1, longWeeks: 2, rounds: 1 },
  api: { baseEvents: 2_000, events: 2_000, cachedRequests: 50, uncachedRequests: 9, concurrency: 2 },
  anomalies: { days: 77, campaigns: 3, incidentsPerKind: 1, seed: 1 },
};

export interface Section {
  readonly title: string;
  readonly figures: readonly Figure[];
}

/**
 * Runs the measurements in order, handing each section over as soon as it is measured; `only`
 * picks some by number (1–10), to re-measure one part without the others' minutes.
 */
export async function runBenchmarks(
  sizes: BenchSizes,
  onSection: (s: Section) => void = () => {},
  only: readonly number[] = [],
): Promise<Section[]> {
  const measurements: [string, () => Promise<Figure[]>][] = [
    ['1. Worker transform throughput', () => measureTransform(sizes.transform)],
    ['2. End to end', () => measureEndToEnd(sizes.endToEnd)],
    ['3. Worker memory, one window', () => measureMemory(sizes.memory)],
    ['4. Deployed bundle', () => measureBundle(sizes.bundle)],
    ['5. Fact build on DuckDB', () => measureFacts(sizes.facts)],
    ['6. Live webhooks', () => measureLive(sizes.live)],
    ['7. Windows sized by density: backfill plans', () => measureWindows(sizes.windows)],
    ['8. Incremental fact build as history grows', () => measureIncrementalFacts(sizes.incrementalFacts)],
    ['9. Analytics API', () => measureApi(sizes.api)],
    ['10. Anomaly detection on a labelled history', () => measureAnomalies(sizes.anomalies)],
  ];
  const sections: Section[] = [];
  for (const [k, [title, measure]] of measurements.entries()) {
    if (only.length > 0 && !only.includes(k + 1)) continue;
    const section = { title, figures: await measure() };
    sections.push(section);
    onSection(section);
  }
  return sections;
}
