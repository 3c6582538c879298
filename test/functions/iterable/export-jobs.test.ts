import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { IterableClient } from '../../../functions/src/iterable/client.js';
import { IterableTimeoutError } from '../../../functions/src/iterable/errors.js';
import { ExportJobsClient } from '../../../functions/src/iterable/export-jobs.js';
import { SharedJobLimiter } from '../../../functions/src/iterable/job-limiter.js';
import { NO_PACING } from '../../../functions/src/iterable/pacer.js';
import { DAY } from '../../../functions/src/time.js';
import type { ExportJobOptions } from '../../../simulator/export-jobs.js';
import { type SimulatorOptions, startSimulator } from '../../../simulator/server.js';
import { FROM } from '../../support/pipeline.js';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

const SEND = { kind: 'export', dataTypeName: 'emailSend', windowField: 'createdAt' } as const;
const WINDOW = { start: FROM, end: FROM + DAY };

/**
 * The jobs run on a virtual clock that only the client's waits move, so a job's states follow
 * the polls exactly: started Running, completed after `runMs` of polling.
 */
function virtualTime() {
  let now = 0;
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

async function jobsSimulator(
  time: ReturnType<typeof virtualTime>,
  jobs: Partial<ExportJobOptions> = {},
  extra: Partial<SimulatorOptions> = {},
): Promise<Simulator> {
  return startSimulator({
    seed: 11,
    from: FROM,
    to: FROM + 2 * DAY,
    events: 4000,
    apiKey: 'test-key',
    exportsPerMinute: 1_000_000,
    jobRequestsPerSecond: 1_000_000,
    exportJobs: { maxFileBytes: 4096, filesPageSize: 3, runMs: 1000, clock: time.clock, ...jobs },
    ...extra,
  });
}

function jobsClient(
  sim: Simulator,
  time: ReturnType<typeof virtualTime>,
  maxWaitMs?: number,
): ExportJobsClient {
  const client = new IterableClient({
    baseUrl: sim.url,
    apiKey: 'test-key',
    // A 429's Retry-After (1 s) is honoured, not given up on.
    retry: { retries: 5, minDelayMs: 1, maxDelayMs: 1000 },
  });
  const limiter = new SharedJobLimiter({ starts: NO_PACING, listings: NO_PACING });
  return new ExportJobsClient(client, limiter, {
    pollMs: 100,
    maxPollMs: 400,
    sleep: time.sleep,
    now: time.clock,
    ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
  });
}

async function collect(lines: AsyncIterable<string[]>): Promise<string[]> {
  const all: string[] = [];
  for await (const batch of lines) all.push(...batch);
  return all.sort();
}

describe('the export jobs client against the simulator', () => {
  const time = virtualTime();
  let sim: Simulator;
  let truth: string[];

  before(async () => {
    sim = await jobsSimulator(time);
    truth = sim.truth.lines('email_send', WINDOW).sort();
    // Many 4 KB files, three a page: the listing must page several times.
    assert.ok(truth.join('\n').length > 4096 * 3 * 3, 'the window spans several pages of files');
  });
  after(() => sim.close());
  afterEach(() => sim.faults.clear());

  it('reads exactly the records the streaming export holds, through many files and pages', async () => {
    const client = jobsClient(sim, time);
    assert.deepEqual(await collect(client.lines(SEND, WINDOW)), truth);
    assert.equal(client.started, 1);
  });

  it('lists the files again when download links have expired', async () => {
    sim.faults.failNext('expiredLink', 3);
    const before = sim.stats.faults.expiredLink;
    assert.deepEqual(await collect(jobsClient(sim, time).lines(SEND, WINDOW)), truth);
    assert.equal(sim.stats.faults.expiredLink - before, 3);
  });

  it('halves the range when the job comes back truncated, and keeps none of the truncated output', async () => {
    sim.faults.failNext('exportTruncated', 1);
    const client = jobsClient(sim, time);
    assert.deepEqual(await collect(client.lines(SEND, WINDOW)), truth);
    assert.equal(client.started, 3, 'the truncated job, then one per half');
  });

  it('spends one wait budget on every job of a range, so an attempt cannot outlast it', async () => {
    // Each job runs 1 s: the truncated job and the halves each fit 2 s, the three together do not.
    sim.faults.failNext('exportTruncated', 1);
    await assert.rejects(collect(jobsClient(sim, time, 2000).lines(SEND, WINDOW)), IterableTimeoutError);
    sim.faults.failNext('exportTruncated', 1);
    assert.deepEqual(await collect(jobsClient(sim, time, 4000).lines(SEND, WINDOW)), truth);
  });

  it('keeps waiting when a running job goes back to enqueued after a restart', async () => {
    sim.faults.failNext('jobRestart', 2);
    const before = sim.stats.faults.jobRestart;
    const client = jobsClient(sim, time);
    assert.deepEqual(await collect(client.lines(SEND, WINDOW)), truth);
    assert.equal(sim.stats.faults.jobRestart - before, 2);
    assert.equal(client.started, 1, 'a restart is no failure: nothing is started again');
  });

  it('starts a failed job again', async () => {
    sim.faults.failNext('jobFailed', 1);
    const client = jobsClient(sim, time);
    assert.deepEqual(await collect(client.lines(SEND, WINDOW)), truth);
    assert.equal(client.started, 2);
  });

  it('retries the jobs endpoints through 429s and 500s', async () => {
    sim.faults.failNext('rateLimitBurst', 2);
    sim.faults.failNext('serverError', 2);
    assert.deepEqual(await collect(jobsClient(sim, time).lines(SEND, WINDOW)), truth);
  });
});

describe('the export jobs client at the 100 GB cap', () => {
  it('halves the range until every job fits under the cap', async () => {
    const time = virtualTime();
    // A cap a fraction of the window's output: only a few halvings get each job under it.
    const sim = await jobsSimulator(time, { maxExportBytes: 30_000 });
    try {
      const truth = sim.truth.lines('email_send', WINDOW).sort();
      assert.ok(truth.join('\n').length > 60_000, 'the whole window is over the cap');
      const client = jobsClient(sim, time);
      assert.deepEqual(await collect(client.lines(SEND, WINDOW)), truth);
      assert.ok(client.started >= 5, `halved more than once (${client.started} jobs)`);
    } finally {
      await sim.close();
    }
  });
});

describe('the shared job limiter', () => {
  it('holds at most four jobs at once, and lets the next one go when one is released', async () => {
    const limiter = new SharedJobLimiter({ starts: NO_PACING, listings: NO_PACING });
    const releases = await Promise.all([0, 1, 2, 3].map(() => limiter.acquire()));
    let fifth = false;
    const waiting = limiter.acquire().then((release) => {
      fifth = true;
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(fifth, false);
    assert.equal(limiter.held, 4);
    releases[0]?.();
    (await waiting)();
    assert.equal(fifth, true);
    for (const release of releases) release();
    assert.equal(limiter.held, 0);
  });
});
