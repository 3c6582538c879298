/**
 * The deployable functions bundle: esbuild follows the imports of `functions/src/index.ts` and
 * nothing else, so local adapters (DuckDB, the simulator) can never reach a deployed function.
 * A few packages stay outside the bundle; Cloud Build installs them from the archive's
 * package.json (https://cloud.google.com/functions/docs/writing/specifying-dependencies-nodejs).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ENTRY_POINT = 'functions/src/index.ts';

/**
 * Packages installed rather than bundled, at the lockfile's versions:
 * - the Functions Framework, because the runtime starts its own copy, and functions registered
 *   in a second, bundled copy would be invisible to it;
 * - the Google Cloud clients, because they read their gRPC configuration and protos from files
 *   beside their own modules at load time, which a single bundled file does not have.
 */
const EXTERNAL = [
  '@google-cloud/functions-framework',
  '@google-cloud/bigquery',
  '@google-cloud/firestore',
  '@google-cloud/tasks',
  '@google-cloud/pubsub',
  '@google-cloud/storage',
] as const;

export interface FunctionsBundle {
  /** Archive path → content: `index.js` and the `package.json` Cloud Build installs from. */
  readonly files: Readonly<Record<string, string>>;
  /** SHA-256 of every file, in name order: names the archive, so a code change redeploys. */
  readonly hash: string;
  /** Repository-relative paths of every source file the bundle contains. */
  readonly inputs: readonly string[];
}

/** The version the lockfile pins, so the deployed framework is the one the tests ran against. */
const lockedVersion = (name: string): string => {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json; run npm install`);
  return version;
};

/** The Node.js major the functions run on: the bundle's target and the functions' runtime. */
export const NODE_MAJOR = 22;

export async function bundleFunctions(): Promise<FunctionsBundle> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [ENTRY_POINT],
    bundle: true,
    platform: 'node',
    target: `node${NODE_MAJOR}`,
    // CommonJS, because most Google client libraries are CommonJS and load files with require().
    format: 'cjs',
    external: [...EXTERNAL],
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    outfile: 'index.js',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced no output for ${ENTRY_POINT}`);
  const manifest = {
    name: 'iterable-pipeline-functions',
    private: true,
    main: 'index.js',
    engines: { node: String(NODE_MAJOR) },
    dependencies: Object.fromEntries(EXTERNAL.map((name) => [name, lockedVersion(name)])),
  };
  const files = { 'index.js': output.text, 'package.json': `${JSON.stringify(manifest, null, 2)}\n` };
  const hash = createHash('sha256');
  for (const [name, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(name).update('\0').update(text).update('\0');
  }
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(REPO_ROOT, join(REPO_ROOT, p)));
  return { files, hash: hash.digest('hex'), inputs };
}
