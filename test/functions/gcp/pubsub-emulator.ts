/**
 * Starts Google's Pub/Sub emulator (the jar shipped with the Cloud SDK) on a free loopback port
 * for one test file, and stops it after. Clients built afterwards reach it through
 * PUBSUB_EMULATOR_HOST; the test itself creates topics and pulls over the emulator's REST API.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../support/free-port.js';

const LIB = join('platform', 'pubsub-emulator', 'lib');
const KNOWN_SDK_ROOTS = ['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk'];
const STARTUP_TIMEOUT_MS = 60_000;

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

async function waitUntilReady(base: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Pub/Sub emulator exited early:\n${output()}`);
    try {
      if ((await fetch(`${base}/v1/projects/probe/topics`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the Pub/Sub emulator did not answer within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`);
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
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const base = `http://${host}`;
  const child = spawn('java', ['-jar', findJar(), `--host=127.0.0.1`, `--port=${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await waitUntilReady(base, child, () => log);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  process.env.PUBSUB_EMULATOR_HOST = host;
  process.env.METADATA_SERVER_DETECTION = 'none';
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
    async stop() {
      delete process.env.PUBSUB_EMULATOR_HOST;
      delete process.env.METADATA_SERVER_DETECTION;
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
