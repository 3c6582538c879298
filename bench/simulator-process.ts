/**
 * The Iterable simulator in a process of its own, for the end-to-end benchmark: it stands in for
 * Iterable's servers, so it must not share the pipeline's core. Says `{url, events}` once it listens.
 */
import { STREAMS } from '../functions/src/catalog.js';
import { startSimulator } from '../simulator/server.js';

export interface SimulatorArgs {
  readonly seed: number;
  readonly from: number;
  readonly to: number;
  readonly events: number;
  readonly apiKey: string;
}

export interface SimulatorHello {
  readonly url: string;
  /** Records the export streams hold in all: what a full load must write. */
  readonly events: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as SimulatorArgs;
// The export limit is Iterable's to enforce; the benchmark measures the pipeline's own pace.
const simulator = await startSimulator({ ...args, exportsPerMinute: 1_000_000 });
const events = STREAMS.filter((s) => s.source.kind === 'export').reduce(
  (sum, s) => sum + simulator.truth.count(s.name),
  0,
);
const hello: SimulatorHello = { url: simulator.url, events };
process.stdout.write(`${JSON.stringify(hello)}\n`);
process.on('SIGTERM', () => void simulator.close().then(() => process.exit(0)));
