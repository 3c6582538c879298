import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { waitForGrants } from '../../../infra/deploy-steps/wait-grants.js';
import { type RecordingServer, startRecordingServer } from '../../functions/gcp/recording-server.js';

const WORKER = 'iterable-worker@p.iam.gserviceaccount.com';
const POLL = { attempts: 6, intervalMs: 1 };
const deployer = async () => ({ Authorization: 'Bearer deployer' });

/**
 * IAM Credentials and a resource's testIamPermissions on one server: minting refuses the deployer
 * `mintRefusals` times (its own grant propagating), then the account's permissions appear after
 * `grantedFrom` checks.
 */
async function iam(options: { mintRefusals: number; grantedFrom: number }): Promise<RecordingServer> {
  let mints = 0;
  let checks = 0;
  return startRecordingServer((request) => {
    if (request.path.endsWith(':generateAccessToken')) {
      mints += 1;
      return mints <= options.mintRefusals
        ? {
            status: 403,
            body: { error: { code: 403, message: 'Permission iam.serviceAccounts.getAccessToken denied' } },
          }
        : { status: 200, body: { accessToken: `token-${mints}`, expireTime: '2026-01-01T00:05:00Z' } };
    }
    checks += 1;
    const asked = (JSON.parse(request.body) as { permissions: string[] }).permissions;
    return { status: 200, body: checks >= options.grantedFrom ? { permissions: asked } : {} };
  });
}

describe('waiting until IAM grants are in effect', () => {
  const servers: RecordingServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  it('mints a token as the account and polls testIamPermissions until every permission is granted', async () => {
    const server = await iam({ mintRefusals: 1, grantedFrom: 3 });
    servers.push(server);
    const url = `${server.url}/v1/projects/p/secrets/iterable-api-key:testIamPermissions`;
    await waitForGrants([{ serviceAccount: WORKER, url, permissions: ['secretmanager.versions.access'] }], {
      iamCredentialsEndpoint: server.url,
      headers: deployer,
      poll: POLL,
    });
    const calls = server.requests.map((r) => `${r.path.split('/').pop()} ${r.headers.authorization}`);
    assert.deepEqual(calls, [
      `${WORKER}:generateAccessToken Bearer deployer`,
      `${WORKER}:generateAccessToken Bearer deployer`,
      'iterable-api-key:testIamPermissions Bearer token-2',
      `${WORKER}:generateAccessToken Bearer deployer`,
      'iterable-api-key:testIamPermissions Bearer token-3',
      `${WORKER}:generateAccessToken Bearer deployer`,
      'iterable-api-key:testIamPermissions Bearer token-4',
    ]);
  });

  it('gives up after its bound, naming the account, the missing permission and what to do', async () => {
    const server = await iam({ mintRefusals: 0, grantedFrom: Number.POSITIVE_INFINITY });
    servers.push(server);
    await assert.rejects(
      waitForGrants(
        [
          {
            serviceAccount: WORKER,
            url: `${server.url}/v1/projects/p:testIamPermissions`,
            permissions: ['logging.logEntries.create'],
          },
        ],
        { iamCredentialsEndpoint: server.url, headers: deployer, poll: POLL },
      ),
      /iterable-worker@p\.iam\.gserviceaccount\.com still lacks logging\.logEntries\.create .*after 0 s.*run `pulumi up` again/,
    );
    assert.equal(server.requests.filter((r) => r.path.endsWith(':testIamPermissions')).length, POLL.attempts);
  });
});
