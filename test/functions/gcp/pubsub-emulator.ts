/**
 * Starts Google's Pub/Sub emulator (the jar shipped with the Cloud SDK) on a free loopback port
 * for one test file, and stops it after. Clients built afterwards reach it through
 * PUBSUB_EMULATOR_HOST; the test itself creates topics and pulls over the emulator's REST API.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KNOWN_SDK_ROOTS, startJavaEmulator } from './java-emulator.js';

const LIB = join('platform', 'pubsub-emulator', 'lib');

function findJar(): string {
  for (const root of KNOWN_SDK_ROOTS) {
    const dir = join(root, LIB);
    const jar = existsSync(dir)
      ? readdirSync(dir).find((f) => /^cloud-pubsub-emulator-.*\.jar$/.test(f))
      : undefined;
    if (jar) return join(dir, jar);
  }
  throw new Error(
    `the Pub/Sub emulator jar (${LIB}) was not found under ${KNOWN_SDK_ROOTS.join(', ')}; ` +
      'install it with `gcloud components install pubsub-emulator`',
  );
}

export interface PubsubEmulator {
  readonly host: string;
  /** Creates a topic and a pull subscription of the same name; returns the topic's full name. */
  topicWithSubscription(project: string, name: string): Promise<string>;
  /** Pulls and acknowledges up to 100 messages, returning their data as parsed JSON. */
  pull(project: string, name: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export async function startPubsubEmulator(): Promise<PubsubEmulator> {
  const emulator = await startJavaEmulator({
    name: 'Pub/Sub',
    args: (port) => ['-jar', findJar(), '--host=127.0.0.1', `--port=${port}`],
    probe: '/v1/projects/probe/topics',
    hostVariable: 'PUBSUB_EMULATOR_HOST',
    startupTimeoutMs: 60_000,
  });
  const { host } = emulator;
  const base = `http://${host}`;
  const call = async (method: string, path: string, body: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${base}/v1/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  return {
    host,
    async topicWithSubscription(project, name) {
      const topic = `projects/${project}/topics/${name}`;
      await call('PUT', topic, {});
      await call('PUT', `projects/${project}/subscriptions/${name}`, { topic });
      return topic;
    },
    async pull(project, name) {
      const subscription = `projects/${project}/subscriptions/${name}`;
      const answer = await call('POST', `${subscription}:pull`, {
        maxMessages: 100,
        returnImmediately: true,
      });
      const received = (answer.receivedMessages ?? []) as { ackId: string; message: { data: string } }[];
      if (received.length > 0) {
        await call('POST', `${subscription}:acknowledge`, { ackIds: received.map((m) => m.ackId) });
      }
      return received.map((m) => JSON.parse(Buffer.from(m.message.data, 'base64').toString('utf8')));
    },
    stop: () => emulator.stop(),
  };
}
