/**
 * `npm run dashboard` as a person runs it, through npm: stopping npm stops the server, whose
 * shell does not pass the signal on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { tempWarehouse } from '../support/pipeline.js';

const answers = (url: string): Promise<boolean> =>
  fetch(url).then(
    () => true,
    () => false,
  );

describe('npm run dashboard', () => {
  it('stops when its npm process is stopped', { timeout: 60_000 }, async () => {
    const npm = spawn('npm', ['run', 'dashboard', '--', '--port', '0', '--warehouse', tempWarehouse()], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let url: string | undefined;
    while (url === undefined) {
      const [chunk] = (await once(npm.stdout, 'data')) as [Buffer];
      out += chunk.toString();
      url = /served at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
    }
    assert.equal(await answers(url), true);
    npm.kill('SIGTERM');
    // Polled until it stops answering; the test's own timeout bounds a server that never stops.
    while (await answers(url)) await delay(200);
  });
});
