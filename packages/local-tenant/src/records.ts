/**
 * The tenant's short-lived records, each in its own row of the state database, each change one statement
 * (inside a request, part of the transaction its answer commits): what a later request needs and no single
 * save of the tenant should rewrite whole. Every record that expires is swept once its time has passed.
 *
 * - `loginOutcome` — the claims the post-login Actions set for a grant's latest login, by grant id; swept
 *   with the grant.
 * - `pendingLogin` — a login waiting for the browser (back from a redirect Action, a second factor), by
 *   interaction id; it expires with its interaction.
 * - `attempt` — what an older checkout kept of brute-force counts, moved into their own table at start.
 * - `throttle` — a rate limit's bucket (throttle.ts), by limit and key; it expires when it would be full again.
 * - `mfaPending` — a session whose login still owes a second factor, by session uid.
 * - `accessToken` — the grants a JWT access token was made from, until it expires (oidc/userinfo.ts).
 * - `browser` — the device cookie an interaction is bound to, by interaction id (pages/binding.ts).
 * - `offlineAccess` — an interaction whose `/authorize` asked for offline_access, by interaction id.
 * - `job`, `export` — a Management API job's status, and a users export's file, for a day.
 */
import type { RowStatements } from './database';

/** How long a grant lives (oidc-provider's `ttl.Grant`), and with it the claims its logins got from the Actions. */
export const GRANT_LIFETIME_S = 30 * 86_400;

export type RecordArea = 'loginOutcome' | 'pendingLogin' | 'attempt' | 'offlineAccess' | 'job' | 'export' | 'throttle' | 'mfaPending' | 'accessToken' | 'browser';

export interface Records {
  /** The record, unless it has expired. */
  get<T>(area: RecordArea, key: string): T | undefined;
  /** Writes (or replaces) a record; `expiresAt` in epoch milliseconds. */
  put(area: RecordArea, key: string, value: unknown, expiresAt?: number): void;
  delete(area: RecordArea, key: string): void;
  /** The live records of an area, with their keys. */
  list<T>(area: RecordArea): Array<{ key: string; value: T }>;
  /** Removes the records whose time has passed. */
  sweep(now?: number): number;
}

export const RECORDS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS records (area TEXT NOT NULL, key TEXT NOT NULL, expires_at INTEGER, json TEXT NOT NULL, PRIMARY KEY (area, key));
  CREATE INDEX IF NOT EXISTS records_expiry ON records (expires_at) WHERE expires_at IS NOT NULL;
`;

export function recordsOn(db: RowStatements): Records {
  const statements = {
    get: db.prepare('SELECT json FROM records WHERE area = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)'),
    put: db.prepare('INSERT INTO records (area, key, expires_at, json) VALUES (?, ?, ?, ?) ON CONFLICT (area, key) DO UPDATE SET expires_at = excluded.expires_at, json = excluded.json'),
    delete: db.prepare('DELETE FROM records WHERE area = ? AND key = ?'),
    list: db.prepare('SELECT key, json FROM records WHERE area = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY rowid'),
    sweep: db.prepare('DELETE FROM records WHERE expires_at IS NOT NULL AND expires_at <= ?'),
  };
  return {
    get<T>(area: RecordArea, key: string): T | undefined {
      const row = statements.get.get(area, key, Date.now()) as { json: string } | undefined;
      return row ? (JSON.parse(row.json) as T) : undefined;
    },
    put(area, key, value, expiresAt) {
      statements.put.run(area, key, expiresAt ?? null, JSON.stringify(value));
    },
    delete(area, key) {
      statements.delete.run(area, key);
    },
    list<T>(area: RecordArea): Array<{ key: string; value: T }> {
      return (statements.list.all(area, Date.now()) as Array<{ key: string; json: string }>).map((row) => ({ key: row.key, value: JSON.parse(row.json) as T }));
    },
    sweep(now = Date.now()) {
      return statements.sweep.run(now).changes;
    },
  };
}
