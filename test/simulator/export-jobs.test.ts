import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY, HOUR } from '../../functions/src/time.js';
import { startSimulator } from '../../simulator/server.js';

const FROM = Date.UTC(2026, 9, 1);
const KEY = { 'Api-Key': 'test-key' };

describe("the simulator's export jobs", () => {
  let now = 0;
  let sim: Awaited<ReturnType<typeof startSimulator>>;

  before(async () => {
    sim = await startSimulator({
      seed: 5,
      from: FROM,
      to: FROM + DAY,
      events: 3000,
      apiKey: 'test-key',
      jobRequestsPerSecond: 1_000_000,
      exportJobs: {
        maxFileBytes: 2048,
        filesPageSize: 2,
        runMs: 1000,
        linkTtlMs: 30 * 60_000,
        clock: () => now,
      },
    });
  });
  after(() => sim.close());

  const start = async (hours: number) => {
    const response = await fetch(`${sim.url}/api/export/start`, {
      method: 'POST',
      headers: { ...KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        dataTypeName: 'emailOpen',
        outputFormat: 'application/x-json-stream',
        startDateTime: '2026-10-01 00:00:00',
        endDateTime: `2026-10-01 ${String(hours).padStart(2, '0')}:00:00`,
      }),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { jobId: number }).jobId;
  };
  const files = async (jobId: number, startAfter?: string) => {
    const query = startAfter ? `?startAfter=${startAfter}` : '';
    const response = await fetch(`${sim.url}/api/export/${jobId}/files${query}`, { headers: KEY });
    return (await response.json()) as {
      jobState: string;
      exportTruncated: boolean;
      files: { file: string; url: string }[];
    };
  };

  it('runs four jobs at once, queues the fifth, and completes them on time', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await start(6 + i));
    const states = await Promise.all(ids.map(async (id) => (await files(id)).jobState));
    assert.deepEqual(states, ['Running', 'Running', 'Running', 'Running', 'Enqueued']);
    now += 1000;
    assert.equal((await files(ids[0] as number)).jobState, 'Completed');
    assert.equal((await files(ids[4] as number)).jobState, 'Running');
    now += 1000;
  });

  it('pages the files with startAfter, and the files hold exactly the range', async () => {
    const jobId = await start(12);
    now += 1000;
    const lines: string[] = [];
    let pages = 0;
    for (let after: string | undefined; ; pages++) {
      const page = await files(jobId, after);
      assert.equal(page.jobState, 'Completed');
      if (page.files.length === 0) break;
      for (const f of page.files)
        lines.push(...(await (await fetch(f.url)).text()).split('\n').filter(Boolean));
      after = page.files.at(-1)?.file;
    }
    assert.ok(pages > 2);
    assert.deepEqual(
      lines.sort(),
      sim.truth.lines('email_open', { start: FROM, end: FROM + 12 * HOUR }).sort(),
    );
  });

  it('expires a download link 30 minutes after it was listed; listing again gives a fresh one', async () => {
    const jobId = await start(3);
    now += 1000;
    const [file] = (await files(jobId)).files;
    assert.ok(file);
    assert.equal((await fetch(file.url)).status, 200);
    now += 30 * 60_000;
    assert.equal((await fetch(file.url)).status, 403);
    const fresh = (await files(jobId)).files[0];
    assert.equal((await fetch(fresh?.url ?? '')).status, 200);
  });

  it('a restarted job goes back to enqueued and keeps its progress', async () => {
    const jobId = await start(2);
    now += 600;
    sim.faults.failNext('jobRestart', 1);
    assert.equal((await files(jobId)).jobState, 'Enqueued', 'the poll that found it restarted');
    now += 1;
    assert.equal((await files(jobId)).jobState, 'Running');
    now += 400;
    assert.equal((await files(jobId)).jobState, 'Completed');
  });

  it('a truncated job completes with exportTruncated and only part of its files', async () => {
    sim.faults.failNext('exportTruncated', 1);
    const jobId = await start(12);
    now += 1000;
    const page = await files(jobId);
    assert.equal(page.exportTruncated, true);
  });

  it('cancels a job', async () => {
    const jobId = await start(1);
    const response = await fetch(`${sim.url}/api/export/${jobId}`, { method: 'DELETE', headers: KEY });
    assert.equal(response.status, 200);
    assert.equal((await files(jobId)).jobState, 'Cancelled');
  });
});
