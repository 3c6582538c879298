import { openSync, writeSync } from 'node:fs';
import type { Logger } from '../functions/src/log.js';

/**
 * Structured logs go to a file beside the warehouse, one JSON object per line, as on GCP. The file
 * is opened at the first entry, so a run that stops before logging anything leaves no empty log.
 */
export function fileLogger(file: string): Logger {
  let fd: number | null = null;
  return (entry) => {
    fd ??= openSync(file, 'a');
    writeSync(fd, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  };
}
