/**
 * `npm run status`: per stream, where it is loaded up to, how far behind now, what the ledger has
 * pending, running or failed, and what the warehouse holds. Locally by default; with `--gcp`, the
 * deployed pipeline's Firestore ledger and BigQuery tables.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../functions/src/config.js';
import { gcpClients, loadOperatorGcpConfig } from './operator-gcp.js';
import { parseStatusOptions, runCommand, STATUS_USAGE } from './operator-options.js';
import { gcpStatus } from './status-gcp.js';
import { localStatus } from './status-local.js';
import type { PipelineStatus } from './status-model.js';
import { statusReport } from './status-report.js';

async function main(): Promise<number> {
  const options = parseStatusOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${STATUS_USAGE}\n`);
    return 0;
  }
  const now = Date.now();
  let status: PipelineStatus;
  let where: string;
  if (options.gcp) {
    const config = loadOperatorGcpConfig(process.env, { enqueues: false });
    const clients = gcpClients(config);
    try {
      status = await gcpStatus(clients, config, config.pipeline.streams, now);
    } finally {
      await clients.close();
    }
    where = `GCP project ${config.projectId}, Firestore ${config.firestoreDatabase}/${config.stateCollection}`;
  } else {
    const config = loadConfig();
    const warehouse = resolve(options.warehouse);
    status = await localStatus(warehouse, config.datasets, config.streams, now);
    where = `local: ${warehouse}`;
  }
  process.stdout.write(`${statusReport(status, where)}\n`);
  return status.streams.some((s) => s.failed > 0) ? 1 : 0;
}

runCommand(main);
