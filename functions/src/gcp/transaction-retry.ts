/**
 * BigQuery cancels a transaction that mutates a table another transaction is mutating
 * ("Transaction is aborted due to concurrent update"): https://cloud.google.com/bigquery/docs/transactions#transaction_concurrency.
 * Windows of different streams write disjoint tables (functions/src/per-stream-tables.ts), so
 * only two loads of one stream (a duplicate task delivery, a lookback window beside a new one) or
 * a load beside the forget step's deletes can conflict.
 * Rerunning the transaction alone is cheap (the staged rows stay put), whereas failing the task
 * would re-read the window from Iterable against its 4 exports/minute.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { retrying } from '../retrying.js';

export interface TransactionRetryOptions {
  readonly attempts: number;
  /** Delay before the second attempt; each later one waits twice as long, plus up to 50% jitter. */
  readonly firstDelayMs: number;
}

/** 5 attempts waiting about 2 + 4 + 8 + 16 s: longer than a replace transaction usually takes. */
export const DEFAULT_TRANSACTION_RETRY: TransactionRetryOptions = { attempts: 5, firstDelayMs: 2000 };

const CONFLICT = /concurrent update|could not serialize access/i;

function isTransactionConflict(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const details = (error as Error & { errors?: readonly { message?: string }[] }).errors ?? [];
  return CONFLICT.test(error.message) || details.some((d) => CONFLICT.test(d.message ?? ''));
}

export function retryConflicts<T>(run: () => Promise<T>, options: TransactionRetryOptions): Promise<T> {
  return retrying(
    run,
    (error, attempt) => {
      if (attempt + 1 >= options.attempts || !isTransactionConflict(error)) return null;
      const base = options.firstDelayMs * 2 ** attempt;
      return base + Math.random() * base * 0.5;
    },
    (ms) => delay(ms),
  );
}
