/**
 * How long a fresh Node process takes to import the functions bundle: the cold-start cost paid
 * before a function's first request, which is the share the code controls. Shared by
 * `npm run build:functions` and the benchmark (bench/bundle.ts).
 */
import { execFileSync } from 'node:child_process';
import type { GcpEnv } from '../functions/src/gcp/gcp-config.js';

/** Plausible settings, so the import reaches the end of index.ts; nothing is called over the network. */
const IMPORT_ENV: GcpEnv = {
  GOOGLE_CLOUD_PROJECT: 'build-check',
  TASKS_QUEUE: 'projects/build-check/locations/us-central1/queues/build-check',
  TASKS_INVOKER_SERVICE_ACCOUNT: 'invoker@build-check.iam.gserviceaccount.com',
};

export interface ImportTime {
  /** `require` of the bundle, in milliseconds. */
  readonly importMs: number;
  /** `require` of the packages named, after the bundle: what their first use adds later. */
  readonly afterMs: number;
}

/**
 * Times the import in a new process. The externals resolve from the repository's node_modules, as
 * Cloud Build installs them beside the bundle, so `file` must sit inside the repository.
 */
export function measureImport(file: string, after: readonly string[] = []): ImportTime {
  const script = [
    'let t = performance.now();',
    `require(${JSON.stringify(file)});`,
    'const importMs = performance.now() - t;',
    't = performance.now();',
    `for (const name of ${JSON.stringify(after)}) require(name);`,
    'process.stdout.write(JSON.stringify({ importMs, afterMs: performance.now() - t }));',
  ].join('\n');
  const output = execFileSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH, ...IMPORT_ENV },
    encoding: 'utf8',
  });
  return JSON.parse(output) as ImportTime;
}
