/**
 * `npm run chaos [-- --seed 1 --days 3 --events 30000]`: the chaos run with its figures. Exits 1
 * if any record is missing, duplicated, made up or wrongly rejected.
 */
import { ConfigError } from '../functions/src/config.js';
import { type ChaosReport, isClean, runChaos } from './chaos-run.js';
import { parseFlags, wholeNumber } from './flags.js';
import { runCommand } from './operator-options.js';
import { textTable } from './text-table.js';

const USAGE = `Usage: npm run chaos -- [--seed 1] [--days 3] [--events 30000] [--mode stream|jobs]

Runs the local pipeline against the simulator with every fault injected, then compares the raw
tables with the simulator's records. --mode jobs reads every window through export jobs
(ITERABLE_EXPORT_MODE=jobs), with their faults: truncated exports, restarts, failed jobs and
expired download links. Exit code 0: every record exactly once; 1: some missing,
duplicated, made up or wrongly rejected; 2: bad flags.`;

async function main(): Promise<number> {
  const values = parseFlags(
    process.argv.slice(2),
    {
      seed: { type: 'string', default: '1' },
      days: { type: 'string', default: '3' },
      events: { type: 'string', default: '30000' },
      mode: { type: 'string', default: 'stream' },
      help: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.mode !== 'stream' && values.mode !== 'jobs') {
    throw new ConfigError(`--mode must be stream or jobs, got ${values.mode}`);
  }
  const started = Date.now();
  const report = await runChaos({
    seed: wholeNumber('seed', String(values.seed), 0),
    days: wholeNumber('days', String(values.days), 1),
    events: wholeNumber('events', String(values.events), 1),
    apiKey: 'chaos-key',
    mode: values.mode,
  });
  process.stdout.write(`${format(report)}\n\nfinished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return isClean(report) ? 0 : 1;
}

runCommand(main);

function format(r: ChaosReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const total = (key: 'expected' | 'loaded' | 'missing' | 'duplicates' | 'unexpected') =>
    n(r.streams.reduce((sum, s) => sum + s[key], 0));
  const columns = ['expected', 'loaded', 'missing', 'duplicates', 'unexpected'] as const;
  const streams = textTable({
    header: ['stream', ...columns],
    rows: r.streams.map((s) => [s.stream, ...columns.map((c) => n(s[c]))]),
    left: new Set([0]),
    footer: [['total', ...columns.map(total)]],
  });
  return [
    `Chaos run, seed ${r.seed}, ${r.mode === 'jobs' ? 'export jobs' : 'streaming exports'}, ${r.passes} passes; warehouse ${r.warehouseFile}`,
    `Requests with data: ${n(r.exports)} streaming exports, ${n(r.jobs)} export jobs`,
    '',
    'Faults injected (requests):',
    ...Object.entries(r.faults).map(([kind, count]) => `  ${kind.padEnd(16)}${n(count).padStart(6)}`),
    `  ${'late records'.padEnd(16)}${n(r.lateRecords).padStart(6)}`,
    `  ${'landed by settle'.padEnd(16)}${n(r.landedBySettle).padStart(6)}`,
    '',
    `Retries: ${n(r.clientRetries)} by the Iterable client, ${n(r.queueRetries)} by the task queue`,
    `Windows split after repeated cuts: ${n(r.windowsSplit)}`,
    `Windows failed after every attempt: ${n(r.windowsFailed)}, recovered by a later run: ${n(r.windowsRecovered)}`,
    '',
    streams,
    '',
    'Rejected lines (made-up bad lines the simulator injected):',
    ...r.rejects.map((x) => `  ${x.reason.padEnd(40)}${n(x.count).padStart(6)}`),
    `  real records wrongly rejected: ${n(r.wronglyRejected)}`,
    '',
    isClean(r) ? 'OK: every record exactly once.' : 'FAILED: records missing, duplicated or made up.',
  ].join('\n');
}
