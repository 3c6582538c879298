/**
 * `npm start` flags → validated run options. Bad input ends the program with one message that
 * says what to fix, before anything is touched.
 */
import { STREAM_NAMES, type StreamName } from '../functions/src/catalog.js';
import { ConfigError } from '../functions/src/config.js';
import { parseFlags, parseInstant, parseStreamsFlag } from './flags.js';
import { DEMO_WAREHOUSE, defaultWarehouse, PROJECT_WAREHOUSE } from './warehouse-check.js';

export const USAGE = `Usage: npm start -- [--from <ISO date or time>] [--to <ISO date or time>]
                    [--warehouse <file>] [--streams a,b]

  --from       where history starts on a stream's first run (default: HISTORY_DAYS ago; in the demo, the
               start of the simulated history); later runs continue from each stream's watermark
  --to         end of the loaded range, used exactly as given (default: now − LAG_MINUTES)
  --warehouse  DuckDB file to load into (default: ${PROJECT_WAREHOUSE}; the demo's is ${DEMO_WAREHOUSE});
               it holds one Iterable project, and refuses a run that reads another
  --streams    comma-separated subset of: ${STREAM_NAMES.join(', ')}

Without ITERABLE_API_KEY the run is a demo against the built-in Iterable simulator.`;

export interface RunOptions {
  readonly from: number | null;
  readonly to: number | null;
  readonly warehouse: string;
  readonly streams: readonly StreamName[] | null;
  readonly help: boolean;
}

export function parseRunOptions(argv: readonly string[]): RunOptions {
  const values = parseFlags(
    argv,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      warehouse: { type: 'string' },
      streams: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  const from = values.from === undefined ? null : parseInstant('--from', values.from);
  const to = values.to === undefined ? null : parseInstant('--to', values.to);
  if (from !== null && to !== null && from >= to) {
    throw new ConfigError(
      `--from ${values.from} is not before --to ${values.to}; give a range that moves forward`,
    );
  }
  return {
    from,
    to,
    warehouse: values.warehouse ?? defaultWarehouse(),
    streams: values.streams === undefined ? null : parseStreamsFlag(values.streams),
    help: values.help ?? false,
  };
}
