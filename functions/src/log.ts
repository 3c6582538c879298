/**
 * Structured logs: one JSON object per line, with `severity` and `message` as Cloud Logging reads
 * them (https://cloud.google.com/logging/docs/structured-logging). Entries carry stream, window,
 * rows and attempts; never the Iterable key.
 */
export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

export interface LogEntry {
  readonly severity: Severity;
  readonly message: string;
  readonly [field: string]: unknown;
}

export type Logger = (entry: LogEntry) => void;

export const stdoutLogger: Logger = (entry) => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};
