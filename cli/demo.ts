/**
 * The demo `npm start` runs with no configuration: the built-in Iterable simulator with two weeks
 * of history. Its data is anchored to the UTC day, so runs on the same day see the same history
 * and a second run only adds what "happened" since the first.
 */

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
  apiKey: 'demo-key',
} as const;

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
  });
}
