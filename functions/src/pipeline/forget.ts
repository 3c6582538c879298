/**
 * The forget step: read the users Iterable has forgotten and delete every row of theirs from the
 * warehouse (`UserEraser`), auditing each by hash only. Iterable stops exporting a forgotten user,
 * but copies already loaded stay until deleted (shared/iterable-api.md, "Forgotten users").
 *
 * A list that cannot be read is a warning, never a failed run: the loads are unaffected, and the
 * next run reads the list again. Each of the two lists exists only for some projects (the email
 * list errors on user-id based projects, the user-id list on email based ones; swagger
 * descriptions of both endpoints), so one refused with a 400 while the other answers is normal.
 */
import { SHA256_HEX } from '../forget-tables.js';
import { IterableError } from '../iterable/errors.js';
import type { Logger } from '../log.js';
import type { ForgetOutcome, ForgottenHash, ForgottenSource, UserEraser } from '../ports.js';

export interface ForgetDeps {
  readonly iterable: ForgottenSource;
  readonly warehouse: UserEraser;
  readonly now: () => number;
  readonly log: Logger;
}

export interface ForgetResult {
  /** `null` when no list could be read, so nothing was deleted. */
  readonly outcome: ForgetOutcome | null;
  /** Hashes read from Iterable's lists. */
  readonly listed: number;
  /** What went wrong reading the lists; shown as WARNING in the run summary. */
  readonly warnings: readonly string[];
}

interface ListRead {
  readonly kind: ForgottenHash['kind'];
  readonly hashes: readonly string[] | null;
  readonly error: unknown;
}

const LISTS: readonly { kind: ForgottenHash['kind']; read: (s: ForgottenSource) => Promise<string[]> }[] = [
  { kind: 'email', read: (s) => s.forgottenEmailHashes() },
  { kind: 'user_id', read: (s) => s.forgottenUserIdHashes() },
];

/** Iterable's answer for the list a project of the other kind does not have. */
const isWrongProjectKind = (error: unknown): boolean =>
  error instanceof IterableError && error.status === 400;

export async function forgetUsers(deps: ForgetDeps): Promise<ForgetResult> {
  const reads: ListRead[] = await Promise.all(
    LISTS.map(async ({ kind, read }) => {
      try {
        return { kind, hashes: await read(deps.iterable), error: null };
      } catch (error) {
        return { kind, hashes: null, error };
      }
    }),
  );
  const warnings: string[] = [];
  const readable = reads.filter((r) => r.hashes !== null);
  for (const r of reads) {
    if (r.hashes !== null) continue;
    if (readable.length > 0 && isWrongProjectKind(r.error)) continue;
    warnings.push(
      `the forgotten ${r.kind === 'email' ? 'email' : 'user id'} list could not be read: ${message(r.error)}`,
    );
  }
  const users: ForgottenHash[] = [];
  for (const r of readable) {
    for (const raw of r.hashes ?? []) {
      const hash = raw.trim().toLowerCase();
      if (SHA256_HEX.test(hash)) users.push({ hash, kind: r.kind });
      else warnings.push(`skipped a forgotten ${r.kind} entry that is not a SHA-256 hex digest`);
    }
  }
  if (readable.length === 0) {
    deps.log({ severity: 'WARNING', message: `forget skipped: ${warnings.join('; ')}` });
    return { outcome: null, listed: 0, warnings };
  }
  const started = deps.now();
  const outcome = await deps.warehouse.forget(users, started);
  const rows = outcome.forgotten.reduce((sum, u) => sum + u.rows, 0);
  deps.log({
    severity: warnings.length > 0 ? 'WARNING' : 'INFO',
    message: `forgot ${outcome.forgotten.length} users (${rows} rows deleted); ${outcome.unchanged} already forgotten${
      warnings.length > 0 ? `; ${warnings.join('; ')}` : ''
    }`,
    listed: users.length,
    forgotten: outcome.forgotten.length,
    rowsDeleted: rows,
    durationMs: deps.now() - started,
  });
  return { outcome, listed: users.length, warnings };
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
