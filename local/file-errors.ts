/**
 * The local files a run depends on (the DuckDB warehouse and its JSON ledger) fail in ways a
 * person fixes by hand: a wrong path, a file cut short, another process holding it. Each becomes a
 * `LocalFileError` that names the file and says what to do, instead of DuckDB's or V8's own words.
 */

/** A local file that cannot be used as it is; the message names it and the way out. */
export class LocalFileError extends Error {
  /** `inUse`: another process holds it, which passes; anything else needs a person. */
  readonly inUse: boolean;

  constructor(message: string, options?: ErrorOptions & { inUse?: boolean }) {
    super(message, options);
    this.name = 'LocalFileError';
    this.inUse = options?.inUse ?? false;
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * DuckDB's open errors, matched on its IO Error texts (duckdb/duckdb src/common/local_file_system.cpp:
 * "Could not read from file … Is a directory", "Could not read enough bytes", "Could not set lock").
 */
export function warehouseOpenError(file: string, error: unknown): LocalFileError {
  const said = messageOf(error);
  const lock = /Could not set lock on file.*?(PID \d+)/s.exec(said);
  if (lock) {
    return new LocalFileError(
      `the warehouse ${file} is in use by another process (${lock[1]}), probably another npm start or ` +
        'npm run backfill: wait for it to finish, or pass another --warehouse <file>',
      { cause: error, inUse: true },
    );
  }
  if (/Is a directory/.test(said)) {
    return new LocalFileError(
      `the warehouse ${file} is a directory; pass a file path, e.g. --warehouse ${file.replace(/\/+$/, '')}/warehouse.duckdb`,
      { cause: error },
    );
  }
  if (/Could not read enough bytes|not a valid DuckDB database|Corrupt|checksum/i.test(said)) {
    return new LocalFileError(
      `the warehouse ${file} is damaged (cut short or not a DuckDB file: ${said.replace(/^IO Error: /, '')}); ` +
        `move it and its ledger ${file}.state.json away to load afresh, or pass another --warehouse <file>`,
      { cause: error },
    );
  }
  return new LocalFileError(`cannot open the warehouse ${file}: ${said}`, { cause: error });
}

/** The ledger's JSON could not be parsed: it was cut short or edited by hand. */
export function ledgerReadError(file: string, error: unknown): LocalFileError {
  return new LocalFileError(
    `the ledger ${file} is not valid JSON (${messageOf(error)}); it was cut short or edited. Move it ` +
      'away to start afresh: the next run plans every window again, and a window that is loaded again ' +
      'replaces its rows, so nothing is duplicated',
    { cause: error },
  );
}
