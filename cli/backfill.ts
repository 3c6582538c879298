/**
 * `npm run backfill -- --from <date> [--to <date>] [--streams a,b]`: loads history behind the
 * streams' watermarks without moving them. Locally it runs the windows through the fan-out, queue
 * and worker as `npm start` does (against ITERABLE_API_KEY's project, or the demo simulator), then
 * rebuilds the facts and the dashboard; with `--gcp` it enqueues them on the deployed queue.
 * Exit codes: 0 every window loaded (or enqueued); 1 some failed; 2 bad input, nothing planned.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CloudTasksClient } from '@google-cloud/tasks';
import { type StreamName, streamByName } from '../functions/src/catalog.js';
import { ConfigError, loadConfig } from '../functions/src/config.js';
import { CampaignMetricsClient } from '../functions/src/iterable/campaign-metrics.js';
import { IterableClient } from '../functions/src/iterable/client.js';
import { workerSource } from '../functions/src/iterable/job-source.js';
import { ITERABLE_EXPORTS_PER_MINUTE } from '../functions/src/iterable/limits.js';
import { enqueueBackfill } from './backfill-gcp.js';
import { backfillLocal } from './backfill-local.js';
import { backfillSummary, planEstimate, planLines } from './backfill-progress.js';
import { checkAccess } from './check-access.js';
import { writeDashboard } from './dashboard/write.js';
import { DEMO, demoJobs, startDemoSimulator } from './demo.js';
import { exitOnInterrupt, RESUME_NOTE } from './interrupt.js';
import { fileLogger } from './log-file.js';
import { gcpClients, loadOperatorGcpConfig } from './operator-gcp.js';
import {
  BACKFILL_USAGE,
  type BackfillOptions,
  parseBackfillOptions,
  runCommand,
} from './operator-options.js';
import { checkWarehouse, DEMO_ORIGIN, rowCounts } from './warehouse-check.js';

/** Only event streams have history; a dimension is a snapshot of today. */
function eventStreams(streams: readonly StreamName[]): StreamName[] {
  const events = streams.filter((s) => streamByName(s).source.kind === 'export');
  if (events.length === 0) {
    throw new ConfigError(`none of ${streams.join(', ')} has history to backfill; name event streams`);
  }
  return events;
}

async function onGcp(options: BackfillOptions): Promise<number> {
  const config = loadOperatorGcpConfig(process.env, { enqueues: true });
  const clients = gcpClients(config);
  const tasks = new CloudTasksClient();
  try {
    const plan = await enqueueBackfill({ firestore: clients.firestore, tasks }, config, {
      from: options.from,
      to: options.to,
      streams: eventStreams(options.streams ?? config.pipeline.streams),
      reread: options.reread,
    });
    const planned = plan.streams.reduce((n, s) => n + s.windows, 0);
    process.stdout.write(
      `${planLines(plan.streams)}${planEstimate(planned, ITERABLE_EXPORTS_PER_MINUTE, plan.jobs)} (${plan.created} tasks enqueued, ${plan.existing} already queued)\n` +
        'Follow it with `npm run status -- --gcp`. The scheduled fact queries recompute only their lookback: ' +
        'run each once with a lookback reaching back to --from (docs/facts.md, "Incremental builds").\n',
    );
    return 0;
  } finally {
    await tasks.close();
    await clients.close();
  }
}

async function onThisMachine(options: BackfillOptions): Promise<number> {
  const config = loadConfig();
  const now = Date.now();
  const demo = config.iterable.apiKey === null;
  // The demo's simulator, as `npm start` serves it: the same seeded history, so a backfill re-reads it.
  const simulator = demo ? await startDemoSimulator(now) : null;
  try {
    const warehouseFile = resolve(options.warehouse);
    const baseUrl = simulator?.url ?? config.iterable.baseUrl;
    const apiKey = config.iterable.apiKey ?? DEMO.apiKey;
    const iterable = new IterableClient({ baseUrl, apiKey });
    const channelIds = await checkAccess(iterable);
    mkdirSync(dirname(warehouseFile), { recursive: true });
    const before = await checkWarehouse(warehouseFile, config.datasets, {
      origin: demo ? DEMO_ORIGIN : baseUrl,
      channelIds,
    });
    const logFile = resolve(dirname(warehouseFile), 'pipeline.log');
    const log = fileLogger(logFile);
    const stopListening = exitOnInterrupt(`Interrupted. ${RESUME_NOTE}`);
    const jobs = demo ? demoJobs() : null;
    const result = await backfillLocal({
      iterable: workerSource(iterable, config.iterable.exportMode, log, jobs?.source),
      exportMode: config.iterable.exportMode,
      ...(jobs ? { jobsQueue: jobs.queue } : {}),
      warehouseFile,
      datasets: config.datasets,
      streams: eventStreams(options.streams ?? config.streams),
      from: options.from,
      to: options.to ?? now - config.lagMs,
      windowMinutes: config.windowMinutes,
      exportsPerMinute:
        config.iterable.exportsPerMinute ?? (demo ? DEMO.exportsPerMinute : ITERABLE_EXPORTS_PER_MINUTE),
      metrics: new CampaignMetricsClient({ baseUrl, apiKey }),
      log,
      out: process.stderr,
      reread: options.reread,
    });
    stopListening();
    const after = await rowCounts(warehouseFile, config.datasets);
    const newRows = [...after].reduce((n, [stream, rows]) => n + rows - (before.rows.get(stream) ?? 0), 0);
    process.stdout.write(`${backfillSummary(result.progress, newRows)}\n`);
    if (result.metricsError !== null) {
      process.stderr.write(`Iterable's campaign totals could not be reloaded: ${result.metricsError}\n`);
    }
    const dashboard = await writeDashboard({ warehouseFile, datasets: config.datasets, now: Date.now() });
    process.stdout.write(`Log:       ${logFile}\nDashboard: ${dashboard}\n`);
    if (result.lastErrors.length === 0) return 0;
    process.stderr.write(
      `Some windows failed after every retry; run the same backfill again to retry them:\n  ${result.lastErrors.join('\n  ')}\n`,
    );
    return 1;
  } finally {
    await simulator?.close();
  }
}

async function main(): Promise<number> {
  const options = parseBackfillOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${BACKFILL_USAGE}\n`);
    return 0;
  }
  return options.gcp ? onGcp(options) : onThisMachine(options);
}

runCommand(main);
