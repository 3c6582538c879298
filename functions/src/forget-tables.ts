/**
 * Where a forgotten user's rows can be, declared once for both warehouses: every raw table of the
 * catalog whose stream carries an email or a user id, every stream's rejects table (whose raw line
 * holds them), and
 * a short declared list of tables outside the catalog (facts keyed by user, the live webhook
 * table). A stream added to the catalog with an `email` or `user_id` column is forgotten from
 * without further work; a new table keyed by user outside it is one line in `DECLARED_TARGETS`.
 *
 * Iterable lists forgotten users as SHA-256 (hex) of the lower-cased, trimmed email or user id
 * (swagger: GET /api/users/forgotten, /api/users/forgottenUserIds), so rows are matched on the
 * same hash of their own identifiers and the plain identifier is never needed, nor stored.
 */
import { type ColumnType, rawTableName, rejectsTableName, STREAMS } from './catalog.js';
import { LIVE_EVENTS_TABLE } from './live/live-tables.js';

/** The audit of forgetting, in the raw dataset; loads also skip every hash it holds. */
export const FORGOTTEN_USERS_TABLE = 'forgotten_users';
export const FORGOTTEN_USERS_COLUMNS = [
  { name: 'user_hash', type: 'STRING' },
  /** `email` or `user_id`: which of Iterable's two lists named the hash. */
  { name: 'id_kind', type: 'STRING' },
  /** `{"<dataset>.<table>": rows deleted}` for every table that held rows of the user. */
  { name: 'tables', type: 'JSON' },
  { name: 'rows_deleted', type: 'INT64' },
  { name: 'forgotten_at', type: 'TIMESTAMP' },
] as const satisfies readonly { name: string; type: ColumnType }[];

/** Dataset roles; the names come from the deployment (`iterable_raw`, …). */
export type DatasetRole = 'raw' | 'analytics' | 'live';

/**
 * Where an identifier is read from in a row: a column, or a key of the raw JSON line held as text
 * (the rejects, whose line may not even parse, so the key is found by pattern).
 */
export type IdentifierSource =
  | { readonly column: string }
  | { readonly lineKey: string; readonly line: string };

export interface ForgetTarget {
  readonly dataset: DatasetRole;
  readonly table: string;
  readonly email: IdentifierSource | null;
  readonly userId: IdentifierSource | null;
  /** A table another part of the system creates later, or only in some deployments. */
  readonly optional: boolean;
}

/** A reject's identifiers are read from its raw line (which may not even be valid JSON). */
export const REJECT_IDENTIFIERS = {
  email: { lineKey: 'email', line: 'line' },
  userId: { lineKey: 'userId', line: 'line' },
} as const satisfies Pick<ForgetTarget, 'email' | 'userId'>;

const BOTH_IDS = { email: { column: 'email' }, userId: { column: 'user_id' } } as const;

/**
 * Tables keyed by `user_key` (the lower-cased email, or the user id for a user without one, sql/03)
 * carry the user id beside it: Iterable lists a forgotten user by the hash of one identifier only
 * (the email on email-based projects, the user id on user-id based ones), and a user with both has
 * `user_key` = the email, which a user-id hash would never match.
 */
const USER_KEY_AND_ID = { email: { column: 'user_key' }, userId: { column: 'user_id' } } as const;

/**
 * Tables keyed by user outside the catalog: the user fact, the fact build's intermediate tables
 * with a row per user (sql/05, 06, 15: daily rows and the lifetime totals of the settled dates)
 * and the latest profiles (sql/05_user_profiles.sql), the live webhook table. Aggregates (per
 * campaign, per day) hold no person.
 */
const DECLARED_TARGETS: readonly ForgetTarget[] = [
  { dataset: 'analytics', table: 'user_engagement_fact', ...BOTH_IDS, optional: true },
  { dataset: 'analytics', table: 'user_daily', ...BOTH_IDS, optional: true },
  { dataset: 'analytics', table: 'user_lifetime', ...BOTH_IDS, optional: true },
  { dataset: 'analytics', table: 'user_profiles', ...BOTH_IDS, optional: true },
  { dataset: 'analytics', table: 'campaign_recipient_daily', ...USER_KEY_AND_ID, optional: true },
  { dataset: 'analytics', table: 'campaign_recipient_lifetime', ...USER_KEY_AND_ID, optional: true },
  { dataset: 'analytics', table: 'email_message_daily', ...USER_KEY_AND_ID, optional: true },
  { dataset: 'analytics', table: 'campaign_recipient_last_send', ...USER_KEY_AND_ID, optional: true },
  {
    dataset: 'live',
    table: LIVE_EVENTS_TABLE,
    email: { column: 'email' },
    userId: { column: 'user_id' },
    optional: true,
  },
];

const columnOf = (columns: readonly { name: string }[], name: string): IdentifierSource | null =>
  columns.some((c) => c.name === name) ? { column: name } : null;

/** Every table a forgotten user's rows are deleted from, in the order they are deleted. */
export const FORGET_TARGETS: readonly ForgetTarget[] = [
  ...STREAMS.flatMap((s): ForgetTarget[] => {
    const email = columnOf(s.columns, 'email');
    const userId = columnOf(s.columns, 'user_id');
    return email || userId
      ? [{ dataset: 'raw', table: rawTableName(s.name), email, userId, optional: false }]
      : [];
  }),
  // The stream tables, not the `rejects` view over them: a view cannot be deleted from.
  ...STREAMS.map(
    (s): ForgetTarget => ({
      dataset: 'raw',
      table: rejectsTableName(s.name),
      ...REJECT_IDENTIFIERS,
      optional: false,
    }),
  ),
  ...DECLARED_TARGETS,
];

/**
 * The regular expression finding a key's value in a JSON line, quoted or not (Iterable sends user
 * ids as strings or numbers). Both engines take RE2-style syntax, and a line cut off mid-record
 * still yields the identifiers before the cut.
 */
export const lineKeyPattern = (key: string): string => `"${key}"\\s*:\\s*"?([^",}]*)`;

/** A SHA-256 hex digest, as Iterable lists them. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What a forget run reports per user, and what the audit row records. */
export interface UserForgotten {
  readonly hash: string;
  readonly kind: 'email' | 'user_id';
  /** Rows deleted per `<dataset>.<table>`; tables without rows of the user are left out. */
  readonly tables: Readonly<Record<string, number>>;
  readonly rows: number;
}
