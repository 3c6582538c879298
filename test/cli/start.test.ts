/**
 * `npm start` as a user runs it: a separate process, configured by environment and flags,
 * judged by its exit code, its one-line errors and the warehouse it leaves.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { DAY } from '../../functions/src/time.js';
import { assertMatchesTruth, FROM, type Simulator, simulator, tempWarehouse } from '../support/pipeline.js';

const exec = promisify(execFile);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function start(args: string[], env: Record<string, string>): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', 'cli/start.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A loopback port nothing listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const WRONG_KEY = 'wrong-key-7f3a9c';
const iso = (ms: number) => new Date(ms).toISOString();

describe('npm start', () => {
  let sim: Simulator;
  before(async () => {
    sim = await simulator({ days: 2, events: 3000 });
  });
  after(async () => {
    await sim.close();
  });
  const against = (key = 'test-key') => ({
    ITERABLE_BASE_URL: sim.url,
    ITERABLE_API_KEY: key,
    ITERABLE_EXPORTS_PER_MINUTE: '100000',
    // The range is months old, so export jobs would read it, at Iterable's own jobs limits (1 start
    // a second): streaming keeps this check of the command quick; jobs runs are test/local's.
    ITERABLE_EXPORT_MODE: 'stream',
  });

  it('loads every record a compatible server returns for the range given', async () => {
    const warehouse = tempWarehouse();
    const range = ['--from', iso(FROM), '--to', iso(FROM + 2 * DAY), '--warehouse', warehouse];
    const outcome = await start(range, against());
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /email_send/);
    assert.match(outcome.stdout, new RegExp(`Warehouse: ${warehouse}`));
    await assertMatchesTruth(sim, warehouse, { start: FROM, end: FROM + 2 * DAY });
  });

  const bad: [string, string[], Record<string, string>, RegExp][] = [
    ['a wrong key', [], { ITERABLE_API_KEY: WRONG_KEY }, /refused the API key.*ITERABLE_REGION/s],
    ['an unknown stream', ['--streams', 'email_send,emails'], {}, /unknown stream emails/],
    ['--from after --to', ['--from', '2026-10-03', '--to', '2026-10-01'], {}, /--from .* is not before --to/],
    ['a base URL with a path', [], { ITERABLE_BASE_URL: 'http://127.0.0.1:1/api' }, /ITERABLE_BASE_URL/],
    ['an unknown region', [], { ITERABLE_REGION: 'APAC' }, /ITERABLE_REGION/],
  ];
  for (const [name, args, env, message] of bad) {
    it(`ends with one clear message and exit 2 on ${name}, touching nothing`, async () => {
      const warehouse = tempWarehouse();
      const outcome = await start([...args, '--warehouse', warehouse], { ...against(), ...env });
      assert.equal(outcome.code, 2, outcome.stderr);
      assert.match(outcome.stderr, message);
      assert.doesNotMatch(outcome.stderr, /\n\s+at /, 'no stack trace for a configuration error');
      assert.ok(!outcome.stderr.includes(WRONG_KEY), 'the key is never printed');
      assert.equal(existsSync(warehouse), false);
    });
  }

  it('says so when the host is unreachable', async () => {
    const port = await closedPort();
    const outcome = await start(['--warehouse', tempWarehouse()], {
      ...against(),
      ITERABLE_BASE_URL: `http://127.0.0.1:${port}`,
    });
    assert.equal(outcome.code, 2);
    assert.match(
      outcome.stderr,
      new RegExp(`cannot reach Iterable at http://127\\.0\\.0\\.1:${port}.*ECONNREFUSED`),
    );
  });
});
