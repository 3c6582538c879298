/**
 * `npm start`: one run of the pipeline on this machine, then exit. With ITERABLE_API_KEY it reads
 * that Iterable project; without, it runs the demo against the built-in simulator.
 * It then forgets the users Iterable has forgotten (as the deployed daily task does) and builds
 * the facts. Exit codes: 0 every window loaded; 1 some windows failed (they stay in the ledger and are
 * retried by the next run); 2 bad configuration, Iterable unreachable, or a warehouse that cannot
 * be used (another project's, damaged, in use), before anything loaded; 130 interrupted (Ctrl-C).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../functions/src/config.js';
import { CampaignMetricsClient } from '../functions/src/iterable/campaign-metrics.js';
import { IterableClient } from '../functions/src/iterable/client.js';
import { workerSource } from '../functions/src/iterable/job-source.js';
import { ITERABLE_EXPORTS_PER_MINUTE } from '../functions/src/iterable/limits.js';
import { exportsLoadedUntil } from '../functions/src/pipeline/loaded-until.js';
import { buildFacts } from '../local/facts.js';
import { forgetLocal, forgetSummary } from '../local/forget.js';
import { readWatermarks, runLocal } from '../local/run.js';
import { RunTally } from '../local/run-tally.js';
import { checkAccess } from './check-access.js';
import { writeDashboard } from './dashboard/write.js';
import { DEMO, demoJobs, demoRange, startDemoSimulator } from './demo.js';
import { exitOnInterrupt, RESUME_NOTE } from './interrupt.js';
import { showProgress } from './live-progress.js';
import { fileLogger } from './log-file.js';
import { runCommand } from './operator-options.js';
import { factsReport, summaryTable, withWatermarks } from './report.js';
import { parseRunOptions, USAGE } from './start-options.js';
import {
  checkWarehouse,
  DEMO_ORIGIN,
  defaultWarehouse,
  fromBeforeHistoryNote,
  rowCounts,
} from './warehouse-check.js';

async function main(): Promise<number> {
  const options = parseRunOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  const now = Date.now();
  const streams = options.streams ?? config.streams;
  const demo = config.iterable.apiKey === null;
  const range = demoRange(now);
  const simulator = demo ? await startDemoSimulator(now) : null;
  try {
    const exportsPerMinute =
      config.iterable.exportsPerMinute ?? (demo ? DEMO.exportsPerMinute : ITERABLE_EXPORTS_PER_MINUTE);
    const baseUrl = simulator?.url ?? config.iterable.baseUrl;
    const iterable = new IterableClient({
      baseUrl,
      apiKey: simulator ? DEMO.apiKey : (config.iterable.apiKey ?? ''),
    });
    process.stderr.write(
      demo
        ? `Demo: Iterable simulator at ${baseUrl} with ${DEMO.days} days of history (set ITERABLE_API_KEY to read a real project)\n`
        : `Reading Iterable at ${baseUrl}, ${exportsPerMinute} exports/minute\n`,
    );
    const channelIds = await checkAccess(iterable);

    const warehouseFile = resolve(options.warehouse);
    mkdirSync(dirname(warehouseFile), { recursive: true });
    const before = await checkWarehouse(warehouseFile, config.datasets, {
      origin: demo ? DEMO_ORIGIN : baseUrl,
      channelIds,
    });
    if (options.from !== null && before.loadedFrom !== null && options.from < before.loadedFrom) {
      const flag = options.warehouse === defaultWarehouse() ? '' : ` --warehouse ${options.warehouse}`;
      process.stderr.write(fromBeforeHistoryNote(options.from, before.loadedFrom, flag));
    }
    const logFile = resolve(dirname(warehouseFile), 'pipeline.log');
    const log = fileLogger(logFile);
    const tally = new RunTally(Date.now());
    let stopProgress: () => void = () => {};
    const stopListening = exitOnInterrupt(`Interrupted. ${RESUME_NOTE}`);
    const jobs = demo ? demoJobs() : null;
    await runLocal({
      iterable: workerSource(iterable, config.iterable.exportMode, log, jobs?.source),
      exportMode: config.iterable.exportMode,
      ...(jobs ? { jobsQueue: jobs.queue } : {}),
      warehouseFile,
      streams,
      from: options.from ?? (demo ? range.from : now - config.historyMs),
      to: options.to,
      windowMinutes: config.windowMinutes,
      lagMs: config.lagMs,
      lookbackMs: config.lookbackMs,
      historyMs: config.historyMs,
      settleMs: config.settleMs,
      exportsPerMinute,
      log,
      queue: { onEvent: tally.record },
      onStarted: ({ plan, startedAt }) => {
        tally.planned(plan);
        stopProgress = showProgress(tally, startedAt);
      },
    });
    stopProgress();
    stopListening();

    const watermarks = await readWatermarks(warehouseFile);
    const rows = withWatermarks(
      tally.streams(),
      watermarks,
      before.rows,
      await rowCounts(warehouseFile, config.datasets),
    );
    process.stdout.write(`\n${summaryTable(rows)}\n\n`);

    // As the deployed daily task does: users Iterable has forgotten leave every table before the
    // facts are built. An unreadable list is a warning here, never a failed run.
    const forgotten = await forgetLocal({
      iterable,
      warehouseFile,
      datasets: config.datasets,
      log,
    });
    process.stdout.write(`${forgetSummary(forgotten)}\n\n`);

    const facts = await buildFacts({
      warehouseFile,
      datasets: config.datasets,
      metrics: new CampaignMetricsClient({
        baseUrl,
        apiKey: simulator ? DEMO.apiKey : (config.iterable.apiKey ?? ''),
      }),
      lookbackDays: config.factLookbackDays,
      conversionEventNames: config.conversionEventNames,
      loadedUntil: exportsLoadedUntil(watermarks),
    });
    process.stdout.write(`${factsReport(facts)}\n\n`);
    const dashboard = await writeDashboard({ warehouseFile, datasets: config.datasets, now: Date.now() });
    process.stdout.write(`Warehouse: ${warehouseFile}\nLog:       ${logFile}\nDashboard: ${dashboard}\n`);
    const failed = rows.filter((r) => r.failed > 0);
    if (failed.length > 0) {
      process.stderr.write(
        `\n${failed.length} stream(s) have windows that failed after every retry; they stay in the ledger and the next run retries them:\n${failed
          .map((r) => `  ${r.stream}: ${r.lastError}`)
          .join('\n')}\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    await simulator?.close();
  }
}

runCommand(main);
