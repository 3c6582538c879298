/**
 * The demo `npm start` runs with no configuration: the built-in Iterable simulator with two weeks
 * of history. Its data is anchored to the UTC day, so runs on the same day see the same history
 * and a second run only adds what "happened" since the first.
 */

import { SharedJobLimiter } from '../functions/src/iterable/job-limiter.js';
import { IntervalPacer } from '../functions/src/iterable/pacer.js';
import { DAY } from '../functions/src/time.js';
import { type Simulator, startSimulator } from '../simulator/server.js';

export const DEMO = {
  seed: 20_261_122,
  days: 14,
  /** Events over the whole simulated range; the loaded part (up to now − lag) is most of it. */
  events: 150_000,
  /**
   * The simulator is ours, so the demo paces exports far above Iterable's 4/min; the pacing code
   * path is the same one a real key uses.
   */
  exportsPerMinute: 6000,
  /** Likewise export jobs: starts and listings per second, far above Iterable's 1 a second. */
  jobRequestsPerSecond: 100,
  apiKey: 'demo-key',
} as const;

/**
 * The export jobs settings of a demo run, paced at the demo simulator's jobs limits: the worker's
 * source options and the jobs queue's pace. A real key gets Iterable's (`workerSource` defaults).
 */
export function demoJobs() {
  const interval = 1000 / DEMO.jobRequestsPerSecond;
  return {
    source: {
      limiter: new SharedJobLimiter({
        starts: new IntervalPacer(interval),
        listings: new IntervalPacer(interval),
      }),
      jobs: { pollMs: 50 },
    },
    queue: { maxDispatchesPerMinute: 60 * DEMO.jobRequestsPerSecond },
  };
}

export function demoRange(now: number): { from: number; to: number } {
  const today = Math.floor(now / DAY) * DAY;
  return { from: today - DEMO.days * DAY, to: today + DAY };
}

/** The demo's simulator: the same seeded history for every command run on the same day. */
export function startDemoSimulator(now: number): Promise<Simulator> {
  const range = demoRange(now);
  return startSimulator({
    seed: DEMO.seed,
    from: range.from,
    to: range.to,
    events: DEMO.events,
    apiKey: DEMO.apiKey,
    exportsPerMinute: DEMO.exportsPerMinute,
    jobRequestsPerSecond: DEMO.jobRequestsPerSecond,
  });
}
