/**
 * Brute-force protection as Auth0 documents it, for database and passwordless connections whose
 * `brute_force_protection` is on: after 10 consecutive failed attempts at one user identifier from one IP
 * address, that IP may not log in as that user (429 `too_many_attempts`) until the block is removed through
 * the Management API (`/api/v2/user-blocks`) or the user's password changes. A successful login clears the
 * count. Blocks are logged (`limit_wc`).
 * https://auth0.com/docs/secure/attack-protection/brute-force-protection
 *
 * The counts live in a table of their own (`attempts`), one row per connection, identifier and IP, written
 * as they change. What a request can add is bounded: an identifier longer than any Auth0 keeps is refused
 * before it is counted (IDENTIFIER_MAX_LENGTH), and the counts of identifiers no user has are kept for the
 * newest UNKNOWN_KEPT only.
 */
import type { RowStatements } from './database';
import { badRequest, notFound, type Route } from './http';
import { ATTRIBUTE_MAX_LENGTH } from './limits';
import { recordLog } from './logs';
import type { StateStore, StoredConnection } from './state';

export const BRUTE_FORCE_THRESHOLD = 10;
export const BLOCKED_MESSAGE = 'Your account has been blocked after multiple consecutive login attempts. We’ve sent you an email with instructions on how to unblock it.';

/** The longest identifier a user can log in with: an e-mail address (254; usernames stop at 128). */
export const IDENTIFIER_MAX_LENGTH = Math.max(ATTRIBUTE_MAX_LENGTH.email, ATTRIBUTE_MAX_LENGTH.username);

/** Counts of identifiers that name no user, kept for the newest this many only. */
export const UNKNOWN_KEPT = 1_000;

export const ATTEMPTS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS attempts (
    connection TEXT NOT NULL, identifier TEXT NOT NULL, ip TEXT NOT NULL,
    known INTEGER NOT NULL, failures INTEGER NOT NULL, blocked_at TEXT, updated_at INTEGER NOT NULL,
    PRIMARY KEY (connection, identifier, ip)
  );
  CREATE INDEX IF NOT EXISTS attempts_identifier ON attempts (identifier);
  CREATE INDEX IF NOT EXISTS attempts_unknown ON attempts (known, updated_at);
`;

export interface AttemptRecord {
  connection: string;
  identifier: string;
  ip: string;
  failures: number;
  blocked_at?: string;
}

interface Row {
  connection: string;
  identifier: string;
  ip: string;
  failures: number;
  blocked_at: string | null;
}

/** The attempts table: one statement per change. */
export class Attempts {
  private readonly statements;

  constructor(db: RowStatements) {
    this.statements = {
      get: db.prepare('SELECT * FROM attempts WHERE connection = ? AND identifier = ? AND ip = ?'),
      put: db.prepare(`INSERT INTO attempts (connection, identifier, ip, known, failures, blocked_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (connection, identifier, ip) DO UPDATE SET known = excluded.known, failures = excluded.failures, blocked_at = excluded.blocked_at, updated_at = excluded.updated_at`),
      remove: db.prepare('DELETE FROM attempts WHERE connection = ? AND identifier = ? AND ip = ?'),
      byIdentifier: db.prepare('SELECT * FROM attempts WHERE identifier = ?'),
      removeIdentifier: db.prepare('DELETE FROM attempts WHERE identifier = ?'),
      prune: db.prepare(`DELETE FROM attempts WHERE known = 0 AND rowid NOT IN (SELECT rowid FROM attempts WHERE known = 0 ORDER BY updated_at DESC LIMIT ${UNKNOWN_KEPT})`),
      unknownCount: db.prepare('SELECT count(*) AS count FROM attempts WHERE known = 0'),
    };
  }

  get(connection: string, identifier: string, ip: string): AttemptRecord | undefined {
    const row = this.statements.get.get(connection, identifier, ip) as Row | undefined;
    return row && { connection: row.connection, identifier: row.identifier, ip: row.ip, failures: row.failures, ...(row.blocked_at ? { blocked_at: row.blocked_at } : {}) };
  }

  /** Writes a count; `known` says whether the identifier names a user (unknown ones are kept for the newest few). */
  put(record: AttemptRecord, known: boolean): void {
    this.statements.put.run(record.connection, record.identifier, record.ip, known ? 1 : 0, record.failures, record.blocked_at ?? null, Date.now());
    if (!known && (this.statements.unknownCount.get() as { count: number }).count > UNKNOWN_KEPT) this.statements.prune.run();
  }

  remove(connection: string, identifier: string, ip: string): void {
    this.statements.remove.run(connection, identifier, ip);
  }

  ofIdentifier(identifier: string): AttemptRecord[] {
    return (this.statements.byIdentifier.all(identifier) as Row[]).map((row) => ({ connection: row.connection, identifier: row.identifier, ip: row.ip, failures: row.failures, ...(row.blocked_at ? { blocked_at: row.blocked_at } : {}) }));
  }

  removeIdentifier(identifier: string): void {
    this.statements.removeIdentifier.run(identifier);
  }
}

const protects = (connection: StoredConnection) => connection.options.brute_force_protection === true;

export function isBlocked(store: StateStore, connection: StoredConnection, identifier: string, ip: string): boolean {
  return protects(connection) && store.attempts.get(connection.name, identifier, ip)?.blocked_at !== undefined;
}

/** Counts a failed attempt; the tenth in a row blocks the identifier for that IP. `known`: a user has this identifier. */
export function recordFailure(store: StateStore, connection: StoredConnection, identifier: string, ip: string, known: boolean): void {
  if (!protects(connection) || identifier === '' || identifier.length > IDENTIFIER_MAX_LENGTH) return;
  const record = store.attempts.get(connection.name, identifier, ip) ?? { connection: connection.name, identifier, ip, failures: 0 };
  record.failures += 1;
  if (record.failures >= BRUTE_FORCE_THRESHOLD && record.blocked_at === undefined) {
    record.blocked_at = new Date().toISOString();
    recordLog(store, 'limit_wc', { connection }, `${BRUTE_FORCE_THRESHOLD} failed attempts: blocked for this IP address`);
    store.save();
  }
  store.attempts.put(record, known);
}

/** A successful login: the count starts again. */
export function recordSuccess(store: StateStore, connection: StoredConnection, identifier: string, ip: string): void {
  store.attempts.remove(connection.name, identifier, ip);
}

/** Removes every block and count of an identifier (an administrator's unblock, or a password change). */
export function unblock(store: StateStore, identifiers: readonly string[]): void {
  for (const identifier of identifiers) store.attempts.removeIdentifier(identifier);
}

/** The identifiers a user logs in with: e-mail and username. */
function identifiersOf(store: StateStore, userId: string): string[] {
  const user = store.users.get(userId);
  if (!user) throw notFound('The user does not exist.', 'inexistent_user');
  return [user.email, user.username].filter((value): value is string => typeof value === 'string');
}

const blocksOf = (store: StateStore, identifiers: readonly string[]) =>
  identifiers.flatMap((identifier) => store.attempts.ofIdentifier(identifier)).filter((record) => record.blocked_at !== undefined).map(({ identifier, ip, connection }) => ({ identifier, ip, connection }));

function identifierQuery(query: URLSearchParams): string {
  const identifier = query.get('identifier');
  if (!identifier) throw badRequest('Query validation error: Missing required property: identifier', 'invalid_query_string');
  return identifier.trim().toLowerCase();
}

export function userBlockRoutes(store: StateStore): Route[] {
  return [
    { method: 'GET', path: '/api/v2/user-blocks', scopes: ['read:users'], handler: ({ query }) => ({ status: 200, body: { blocked_for: blocksOf(store, [identifierQuery(query)]) } }) },
    {
      method: 'DELETE',
      path: '/api/v2/user-blocks', scopes: ['update:users'],
      handler: ({ query }) => {
        unblock(store, [identifierQuery(query)]);
        return { status: 204 };
      },
    },
    { method: 'GET', path: '/api/v2/user-blocks/:id', scopes: ['read:users'], handler: ({ params }) => ({ status: 200, body: { blocked_for: blocksOf(store, identifiersOf(store, params.id ?? '')) } }) },
    {
      method: 'DELETE',
      path: '/api/v2/user-blocks/:id', scopes: ['update:users'],
      handler: ({ params }) => {
        unblock(store, identifiersOf(store, params.id ?? ''));
        return { status: 204 };
      },
    },
  ];
}
