/**
 * The zod pieces the network-facing schemas (task payload, fan-out body), the configuration and
 * the stored ledger share, so each is written once.
 */
import { z } from 'zod';
import { STREAM_NAMES, type StreamName } from './catalog.js';

/** A stream of the catalog, by name. */
export const StreamNameSchema = z.enum(STREAM_NAMES as [StreamName, ...StreamName[]]);

/** An ISO-8601 time with an offset (`Z` or `±hh:mm`), read as epoch milliseconds. */
export const IsoInstantSchema = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

/** A zod error's issues as `path: message`; `whole` names the input itself when the path is empty. */
export const describeIssues = (error: z.ZodError, whole: string): string[] =>
  error.issues.map((i) => `${i.path.join('.') || whole}: ${i.message}`);
