/**
 * The SQL of forgetting, written once for both warehouses: each engine supplies only its spelling
 * of a SHA-256 hex digest, of a value found in a JSON line by pattern, and of a string literal.
 * Rows are matched on the hash of their own lower-cased, trimmed identifiers, the form Iterable
 * lists (swagger: GET /api/users/forgotten), so no plain identifier is ever needed.
 */
import { type ForgetTarget, type IdentifierSource, lineKeyPattern } from './forget-tables.js';

export interface ForgetDialect {
  /** SHA-256 of the text, as lower-case hex. */
  readonly sha256Hex: (text: string) => string;
  /** The first capture group of `pattern` in `text`, or NULL / '' when it does not match. */
  readonly regexpGroup: (text: string, pattern: string) => string;
  readonly literal: (value: string) => string;
}

/**
 * BigQuery: `SHA256` returns BYTES, `TO_HEX` writes lower-case hex; `REGEXP_EXTRACT` returns the
 * one capture group. String literals take backslash escapes.
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/hash_functions#sha256
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/string_functions#regexp_extract
 */
export const BIGQUERY_DIALECT: ForgetDialect = {
  sha256Hex: (text) => `TO_HEX(SHA256(${text}))`,
  regexpGroup: (text, pattern) => `REGEXP_EXTRACT(${text}, ${BIGQUERY_DIALECT.literal(pattern)})`,
  literal: (value) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`,
};

/** The normalisation Iterable hashes: lower-cased and trimmed; user ids may be numbers in JSON. */
const normalised = (expression: string): string => `LOWER(TRIM(CAST(${expression} AS STRING)))`;

export function identifierHash(dialect: ForgetDialect, source: IdentifierSource | null, alias = ''): string {
  if (source === null) return 'CAST(NULL AS STRING)';
  const prefix = alias ? `${alias}.` : '';
  const value =
    'column' in source
      ? `${prefix}${source.column}`
      : dialect.regexpGroup(`${prefix}${source.line}`, lineKeyPattern(source.lineKey));
  return dialect.sha256Hex(normalised(value));
}

/**
 * A condition true for rows of no forgotten user: both of the row's hashes are absent from
 * `hashes` (a table or subquery with a `user_hash` column). A NULL identifier hashes to NULL and
 * is read as absent.
 */
export function notForgotten(
  dialect: ForgetDialect,
  target: Pick<ForgetTarget, 'email' | 'userId'>,
  hashes: string,
): string {
  const list = `(SELECT user_hash FROM ${hashes})`;
  return [target.email, target.userId]
    .filter((s) => s !== null)
    .map((s) => `IFNULL(${identifierHash(dialect, s)}, '') NOT IN ${list}`)
    .join(' AND ');
}

export interface TargetSql {
  /** `user_hash`, `n`: the rows of each hash in `hashes` that the table holds. */
  readonly count: string;
  readonly delete: string;
}

/** Counting and deleting one table's rows of the users in `hashes`. */
export function targetSql(
  dialect: ForgetDialect,
  target: ForgetTarget,
  table: string,
  hashes: string,
): TargetSql {
  const list = `(SELECT user_hash FROM ${hashes})`;
  const email = identifierHash(dialect, target.email);
  const userId = identifierHash(dialect, target.userId);
  const matches = (e: string, u: string) => `${e} IN ${list} OR ${u} IN ${list}`;
  return {
    count: `SELECT CASE WHEN email_hash IN ${list} THEN email_hash ELSE user_id_hash END AS user_hash, COUNT(*) AS n
      FROM (SELECT ${email} AS email_hash, ${userId} AS user_id_hash FROM ${table}) AS hashed
      WHERE ${matches('email_hash', 'user_id_hash')}
      GROUP BY 1`,
    delete: `DELETE FROM ${table} WHERE ${matches(email, userId)}`,
  };
}
