/**
 * The `forget` function through the Functions Framework, as Cloud Scheduler calls it: it reads the
 * simulator's forgotten lists, deletes from the warehouse, answers what it did; with a key Iterable
 * refuses it still answers 200, with the warnings, and deletes nothing.
 */
import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { FUNCTION_NAMES, registerForget } from '../../../functions/src/register.js';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { fastClient, type Simulator, silent, simulator, tempWarehouse } from '../../support/pipeline.js';

interface ForgetAnswer {
  readonly listed: number;
  readonly forgotten: number;
  readonly rowsDeleted: number;
  readonly unchanged: number;
  readonly warnings: readonly string[];
}

describe('the forget function through the Functions Framework', () => {
  let sim: Simulator;
  let warehouse: DuckDbWarehouse;
  let server: Server;
  let url = '';
  let apiKey = 'test-key';

  before(async () => {
    sim = await simulator({ days: 1, events: 1000 });
    warehouse = await DuckDbWarehouse.open(tempWarehouse());
    // The client is built per call here only so one test can swap the key.
    registerForget({
      iterable: {
        forgottenEmailHashes: () => fastClient(sim, apiKey).forgottenEmailHashes(),
        forgottenUserIdHashes: () => fastClient(sim, apiKey).forgottenUserIdHashes(),
      },
      warehouse,
      now: Date.now,
      log: silent,
    });
    server = getTestServer(FUNCTION_NAMES.forget);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await warehouse.close();
    await sim.close();
  });

  const call = async (): Promise<{ status: number; body: ForgetAnswer }> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    return { status: response.status, body: (await response.json()) as ForgetAnswer };
  };

  it('audits every user on the lists once', async () => {
    const listed = sim.truth.forgotten('email').length + sim.truth.forgotten('user_id').length;
    assert.ok(listed > 0, 'the simulator lists forgotten users');
    const first = await call();
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { listed, forgotten: listed, rowsDeleted: 0, unchanged: 0, warnings: [] });
    const second = await call();
    assert.deepEqual(second.body, { listed, forgotten: 0, rowsDeleted: 0, unchanged: listed, warnings: [] });
    const [audit] = await warehouse.query<{ n: number }>(
      'SELECT count(*) AS n FROM iterable_raw.forgotten_users',
    );
    assert.equal(audit?.n, listed);
  });

  it('answers 200 with warnings when the lists cannot be read', async () => {
    apiKey = 'wrong-key';
    const answer = await call();
    apiKey = 'test-key';
    assert.equal(answer.status, 200);
    assert.equal(answer.body.warnings.length, 2);
    assert.equal(answer.body.listed, 0);
  });
});
