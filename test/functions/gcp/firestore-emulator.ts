/**
 * Starts Google's Firestore emulator (the jar shipped with the Cloud SDK) on a free loopback port
 * for one test file, and stops it after. The emulator runs transactions faithfully, unlike the
 * npm stand-ins, which is what the state store's tests are about.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KNOWN_SDK_ROOTS, type RunningEmulator, startJavaEmulator } from './java-emulator.js';

const JAR = join('platform', 'cloud-firestore-emulator', 'cloud-firestore-emulator.jar');

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

export type FirestoreEmulator = RunningEmulator;

/** `host` is also set as FIRESTORE_EMULATOR_HOST for clients built afterwards. */
export const startFirestoreEmulator = (): Promise<FirestoreEmulator> =>
  startJavaEmulator({
    name: 'Firestore',
    args: (port) => [
      '-cp',
      findJar(),
      'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
      'start',
      '--host=127.0.0.1',
      `--port=${port}`,
    ],
    probe: '/',
    hostVariable: 'FIRESTORE_EMULATOR_HOST',
    startupTimeoutMs: 30_000,
  });
