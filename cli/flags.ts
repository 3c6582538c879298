/**
 * Flag parsing shared by every command: strict flags with the command's usage on error, and the
 * values several commands take (instants, whole numbers, stream lists). Bad input is a ConfigError
 * that says what to fix.
 */
import { parseArgs } from 'node:util';
import { readStreamList, type StreamName } from '../functions/src/catalog.js';
import { ConfigError } from '../functions/src/config.js';

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

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Parses a command's flags; an unknown flag or a missing value is a ConfigError with the usage. */
export function parseFlags<O extends Options>(argv: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${usage}`);
  }
}

/** A whole-number flag of at least `min`, or a ConfigError that says what was given. */
export function wholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new ConfigError(`--${flag} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** A `--streams a,b` value: known stream names, or a ConfigError naming the bad one. */
export function parseStreamsFlag(value: string): StreamName[] {
  try {
    return readStreamList(value);
  } catch (error) {
    throw new ConfigError(`--streams: ${(error as Error).message}`);
  }
}
