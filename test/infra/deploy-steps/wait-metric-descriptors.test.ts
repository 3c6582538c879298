import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { waitForMetricDescriptors } from '../../../infra/deploy-steps/wait-metric-descriptors.js';
import { type RecordingServer, startRecordingServer } from '../../functions/gcp/recording-server.js';

const FAILURES = 'logging.googleapis.com/user/iterable_worker_failures';
const LAG = 'logging.googleapis.com/user/iterable_watermark_lag';
const POLL = { attempts: 5, intervalMs: 1 };
const headers = async () => ({ Authorization: 'Bearer deployer-token' });

describe('waiting for new log-based metrics to reach Cloud Monitoring', () => {
  const servers: RecordingServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  /** Monitoring's list answer: a metric appears from its `visibleFrom`-th request on. */
  const monitoring = async (visibleFrom: Record<string, number>, status = 200) => {
    const asked = new Map<string, number>();
    const server = await startRecordingServer((request) => {
      if (status !== 200) return { status, body: { error: { code: status, message: 'denied' } } };
      const type = /metric\.type = "([^"]+)"/.exec(request.query.get('filter') ?? '')?.[1] ?? '';
      const n = (asked.get(type) ?? 0) + 1;
      asked.set(type, n);
      const visible = n >= (visibleFrom[type] ?? Number.POSITIVE_INFINITY);
      return { status: 200, body: visible ? { metricDescriptors: [{ type }] } : {} };
    });
    servers.push(server);
    return server;
  };

  it('polls the descriptor list with the metric filter until every metric is listed', async () => {
    const server = await monitoring({ [FAILURES]: 3, [LAG]: 1 });
    await waitForMetricDescriptors({
      endpoint: server.url,
      project: 'test-project',
      metricTypes: [FAILURES, LAG],
      headers,
      poll: POLL,
    });
    const asked = server.requests.map((r) => r.query.get('filter'));
    assert.deepEqual(asked, [
      `metric.type = "${FAILURES}"`,
      `metric.type = "${FAILURES}"`,
      `metric.type = "${FAILURES}"`,
      `metric.type = "${LAG}"`,
    ]);
    assert.ok(server.requests.every((r) => r.path === '/v3/projects/test-project/metricDescriptors'));
    assert.ok(server.requests.every((r) => r.headers.authorization === 'Bearer deployer-token'));
  });

  it('gives up after its bound with the metric, the wait and what to do', async () => {
    const server = await monitoring({});
    await assert.rejects(
      waitForMetricDescriptors({
        endpoint: server.url,
        project: 'test-project',
        metricTypes: [FAILURES],
        headers,
        poll: POLL,
      }),
      /no descriptor for logging\.googleapis\.com\/user\/iterable_worker_failures after 0 s.*run `pulumi up` again/,
    );
    assert.equal(server.requests.length, POLL.attempts);
  });

  it('stops at once when the deployer may not list descriptors', async () => {
    const server = await monitoring({}, 403);
    await assert.rejects(
      waitForMetricDescriptors({
        endpoint: server.url,
        project: 'test-project',
        metricTypes: [FAILURES],
        headers,
        poll: POLL,
      }),
      /refused to list metric descriptors of test-project \(403\).*roles\/monitoring\.viewer/,
    );
    assert.equal(server.requests.length, 1);
  });
});
