/**
 * Measurement 4: the deployed functions bundle, its size and the time a fresh Node process takes
 * to import it (the median of several processes: one import is at the mercy of the disk cache).
 * The Google clients are imported by the adapters on first use; what that first use adds is
 * reported beside, without a target, for the worker's pair (Firestore and BigQuery).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFunctions, REPO_ROOT } from '../infra/bundle.js';
import { measureImport } from '../scripts/import-time.js';
import { atMost, type Figure, figure } from './figure.js';

export interface BundleSizes {
  /** Fresh processes to time the import in. */
  readonly imports: number;
}

const MAX_BYTES = 5_000_000;
const MAX_IMPORT_MS = 300;
const WORKER_CLIENTS = ['@google-cloud/firestore', '@google-cloud/bigquery'];

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function measureBundle(sizes: BundleSizes): Promise<Figure[]> {
  const bundle = await bundleFunctions();
  // Inside the repository, so the externals resolve from its node_modules as they would deployed.
  const dir = join(REPO_ROOT, 'dist', 'bench-functions');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(bundle.files)) writeFileSync(join(dir, name), text);
  const times = Array.from({ length: sizes.imports }, () =>
    measureImport(join(dir, 'index.js'), WORKER_CLIENTS),
  );
  rmSync(dir, { recursive: true, force: true });
  return [
    figure(
      'bundle: index.js size',
      Buffer.byteLength(bundle.files['index.js'] ?? ''),
      'bytes',
      atMost(MAX_BYTES),
    ),
    figure(
      'bundle: import in a fresh process',
      median(times.map((t) => t.importMs)),
      'ms',
      atMost(MAX_IMPORT_MS),
    ),
    figure("bundle: worker's clients on first use", median(times.map((t) => t.afterMs)), 'ms'),
  ];
}
