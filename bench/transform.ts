/**
 * Measurement 1: the worker's per-record path against the ceilings on the same bytes, in the same
 * process. Each path reads the same 64 KiB chunks through an async iterator, as from a socket:
 *   split     `ndjsonBatches` alone (decode and cut lines);
 *   parse     split, then `JSON.parse` of every line: no path can beat this;
 *   normalise split, parse, validate and normalise (`toLoadBatches`): the pipeline core's share;
 *   full      normalise, then the rows serialised as the deployed worker uploads them to BigQuery's
 *             staging load jobs (`loadPlan(…).stageRows`: CSV lines, NDJSON for the odd row).
 * Rounds alternate the paths and the best round of each counts, so a GC pause or a noisy
 * neighbour in one round does not decide the figure.
 */
import { streamByName } from '../functions/src/catalog.js';
import { loadPlan } from '../functions/src/gcp/bigquery-load.js';
import { ndjsonBatches } from '../functions/src/iterable/ndjson.js';
import { normaliser, toLoadBatches } from '../functions/src/pipeline/normalise.js';
import { atLeast, type Figure, figure } from './figure.js';
import { type Fixture, type FixtureStream, fixture } from './fixture.js';

export interface TransformSizes {
  readonly records: number;
  readonly rounds: number;
}

/** The floor: the full path keeps at least half the `JSON.parse` ceiling's pace. */
const SHARE_OF_CEILING = 0.5;

async function* replay(chunks: readonly Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

type Path = (f: Fixture) => Promise<number>;

const split: Path = async (f) => {
  let n = 0;
  for await (const batch of ndjsonBatches(replay(f.chunks))) n += batch.length;
  return n;
};

const parse: Path = async (f) => {
  let n = 0;
  for await (const batch of ndjsonBatches(replay(f.chunks))) {
    for (const line of batch) if (JSON.parse(line) !== null) n++;
  }
  return n;
};

const normalise: Path = async (f) => {
  let n = 0;
  const batches = toLoadBatches(
    ndjsonBatches(replay(f.chunks)),
    normaliser(streamByName(f.stream), f.window),
  );
  for await (const batch of batches) n += batch.rows.length;
  return n;
};

const full: Path = async (f) => {
  const stream = streamByName(f.stream);
  const plan = loadPlan(stream, { projectId: 'bench', dataset: 'iterable_raw' });
  let n = 0;
  let bytes = 0;
  for await (const batch of toLoadBatches(ndjsonBatches(replay(f.chunks)), normaliser(stream, f.window))) {
    // What the warehouse writes to the staging load jobs for this batch.
    const staged = plan.stageRows(batch.rows);
    bytes += staged.csv.length + staged.ndjson.length;
    n += batch.rows.length;
  }
  if (bytes === 0) throw new Error('the full path serialised nothing');
  return n;
};

const PATHS = { split, parse, normalise, full } as const;

async function bestRate(f: Fixture, rounds: number): Promise<Record<keyof typeof PATHS, number>> {
  const best = { split: 0, parse: 0, normalise: 0, full: 0 };
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(PATHS) as (keyof typeof PATHS)[]) {
      const started = performance.now();
      const n = await PATHS[name](f);
      const seconds = (performance.now() - started) / 1000;
      if (n !== f.records) throw new Error(`${name} saw ${n} of ${f.records} ${f.stream} records`);
      best[name] = Math.max(best[name], n / seconds);
    }
  }
  return best;
}

export async function measureTransform(sizes: TransformSizes): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const stream of ['email_open', 'email_send'] satisfies FixtureStream[]) {
    const f = fixture(stream, sizes.records);
    const rate = await bestRate(f, sizes.rounds);
    const label = `transform ${stream} (${Math.round(f.bytes / f.records)} B/record)`;
    figures.push(
      figure(`${label}: split ceiling`, rate.split, 'records/s'),
      figure(`${label}: JSON.parse ceiling`, rate.parse, 'records/s'),
      figure(`${label}: normalise, no serialising`, rate.normalise, 'records/s'),
      figure(`${label}: full path`, rate.full, 'records/s'),
      figure(`${label}: full / JSON.parse`, rate.full / rate.parse, '×', atLeast(SHARE_OF_CEILING)),
    );
  }
  return figures;
}
