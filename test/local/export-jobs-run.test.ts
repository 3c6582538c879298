import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SharedJobLimiter } from '../../functions/src/iterable/job-limiter.js';
import { workerSource } from '../../functions/src/iterable/job-source.js';
import { NO_PACING } from '../../functions/src/iterable/pacer.js';
import type { LogEntry } from '../../functions/src/log.js';
import { DAY } from '../../functions/src/time.js';
import { startSimulator } from '../../simulator/server.js';
import {
  assertMatchesTruth,
  FROM,
  fastClient,
  run,
  type Simulator,
  tempWarehouse,
} from '../support/pipeline.js';

const RANGE = { from: FROM, to: FROM + 3 * DAY };

describe('a run in jobs mode', () => {
  let sim: Simulator;
  const logs: LogEntry[] = [];
  const settings = () => ({
    exportMode: 'jobs' as const,
    lookbackMs: 0,
    log: (entry: LogEntry) => logs.push(entry),
    jobsQueue: { maxDispatchesPerMinute: 1_000_000 },
  });
  const jobsSource = () =>
    workerSource(fastClient(sim), 'jobs', (entry) => logs.push(entry), {
      limiter: new SharedJobLimiter({ starts: NO_PACING, listings: NO_PACING }),
      jobs: { pollMs: 5, maxPollMs: 20 },
    });

  before(async () => {
    sim = await startSimulator({
      seed: 9,
      from: FROM,
      to: RANGE.to,
      events: 6000,
      apiKey: 'test-key',
      exportsPerMinute: 1_000_000,
      jobRequestsPerSecond: 1_000_000,
      exportJobs: { maxFileBytes: 16 * 1024, filesPageSize: 4, runMs: 20 },
    });
  });
  after(() => sim.close());

  it('loads every export window through a job: rows exactly the simulator’s, none twice on a re-run', async () => {
    const file = tempWarehouse();
    const first = await run(sim, file, RANGE, { iterable: jobsSource(), ...settings() });
    assert.equal(first.queue.failed, 0);
    const jobsAfterFirst = sim.stats.jobs();
    assert.ok(jobsAfterFirst > 0);
    assert.equal(sim.stats.exports, 0, 'no streaming export at all');
    const loaded = logs.filter((l) => typeof l.rows === 'number' && l.via === 'job');
    assert.equal(loaded.length, jobsAfterFirst, 'one job per export window');
    await assertMatchesTruth(sim, file, { start: RANGE.from, end: RANGE.to });

    // The same range read again by new jobs, as a backfill with --reread: each window is replaced whole.
    const again = await run(sim, file, RANGE, {
      iterable: jobsSource(),
      ...settings(),
      backfill: true,
      reread: true,
    });
    assert.equal(again.queue.failed, 0);
    assert.ok(sim.stats.jobs() > jobsAfterFirst, 'the jobs ran again');
    await assertMatchesTruth(sim, file, { start: RANGE.from, end: RANGE.to });
  });
});
