/**
 * `npm run bench`: measures the pipeline at the sizes of issue 6 and prints every figure with its
 * target and the ratio; bench/README.md records the latest run and what bounds each figure.
 * Takes several minutes, most of it generating and loading a million events and more.
 * Section numbers as arguments (`tsx bench/run.ts 3`) run only those sections.
 */
import { cpus, totalmem } from 'node:os';
import { FULL_SIZES, runBenchmarks } from './benchmarks.js';
import { formatFigures, meets } from './figure.js';

const cores = cpus();
process.stdout.write(
  `Machine: ${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
);
const started = performance.now();
const only = process.argv.slice(2).map(Number);
const sections = await runBenchmarks(
  FULL_SIZES,
  (s) => {
    process.stdout.write(`\n${s.title}\n${formatFigures(s.figures)}\n`);
  },
  only,
);
const targeted = sections.flatMap((s) => s.figures).filter((f) => f.target !== null);
const missed = targeted.filter((f) => meets(f) === false);
process.stdout.write(
  `\n${targeted.length - missed.length} of ${targeted.length} targets met` +
    `${missed.length > 0 ? `; missed: ${missed.map((f) => f.name.trim()).join('; ')}` : ''}` +
    ` (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
);
