/**
 * The deployed collector: the `collector` function under the Functions Framework's test server,
 * publishing through the Pub/Sub adapter to Google's Pub/Sub emulator. A 2xx comes only after
 * the message is in the topic; refused requests publish nothing; rejects go to their own topic.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { PubSub } from '@google-cloud/pubsub';
import { pubsubLiveSink } from '../../../functions/src/gcp/pubsub-live-sink.js';
import { MAX_WEBHOOK_BYTES } from '../../../functions/src/live/collect.js';
import { FUNCTION_NAMES, registerCollector } from '../../../functions/src/register.js';
import { post, webhookBody } from '../../local/live/webhooks.js';
import { type PubsubEmulator, startPubsubEmulator } from '../gcp/pubsub-emulator.js';

const PROJECT = 'collector-test';
const SECRET = 'OAuth2 collector-token';
const AUTH = { authorization: SECRET };
const T0 = Date.UTC(2026, 10, 3, 9);
const RECEIVED = T0 + 2000;

describe('the collector function over Pub/Sub', () => {
  let emulator: PubsubEmulator;
  let server: Server;
  let url: string;
  let pubsub: PubSub;

  before(async () => {
    emulator = await startPubsubEmulator();
    const events = await emulator.topicWithSubscription(PROJECT, 'live-events');
    const rejects = await emulator.topicWithSubscription(PROJECT, 'live-rejects');
    pubsub = new PubSub({ projectId: PROJECT });
    registerCollector({
      sink: pubsubLiveSink(pubsub, { events, rejects }),
      authorization: SECRET,
      now: () => RECEIVED,
      log: () => {},
    });
    server = getTestServer(FUNCTION_NAMES.collector);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await pubsub?.close();
    await emulator?.stop();
  });

  it('answers 200 once the event is in the topic, as the BigQuery subscription will write it', async () => {
    const body = webhookBody({
      eventName: 'emailClick',
      email: 'c@example.com',
      createdAt: T0,
      fields: { campaignId: 12, templateId: 3, messageId: 'mc', url: 'https://example.com/a' },
    });
    const answer = await post(url, body, AUTH);
    assert.equal(answer.status, 200);
    const [message, ...more] = await emulator.pull(PROJECT, 'live-events');
    assert.equal(more.length, 0);
    assert.deepEqual(
      { ...message, payload: JSON.parse(String(message?.payload)) },
      {
        stream: 'email_click',
        event_name: 'emailClick',
        created_at: T0 * 1000,
        email: 'c@example.com',
        user_id: null,
        campaign_id: 12,
        template_id: 3,
        iterable_message_id: 'mc',
        payload: {
          createdAt: '2026-11-03 09:00:00 +00:00',
          email: 'c@example.com',
          campaignId: 12,
          templateId: 3,
          messageId: 'mc',
          url: 'https://example.com/a',
        },
        event_key: answer.body.eventKey,
        received_at: RECEIVED * 1000,
      },
    );
  });

  it('publishes nothing for a request without the header, or with another one', async () => {
    const body = webhookBody({ eventName: 'emailOpen', email: 'x@example.com', createdAt: T0 });
    assert.equal((await post(url, body)).status, 401);
    assert.equal((await post(url, body, { authorization: 'OAuth2 other' })).status, 401);
    assert.deepEqual(await emulator.pull(PROJECT, 'live-events'), []);
    assert.deepEqual(await emulator.pull(PROJECT, 'live-rejects'), []);
  });

  it('publishes a body it cannot read to the rejects topic and answers 400 with the reason', async () => {
    const body = JSON.stringify({ eventName: 'emailOpen', dataFields: { campaignId: 1 } });
    const answer = await post(url, body, AUTH);
    assert.equal(answer.status, 400);
    const [reject] = await emulator.pull(PROJECT, 'live-rejects');
    assert.deepEqual(reject, { received_at: RECEIVED * 1000, reason: answer.body.error, body });
    assert.match(String(answer.body.error), /dataFields\.createdAt: required/);
  });

  it('keeps a body that is not JSON as a reject when sent as text; as application/json the framework refuses it first', async () => {
    const text = await fetch(url, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'text/plain' },
      body: '{oops',
    });
    assert.equal(text.status, 400);
    const [reject] = await emulator.pull(PROJECT, 'live-rejects');
    assert.equal(reject?.body, '{oops');
    const json = await fetch(url, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: '{oops',
    });
    assert.equal(json.status, 400);
    assert.deepEqual(await emulator.pull(PROJECT, 'live-rejects'), []);
  });

  it('answers 413 to a body over the bound', async () => {
    const body = webhookBody({
      eventName: 'emailOpen',
      email: 'big@example.com',
      createdAt: T0,
      fields: { blob: 'x'.repeat(MAX_WEBHOOK_BYTES) },
    });
    assert.equal((await post(url, body, AUTH)).status, 413);
    assert.deepEqual(await emulator.pull(PROJECT, 'live-events'), []);
    assert.equal((await emulator.pull(PROJECT, 'live-rejects')).length, 1);
  });
});
