/**
 * Downloads a completed export job's files with bounded parallelism, each read whole (≤ 10 MB,
 * swagger: getExportFiles) before its lines go downstream, so a download cut off halfway is
 * simply fetched again and never yields half a file.
 *
 * The links are pre-signed (no API key) and expire 30 minutes after they are listed (swagger:
 * ExportFileAndUrl); an expired one answers 403 (or 400 from some signers), and then the files
 * are listed again for fresh links (shared/iterable-api.md, "on 403 re-list the files").
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type IterableError, IterableRequestError, IterableServerError } from './errors.js';

export interface JobFile {
  readonly file: string;
  readonly url: string;
}

/** Lists every file of the job, with fresh links. */
export type FileListing = () => Promise<readonly JobFile[]>;

/** Listings again for one file whose fresh link still answers expired: the signer is broken. */
const MAX_RELISTS = 3;
/** Downloads again of one file after a 5xx or a cut connection. */
const MAX_RETRIES = 4;

export async function* downloadJobFiles(
  list: FileListing,
  parallel: number,
  signal?: AbortSignal,
): AsyncIterable<string[]> {
  const links = new Links(list);
  const names = await links.names();
  const stop = new AbortController();
  const signals = signal ? [signal, stop.signal] : [stop.signal];
  const inFlight = new Map<number, Promise<{ index: number; lines: string[] }>>();
  let next = 0;
  try {
    while (next < names.length || inFlight.size > 0) {
      while (inFlight.size < parallel && next < names.length) {
        const index = next++;
        const download = fetchFile(links, names[index] as string, AbortSignal.any(signals)).then((lines) => ({
          index,
          lines,
        }));
        // Raced below; a second failure after the first has ended the download must not go unhandled.
        download.catch(() => undefined);
        inFlight.set(index, download);
      }
      const { index, lines } = await Promise.race(inFlight.values());
      inFlight.delete(index);
      if (lines.length > 0) yield lines;
    }
  } finally {
    stop.abort();
  }
}

/** The job's links by file name, listed once and again when one has expired. */
class Links {
  #byName = new Map<string, string>();
  #listing: Promise<void> | null = null;
  #listings = 0;

  constructor(private readonly list: FileListing) {}

  async names(): Promise<string[]> {
    await this.refresh(0);
    return [...this.#byName.keys()];
  }

  url(name: string): string {
    return this.#byName.get(name) ?? '';
  }

  /** Lists again, once for all the downloads that found their link expired at the same time. */
  refresh(seen: number): Promise<void> {
    if (seen < this.#listings) return Promise.resolve();
    this.#listing ??= this.list().then((files) => {
      this.#byName = new Map(files.map((f) => [f.file, f.url]));
      this.#listings++;
      this.#listing = null;
    });
    return this.#listing;
  }

  get listings(): number {
    return this.#listings;
  }
}

async function fetchFile(links: Links, name: string, signal: AbortSignal): Promise<string[]> {
  let relists = 0;
  for (let retries = 0; ; ) {
    const listing = links.listings;
    let status: number | null = null;
    try {
      const response = await fetch(links.url(name), { signal });
      status = response.status;
      if (response.ok) return splitLines(await response.text());
      await response.body?.cancel();
    } catch (error) {
      if (signal.aborted) throw error;
    }
    if (status === 403 || status === 400) {
      if (++relists > MAX_RELISTS)
        throw failure(name, `its link still answers ${status} after ${MAX_RELISTS} fresh listings`);
      await links.refresh(listing);
      continue;
    }
    if (status !== null && status < 500) throw failure(name, `its link answers ${status}`, false);
    if (++retries > MAX_RETRIES)
      throw failure(name, `${MAX_RETRIES + 1} downloads failed (last: ${status ?? 'no answer'})`);
    await delay(2 ** retries * 100, undefined, { signal });
  }
}

function failure(name: string, why: string, retryable = true): IterableError {
  const Failure = retryable ? IterableServerError : IterableRequestError;
  return new Failure(`cannot download the export file ${name}: ${why}; the window is retried whole`, {
    status: null,
    code: null,
    retryable,
  });
}

/** Blank lines dropped, a last line without its newline kept: as the streaming export's parser. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.length > 0) lines.push(trimmed);
  }
  return lines;
}
