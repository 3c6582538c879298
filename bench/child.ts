/**
 * Benchmark helpers in child processes: a server (the simulator, an NDJSON source) that runs beside
 * the measured code on its own core, and a measured process whose peak memory is its own.
 * Children are TypeScript run through tsx and speak one JSON line on stdout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const script = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

function launch(name: string, argument: unknown): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script(name), JSON.stringify(argument)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function firstLine(child: ChildProcess, name: string): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  return new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it said anything`)));
  });
}

export interface Server<T> {
  readonly hello: T;
  stop(): Promise<void>;
}

/** Starts a server child and returns what it says once it listens (its URL and such). */
export async function startServer<T>(name: string, argument: unknown): Promise<Server<T>> {
  const child = launch(name, argument);
  const hello = JSON.parse(await firstLine(child, name)) as T;
  return {
    hello,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs a child to its end and returns its one line of result. */
export async function runChild<T>(name: string, argument: unknown): Promise<T> {
  const child = launch(name, argument);
  const line = firstLine(child, name);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${name} failed with exit code ${code}`);
  return JSON.parse(await line) as T;
}

/**
 * The child side of `startServer`: listens on a free loopback port, says its URL, and closes on
 * SIGTERM (what `stop` sends).
 */
export function listenAsChild(server: HttpServer): void {
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
