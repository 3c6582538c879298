/**
 * What `npm start` and `npm run status` do with a warehouse they cannot use as it is: another
 * project's, a directory, a damaged file, a damaged ledger, one held by another process. Each
 * ends with exit code 2 and one message naming the file, no stack trace, nothing written.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { DAY } from '../../functions/src/time.js';
import { FROM, type Simulator, simulator, tempWarehouse } from '../support/pipeline.js';

const exec = promisify(execFile);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function command(script: string, args: string[], env: Record<string, string>): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A process holding DuckDB's lock on `file`, as a running `npm start` does; ready once it says so. */
async function holdLock(file: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { DuckDBInstance } from '@duckdb/node-api';
       await DuckDBInstance.create(${JSON.stringify(file)});
       process.stdout.write('ready\\n');
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  return child;
}

describe('npm start and npm run status on a warehouse they cannot use', () => {
  let sim: Simulator;
  let other: Simulator;
  let loaded = '';
  const against = (s: Simulator) => ({
    ITERABLE_BASE_URL: s.url,
    ITERABLE_API_KEY: 'test-key',
    ITERABLE_EXPORTS_PER_MINUTE: '100000',
    // A months-old range would go to export jobs at Iterable's own pace (1 start a second).
    ITERABLE_EXPORT_MODE: 'stream',
  });
  const range = ['--from', iso(FROM + DAY), '--to', iso(FROM + 2 * DAY)];

  before(async () => {
    sim = await simulator({ days: 2, events: 2000 });
    other = await simulator({ days: 2, events: 2000 });
    loaded = tempWarehouse();
    const first = await command('cli/start.ts', [...range, '--warehouse', loaded], against(sim));
    assert.equal(first.code, 0, first.stderr);
  });
  after(async () => {
    await sim.close();
    await other.close();
  });

  const assertRefused = (outcome: Outcome, message: RegExp) => {
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.match(outcome.stderr, message);
    assert.equal(outcome.stderr.match(/Error:/g)?.length, 1, `one message: ${outcome.stderr}`);
    assert.doesNotMatch(outcome.stderr, /\n\s+at /, 'no stack trace');
  };

  it('refuses a run that reads another source, saying what to do', async () => {
    const outcome = await command('cli/start.ts', [...range, '--warehouse', loaded], against(other));
    assertRefused(outcome, /holds data from http:\/\/127\.0\.0\.1:\d+ .*pass --warehouse <another file>/s);
  });

  it('says that a --from before the loaded history needs a backfill, and which', async () => {
    const outcome = await command(
      'cli/start.ts',
      ['--from', iso(FROM), '--to', iso(FROM + 2 * DAY), '--warehouse', loaded],
      against(sim),
    );
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(
      outcome.stderr,
      new RegExp(
        `npm run backfill -- --from ${iso(FROM).replace('.000Z', 'Z')} --to ${iso(FROM + DAY).replace('.000Z', 'Z')}`,
      ),
    );
  });

  it('names a warehouse path that is a directory, leaving no log behind', async () => {
    const folder = tempWarehouse();
    mkdirSync(folder, { recursive: true });
    const outcome = await command('cli/start.ts', ['--warehouse', folder], against(sim));
    assertRefused(outcome, /the warehouse .* is a directory; pass a file path/);
    assert.equal(existsSync(join(dirname(folder), 'pipeline.log')), false);
  });

  it('names a damaged warehouse file, in start and in status', async () => {
    const damaged = tempWarehouse();
    mkdirSync(dirname(damaged), { recursive: true });
    writeFileSync(damaged, readFileSync(loaded));
    truncateSync(damaged, 300_000);
    writeFileSync(`${damaged}.state.json`, readFileSync(`${loaded}.state.json`));
    const message = /the warehouse .* is damaged .*move it and its ledger/s;
    assertRefused(await command('cli/start.ts', ['--warehouse', damaged], against(sim)), message);
    assertRefused(await command('cli/status.ts', ['--warehouse', damaged], {}), message);
  });

  it('names a damaged ledger', async () => {
    const file = tempWarehouse();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, readFileSync(loaded));
    writeFileSync(`${file}.state.json`, readFileSync(`${loaded}.state.json`).subarray(0, 500));
    const message = /the ledger .*\.state\.json is not valid JSON .*Move it away/s;
    assertRefused(await command('cli/start.ts', ['--warehouse', file], against(sim)), message);
    assertRefused(await command('cli/status.ts', ['--warehouse', file], {}), message);
  });

  it('says which process holds a warehouse in use', async () => {
    const file = tempWarehouse();
    mkdirSync(dirname(file), { recursive: true });
    const holder = await holdLock(file);
    try {
      const outcome = await command('cli/start.ts', ['--warehouse', file], against(sim));
      assertRefused(outcome, new RegExp(`in use by another process \\(PID ${holder.pid}\\)`));
    } finally {
      holder.kill();
    }
  });
});
