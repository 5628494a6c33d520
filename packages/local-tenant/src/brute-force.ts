/**
 * Brute-force protection as Auth0 documents it, for database and passwordless connections whose
 * `brute_force_protection` is on: after 10 consecutive failed attempts at one user identifier from one IP
 * address, that IP may not log in as that user (429 `too_many_attempts`) until the block is removed through
 * the Management API (`/api/v2/user-blocks`) or the user's password changes. A successful login clears the
 * count. Blocks are logged (`limit_wc`).
 * https://auth0.com/docs/secure/attack-protection/brute-force-protection
 */
import { badRequest, notFound, type Route } from './http';
import { recordLog } from './logs';
import type { StateStore, StoredConnection } from './state';

export const BRUTE_FORCE_THRESHOLD = 10;
export const BLOCKED_MESSAGE = 'Your account has been blocked after multiple consecutive login attempts. We’ve sent you an email with instructions on how to unblock it.';

export interface AttemptRecord {
  connection: string;
  identifier: string;
  ip: string;
  failures: number;
  blocked_at?: string;
}

const keyOf = (connection: string, identifier: string, ip: string) => `${connection}\u0000${identifier}\u0000${ip}`;
const protects = (connection: StoredConnection) => connection.options.brute_force_protection === true;

const attempt = (store: StateStore, key: string) => store.records.get<AttemptRecord>('attempt', key);

export function isBlocked(store: StateStore, connection: StoredConnection, identifier: string, ip: string): boolean {
  return protects(connection) && attempt(store, keyOf(connection.name, identifier, ip))?.blocked_at !== undefined;
}

/** Counts a failed attempt; the tenth in a row blocks the identifier for that IP. */
export function recordFailure(store: StateStore, connection: StoredConnection, identifier: string, ip: string): void {
  if (!protects(connection) || identifier === '') return;
  const key = keyOf(connection.name, identifier, ip);
  const record = attempt(store, key) ?? { connection: connection.name, identifier, ip, failures: 0 };
  record.failures += 1;
  if (record.failures >= BRUTE_FORCE_THRESHOLD && record.blocked_at === undefined) {
    record.blocked_at = new Date().toISOString();
    recordLog(store, 'limit_wc', { connection }, `${BRUTE_FORCE_THRESHOLD} failed attempts: blocked for this IP address`);
    store.saveActivity();
  }
  store.records.put('attempt', key, record);
}

/** A successful login: the count starts again. */
export function recordSuccess(store: StateStore, connection: StoredConnection, identifier: string, ip: string): void {
  const key = keyOf(connection.name, identifier, ip);
  if (attempt(store, key) !== undefined) store.records.delete('attempt', key);
}

/** Removes every block and count of an identifier (an administrator's unblock, or a password change). */
export function unblock(store: StateStore, identifiers: readonly string[]): void {
  for (const { key, value } of store.records.list<AttemptRecord>('attempt')) if (identifiers.includes(value.identifier)) store.records.delete('attempt', key);
}

/** The identifiers a user logs in with: e-mail and username. */
function identifiersOf(store: StateStore, userId: string): string[] {
  const user = store.userById(userId);
  if (!user) throw notFound('The user does not exist.', 'inexistent_user');
  return [user.email, user.username].filter((value): value is string => typeof value === 'string');
}

const blocksOf = (store: StateStore, identifiers: readonly string[]) =>
  store.records.list<AttemptRecord>('attempt').map(({ value }) => value).filter((record) => record.blocked_at !== undefined && identifiers.includes(record.identifier)).map(({ identifier, ip, connection }) => ({ identifier, ip, connection }));

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
