import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IterableClient } from '../../../functions/src/iterable/client.js';
import { SharedJobLimiter } from '../../../functions/src/iterable/job-limiter.js';
import { JobModeSource, workerSource } from '../../../functions/src/iterable/job-source.js';
import { NO_PACING } from '../../../functions/src/iterable/pacer.js';
import type { LogEntry } from '../../../functions/src/log.js';
import { DAY, HOUR } from '../../../functions/src/time.js';
import type { JobsAccess } from '../../../simulator/job-routes.js';
import { startSimulator } from '../../../simulator/server.js';
import { FROM } from '../../support/pipeline.js';

const SEND = { kind: 'export', dataTypeName: 'emailSend', windowField: 'createdAt' } as const;
const WINDOWS = [
  { start: FROM, end: FROM + 12 * HOUR },
  { start: FROM + 12 * HOUR, end: FROM + DAY },
];

async function collect(lines: AsyncIterable<string[]>): Promise<string[]> {
  const all: string[] = [];
  for await (const batch of lines) all.push(...batch);
  return all.sort();
}

describe('export jobs without access fall back to streaming exports', () => {
  for (const access of [401, 403, 404] as const satisfies readonly JobsAccess[]) {
    it(`jobs endpoints answering ${access}: every window streams, with one WARNING`, async () => {
      const sim = await startSimulator({
        seed: 3,
        from: FROM,
        to: FROM + DAY,
        events: 2000,
        apiKey: 'test-key',
        exportsPerMinute: 1_000_000,
        jobRequestsPerSecond: 1_000_000,
        jobsAccess: access,
      });
      try {
        const logs: LogEntry[] = [];
        const client = new IterableClient({ baseUrl: sim.url, apiKey: 'test-key', retry: { retries: 0 } });
        const source = workerSource(client, null, (entry) => logs.push(entry), {
          limiter: new SharedJobLimiter({ starts: NO_PACING, listings: NO_PACING }),
        });
        assert.ok(source instanceof JobModeSource);
        // Two windows at once, then one more: the warning is said once, not per window.
        const first = await Promise.all(WINDOWS.map((w) => collect(source.jobLines(SEND, w))));
        const again = await collect(source.jobLines(SEND, WINDOWS[0] as (typeof WINDOWS)[0]));
        for (const [i, w] of WINDOWS.entries())
          assert.deepEqual(first[i], sim.truth.lines('email_send', w).sort());
        assert.deepEqual(again, first[0]);
        assert.equal(source.streamingOnly, true);
        assert.equal(sim.stats.jobs(), 0);
        assert.equal(sim.stats.exports, 3);
        const warnings = logs.filter((l) => l.severity === 'WARNING');
        assert.equal(warnings.length, 1);
        assert.equal(warnings[0]?.status, access);
        assert.doesNotMatch(JSON.stringify(logs), /test-key/);
      } finally {
        await sim.close();
      }
    });
  }

  it('streaming forced: the plain client, no jobs at all', async () => {
    const client = new IterableClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k' });
    assert.equal(
      workerSource(client, 'stream', () => {}),
      client,
    );
  });
});
