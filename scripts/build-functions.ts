/**
 * `npm run build:functions`: bundles the deployed functions into dist/functions/ (what
 * `pulumi up` uploads), then prints the bundle's size and how long a fresh Node process takes to
 * import it: the cold-start cost paid before a function's first request.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFunctions, REPO_ROOT } from '../infra/bundle.js';
import { measureImport } from './import-time.js';

const OUT_DIR = join(REPO_ROOT, 'dist', 'functions');

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

const started = performance.now();
const bundle = await bundleFunctions();
rmSync(OUT_DIR, { recursive: true, force: true });
mkdirSync(OUT_DIR, { recursive: true });
for (const [name, text] of Object.entries(bundle.files)) writeFileSync(join(OUT_DIR, name), text);
const bytes = Buffer.byteLength(bundle.files['index.js'] ?? '');
const buildMs = performance.now() - started;
const { importMs } = measureImport(join(OUT_DIR, 'index.js'));
process.stdout.write(
  [
    `Bundled ${bundle.inputs.filter((p) => p.startsWith('functions/')).length} source files into ${OUT_DIR}`,
    `  index.js      ${kib(bytes)} (built in ${buildMs.toFixed(0)} ms)`,
    `  import time   ${importMs.toFixed(0)} ms in a fresh node process`,
    `  content hash  ${bundle.hash.slice(0, 16)}`,
    '',
  ].join('\n'),
);
