/**
 * Starts Google's Firestore emulator (the jar shipped with the Cloud SDK) on a free loopback port
 * for one test file, and stops it after. The emulator runs transactions faithfully, unlike the
 * npm stand-ins, which is what the state store's tests are about.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../support/free-port.js';

const JAR = join('platform', 'cloud-firestore-emulator', 'cloud-firestore-emulator.jar');
const KNOWN_SDK_ROOTS = ['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk'];
const STARTUP_TIMEOUT_MS = 30_000;

function findJar(): string {
  const known = KNOWN_SDK_ROOTS.map((root) => join(root, JAR)).find(existsSync);
  if (known) return known;
  try {
    const root = execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
      encoding: 'utf8',
    }).trim();
    if (existsSync(join(root, JAR))) return join(root, JAR);
  } catch {
    // No gcloud on the PATH: fall through to the message below.
  }
  throw new Error(
    `the Firestore emulator jar (${JAR}) was not found under ${KNOWN_SDK_ROOTS.join(', ')} or gcloud's SDK root; ` +
      'install it with `gcloud components install cloud-firestore-emulator`',
  );
}

async function waitUntilReady(host: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Firestore emulator exited early:\n${output()}`);
    try {
      if ((await fetch(`http://${host}/`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `the Firestore emulator did not answer on ${host} within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`,
  );
}

export interface FirestoreEmulator {
  /** `127.0.0.1:<port>`, also set as FIRESTORE_EMULATOR_HOST for clients built afterwards. */
  readonly host: string;
  stop(): Promise<void>;
}

export async function startFirestoreEmulator(): Promise<FirestoreEmulator> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const child = spawn(
    'java',
    [
      '-cp',
      findJar(),
      'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
      'start',
      '--host=127.0.0.1',
      `--port=${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await waitUntilReady(host, child, () => log);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  process.env.FIRESTORE_EMULATOR_HOST = host;
  // Without this the clients probe the GCE metadata server for credentials the emulator ignores.
  process.env.METADATA_SERVER_DETECTION = 'none';
  return {
    host,
    async stop() {
      delete process.env.FIRESTORE_EMULATOR_HOST;
      delete process.env.METADATA_SERVER_DETECTION;
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
