/**
 * Flags of the operator commands, `npm run status` and `npm run backfill`, and how they end:
 * bad input stops them with one message saying what to fix and exit code 2, before anything is
 * read or planned, as `npm start` does.
 */
import { STREAMS, type StreamName } from '../functions/src/catalog.js';
import { ConfigError } from '../functions/src/config.js';
import { IterableError } from '../functions/src/iterable/errors.js';
import { ITERABLE_EXPORTS_PER_MINUTE } from '../functions/src/iterable/limits.js';
import { LocalFileError } from '../local/file-errors.js';
import { parseFlags, parseInstant, parseStreamsFlag } from './flags.js';
import { DEMO_WAREHOUSE, defaultWarehouse, PROJECT_WAREHOUSE } from './warehouse-check.js';

export const STATUS_USAGE = `Usage: npm run status -- [--warehouse <file>] [--gcp]

  --warehouse  the local warehouse to report on (default: ${PROJECT_WAREHOUSE} with ITERABLE_API_KEY set,
               else the demo's ${DEMO_WAREHOUSE}; its ledger is <file>.state.json)
  --gcp        report on the deployed pipeline instead: Firestore's ledger and BigQuery's counts,
               configured by the deployed functions' environment variables (docs/deploy.md)

Exit code 1 when some stream has failed windows.`;

export const BACKFILL_USAGE = `Usage: npm run backfill -- --from <ISO date or time> [--to <ISO date or time>]
                           [--streams a,b] [--warehouse <file>] [--reread] [--gcp]

  --from       start of the history to load
  --to         end of it, exclusive (default: now − LAG_MINUTES); only the part behind each
               stream's watermark is loaded: later events are the regular runs' to load
  --streams    comma-separated subset of the event streams (default: STREAMS, else all; dimensions
               have no history): ${STREAMS.filter((s) => s.source.kind === 'export')
                 .map((s) => s.name)
                 .join(', ')}
  --warehouse  the local warehouse to load into (default: ${PROJECT_WAREHOUSE} with ITERABLE_API_KEY set,
               else the demo's ${DEMO_WAREHOUSE})
  --reread     read windows the ledger has as loaded again too (by default only the parts of the range
               no loaded window covers are read; the ledger remembers windows for 7 days behind the watermark)
  --gcp        enqueue the windows on the deployed pipeline's Cloud Tasks queue instead of loading
               them here, configured by the deployed fan-out's environment variables (docs/deploy.md)

A window is one export, and Iterable allows ${ITERABLE_EXPORTS_PER_MINUTE} of them a minute.`;

export interface StatusOptions {
  readonly warehouse: string;
  readonly gcp: boolean;
  readonly help: boolean;
}

export interface BackfillOptions extends StatusOptions {
  readonly from: number;
  readonly to: number | null;
  readonly streams: readonly StreamName[] | null;
  readonly reread: boolean;
}

const COMMON = {
  warehouse: { type: 'string' },
  gcp: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseStatusOptions(argv: readonly string[]): StatusOptions {
  const values = parseFlags(argv, COMMON, STATUS_USAGE);
  return {
    warehouse: values.warehouse ?? defaultWarehouse(),
    gcp: values.gcp ?? false,
    help: values.help ?? false,
  };
}

export function parseBackfillOptions(argv: readonly string[]): BackfillOptions {
  const options = {
    ...COMMON,
    from: { type: 'string' },
    to: { type: 'string' },
    streams: { type: 'string' },
    reread: { type: 'boolean' },
  } as const;
  const values = parseFlags(argv, options, BACKFILL_USAGE);
  const base = { warehouse: values.warehouse ?? defaultWarehouse(), gcp: values.gcp ?? false };
  if (values.help) return { ...base, help: true, from: 0, to: null, streams: null, reread: false };
  if (values.from === undefined) {
    throw new ConfigError(`--from is required: where the history to load starts\n\n${BACKFILL_USAGE}`);
  }
  const from = parseInstant('--from', values.from);
  const to = values.to === undefined ? null : parseInstant('--to', values.to);
  if (to !== null && from >= to) {
    throw new ConfigError(
      `--from ${values.from} is not before --to ${values.to}; give a range that moves forward`,
    );
  }
  const streams = values.streams === undefined ? null : parseStreamsFlag(values.streams);
  return { ...base, help: false, from, to, streams, reread: values.reread ?? false };
}

/** Runs a command's main and exits with its code; known errors print one line, exit code 2. */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const known =
        error instanceof ConfigError || error instanceof IterableError || error instanceof LocalFileError;
      process.stderr.write(`\nError: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      process.exit(2);
    },
  );
}
