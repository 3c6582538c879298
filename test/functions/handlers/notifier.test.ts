/**
 * The `notifier` function through the Functions Framework, pushed to as Pub/Sub pushes a
 * transfer run's completion, reading anomalies from a local warehouse, keeping what it sent in
 * the Firestore emulator and posting to a local HTTP server standing in for Slack's webhook.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Firestore } from '@google-cloud/firestore';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { SlackWebhook } from '../../../functions/src/anomalies/slack-webhook.js';
import { FirestoreSentLedger } from '../../../functions/src/gcp/firestore-sent-ledger.js';
import type { LogEntry } from '../../../functions/src/log.js';
import { FUNCTION_NAMES, registerNotifier } from '../../../functions/src/register.js';
import { DAY } from '../../../functions/src/time.js';
import { DuckDbWarehouse } from '../../../local/duckdb-warehouse.js';
import { localAnomalySource } from '../../../local/sql/anomalies.js';
import { runModels } from '../../../local/sql/models.js';
import { type FirestoreEmulator, startFirestoreEmulator } from '../gcp/firestore-emulator.js';

const NOW = Date.UTC(2026, 4, 12, 6);
const REPORT = 'https://lookerstudio.google.com/reporting/abc';

describe('the notifier function', () => {
  let emulator: FirestoreEmulator;
  let firestore: Firestore;
  let warehouse: DuckDbWarehouse;
  let slack: Server;
  let functionUrl = '';
  let failNextPosts = 0;
  const posted: string[] = [];
  const logs: LogEntry[] = [];
  const servers: Server[] = [];

  const insert = (day: string, series: string, metric: string, kind = 'statistical') =>
    warehouse.query(
      `INSERT INTO iterable_analytics.metric_anomalies VALUES
       (DATE '${day}', '${series}', '${metric}', 0.12, 0.01, NULL, 0.02, 9.5, 'up', 'critical', '${kind}', TIMESTAMP '2026-05-12 05:45:00')`,
    );

  const push = async (state: string) => {
    const data = Buffer.from(
      JSON.stringify({ name: 'projects/p/locations/us/transferConfigs/c/runs/r', state }),
    ).toString('base64');
    const response = await fetch(functionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: { data, messageId: '1' }, subscription: 'projects/p/subscriptions/s' }),
    });
    return { status: response.status, body: response.status === 200 ? await response.json() : null };
  };

  before(async () => {
    emulator = await startFirestoreEmulator();
    firestore = new Firestore({ projectId: 'notifier-test' });
    warehouse = await DuckDbWarehouse.open(':memory:');
    await runModels(warehouse, { now: NOW - 30 * DAY });
    slack = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        if (failNextPosts > 0) {
          failNextPosts -= 1;
          res.writeHead(500).end('rollup_error');
          return;
        }
        posted.push((JSON.parse(body) as { text: string }).text);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
    registerNotifier(
      {
        source: localAnomalySource(warehouse),
        ledger: new FirestoreSentLedger(firestore, 'anomaly_notifications'),
        chat: new SlackWebhook(`http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T/B/x`),
        log: (entry) => logs.push(entry),
        now: () => NOW,
      },
      { reportUrl: REPORT, lookbackDays: 7 },
    );
    const server = getTestServer(FUNCTION_NAMES.notifier);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    functionUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await insert('2026-05-10', 'campaign:42', 'bounce_rate');
    await insert('2026-05-11', 'campaign:42', 'bounce_rate');
    await insert('2026-05-11', 'message_type:Promotions', 'complaint_rate', 'guardrail');
    // Older than the lookback: never sent now.
    await insert('2026-04-01', 'campaign:7', 'click_rate');
  });
  after(async () => {
    for (const server of servers) server.close();
    slack?.close();
    await firestore?.terminate();
    await warehouse?.close();
    await emulator?.stop();
  });

  it('sends each new anomaly once, saying what moved, how much, where and since when', async () => {
    const first = await push('SUCCEEDED');
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { sent: 3, alreadySent: 0, failed: 0 });
    assert.equal(posted.length, 3);
    const latest = posted.find((t) => t.includes('campaign 42') && t.includes('2026-05-11'));
    assert.match(latest ?? '', /bounce_rate up on campaign 42: 12\.0% against a normal 1\.0%/);
    assert.match(latest ?? '', /since 2026-05-10/);
    assert.ok(posted.every((t) => t.endsWith(`Report: ${REPORT}`)));
    assert.equal(logs.filter((l) => l.event === 'metric_anomaly').length, 3);
  });

  it('never sends them again, however often it runs', async () => {
    const [a, b] = await Promise.all([push('SUCCEEDED'), push('SUCCEEDED')]);
    assert.deepEqual(
      [a.body, b.body],
      [
        { sent: 0, alreadySent: 3, failed: 0 },
        { sent: 0, alreadySent: 3, failed: 0 },
      ],
    );
    assert.equal(posted.length, 3);
  });

  it('ignores a transfer run that did not succeed', async () => {
    await insert('2026-05-11', 'campaign:43', 'unsubscribe_rate');
    assert.equal((await push('FAILED')).status, 204);
    assert.equal(posted.length, 3);
  });

  it('sends a new anomaly once even when two runs race, and retries one Slack refused', async () => {
    failNextPosts = 1;
    const refused = await push('SUCCEEDED');
    assert.deepEqual(refused.body, { sent: 0, alreadySent: 3, failed: 1 });
    const [a, b] = await Promise.all([push('SUCCEEDED'), push('SUCCEEDED')]);
    const sent = [a.body, b.body].map((body) => (body as { sent: number }).sent);
    assert.deepEqual(sent.sort(), [0, 1]);
    assert.equal(posted.filter((t) => t.includes('campaign 43')).length, 1);
  });
});
