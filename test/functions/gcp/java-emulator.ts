/**
 * Runs one of Google's emulators that ship as jars with the Cloud SDK (Firestore, Pub/Sub) on a
 * free loopback port for one test file: started, probed until it answers, exposed to clients built
 * afterwards through its environment variable, and stopped after. Each emulator's file says which
 * jar, which arguments and which probe.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../../support/free-port.js';

/** Where the Cloud SDK's components are installed on Debian and in Google's own images. */
export const KNOWN_SDK_ROOTS = [
  '/usr/lib/google-cloud-sdk',
  '/usr/share/google-cloud-sdk',
  '/opt/google-cloud-sdk',
];

export interface JavaEmulatorSpec {
  /** For messages: "Firestore", "Pub/Sub". */
  readonly name: string;
  /** The `java` arguments that start it on `port` of 127.0.0.1. */
  readonly args: (port: number) => string[];
  /** A path whose GET answers 2xx once it serves. */
  readonly probe: string;
  /** The variable the Google clients read the emulator's `host:port` from. */
  readonly hostVariable: string;
  readonly startupTimeoutMs: number;
}

export interface RunningEmulator {
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  stop(): Promise<void>;
}

async function waitUntilReady(
  spec: JavaEmulatorSpec,
  host: string,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + spec.startupTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the ${spec.name} emulator exited early:\n${output()}`);
    try {
      if ((await fetch(`http://${host}${spec.probe}`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `the ${spec.name} emulator did not answer on ${host} within ${spec.startupTimeoutMs} ms:\n${output()}`,
  );
}

export async function startJavaEmulator(spec: JavaEmulatorSpec): Promise<RunningEmulator> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const child = spawn('java', spec.args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await waitUntilReady(spec, host, child, () => log);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  process.env[spec.hostVariable] = host;
  // Without this the clients probe the GCE metadata server for credentials the emulator ignores.
  process.env.METADATA_SERVER_DETECTION = 'none';
  return {
    host,
    async stop() {
      delete process.env[spec.hostVariable];
      delete process.env.METADATA_SERVER_DETECTION;
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
