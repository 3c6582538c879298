/**
 * `npm start` flags → validated run options. Bad input ends the program with one message that
 * says what to fix, before anything is touched.
 */
import { parseArgs } from 'node:util';
import { readStreamList, STREAM_NAMES, type StreamName } from '../functions/src/catalog.js';
import { ConfigError } from '../functions/src/config.js';

export const DEFAULT_WAREHOUSE = '.local/warehouse.duckdb';

export const USAGE = `Usage: npm start -- [--from <ISO date or time>] [--to <ISO date or time>]
                    [--warehouse <file>] [--streams a,b]

  --from       where history starts on a stream's first run (default: HISTORY_DAYS ago; in the demo, the
               start of the simulated history); later runs continue from each stream's watermark
  --to         end of the loaded range, used exactly as given (default: now − LAG_MINUTES)
  --warehouse  DuckDB file to load into (default: ${DEFAULT_WAREHOUSE})
  --streams    comma-separated subset of: ${STREAM_NAMES.join(', ')}

Without ITERABLE_API_KEY the run is a demo against the built-in Iterable simulator.`;

export interface RunOptions {
  readonly from: number | null;
  readonly to: number | null;
  readonly warehouse: string;
  readonly streams: readonly StreamName[] | null;
  readonly help: boolean;
}

/** `2026-11-01`, `2026-11-01T10:00`, `2026-11-01T10:00:00Z`; a time without a zone is UTC. */
export function parseInstant(flag: string, value: string): number {
  const text = value.trim();
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) || hasZone ? text : `${text}Z`;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ConfigError(
      `${flag} ${JSON.stringify(value)} is not an ISO date or time; use e.g. 2026-11-01 or 2026-11-01T06:00:00Z`,
    );
  }
  return ms;
}

function parseStreams(value: string): StreamName[] {
  try {
    return readStreamList(value);
  } catch (error) {
    throw new ConfigError(`--streams: ${(error as Error).message}`);
  }
}

export function parseRunOptions(argv: readonly string[]): RunOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${USAGE}`);
  }
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
    warehouse: values.warehouse ?? DEFAULT_WAREHOUSE,
    streams: values.streams === undefined ? null : parseStreams(values.streams),
    help: values.help ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      warehouse: { type: 'string' },
      streams: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
