/**
 * oidc-provider's entries — sessions, interactions, grants, codes and tokens — in their table, a row each,
 * with the columns its lookups use on indexes (the session's uid, a token's grant, a device's user code, when
 * it expires). What a request sets is seen by every request at once and written by the request's save, in its
 * one transaction (database.ts); nothing is kept in memory beyond that.
 */
import type Database from 'better-sqlite3';
import type { StoredOidcEntry } from './state';

export const OIDC_SCHEMA = `
  CREATE TABLE IF NOT EXISTS oidc (model TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (model, id));
`;

/** The lookups, each on an index (test/oidc-store.test.ts reads their query plans). */
export const OIDC_QUERIES = {
  get: 'SELECT json FROM oidc WHERE model = @model AND id = @id',
  byUid: 'SELECT id, json FROM oidc WHERE model = @model AND uid = @uid',
  byUserCode: 'SELECT id, json FROM oidc WHERE model = @model AND user_code = @code',
  ofGrant: 'SELECT id FROM oidc WHERE model = @model AND grant_id = @grant',
  oldest: 'SELECT id FROM oidc WHERE model = @model ORDER BY expires_at LIMIT @limit',
  count: 'SELECT count(*) AS count FROM oidc WHERE model = @model',
  expired: 'SELECT model, id FROM oidc WHERE expires_at <= @now',
} as const;

export interface OidcStore {
  /** The entry, expired or not (the adapter decides what an expired one means). */
  get(model: string, id: string): StoredOidcEntry | undefined;
  /** Sets (or, with undefined, removes) an entry: seen at once, written by the next save. */
  set(model: string, id: string, entry: StoredOidcEntry | undefined): void;
  byUid(model: string, uid: string): { id: string; entry: StoredOidcEntry } | undefined;
  byUserCode(model: string, userCode: string): { id: string; entry: StoredOidcEntry } | undefined;
  /** Ids of a model's entries that belong to a grant. */
  ofGrant(model: string, grantId: string): string[];
  /** Ids of a model's entries that expire first. */
  oldest(model: string, limit: number): string[];
  count(model: string): number;
  /** Removes every entry whose time (epoch seconds) has passed. */
  sweep(now: number): void;
}

export interface OidcChanges {
  /** Writes what was set since the last save; inside the save's transaction. */
  write(): void;
  /** After a write: nothing is pending any more. */
  written(): void;
}

const keyOf = (model: string, id: string) => `${model}\u0000${id}`;
const field = (entry: StoredOidcEntry, name: string) => (typeof entry.payload[name] === 'string' ? (entry.payload[name] as string) : null);

export function oidcStoreOn(db: Database.Database): { oidc: OidcStore; changes: OidcChanges } {
  migrate(db);
  const statements = Object.fromEntries(Object.entries(OIDC_QUERIES).map(([name, sql]) => [name, db.prepare(sql)])) as Record<keyof typeof OIDC_QUERIES, Database.Statement>;
  const upsert = db.prepare(`INSERT INTO oidc (model, id, json, uid, grant_id, user_code, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (model, id) DO UPDATE SET json = excluded.json, uid = excluded.uid, grant_id = excluded.grant_id, user_code = excluded.user_code, expires_at = excluded.expires_at`);
  const remove = db.prepare('DELETE FROM oidc WHERE model = ? AND id = ?');

  /** Set since the last save, by model and id; undefined: removed. */
  const pending = new Map<string, { model: string; id: string; entry: StoredOidcEntry | undefined }>();
  const parse = (row: unknown) => JSON.parse((row as { json: string }).json) as StoredOidcEntry;
  /** An entry found by a column: one set since the last save wins over the row (which that set may have changed). */
  const find = (model: string, matches: (entry: StoredOidcEntry) => boolean, row: unknown): { id: string; entry: StoredOidcEntry } | undefined => {
    for (const change of pending.values()) if (change.model === model && change.entry && matches(change.entry)) return { id: change.id, entry: change.entry };
    if (!row) return undefined;
    const { id } = row as { id: string };
    if (pending.has(keyOf(model, id))) return undefined;
    return { id, entry: parse(row) };
  };

  const oidc: OidcStore = {
    get(model, id) {
      const change = pending.get(keyOf(model, id));
      if (change) return change.entry;
      const row = statements.get.get({ model, id });
      return row ? parse(row) : undefined;
    },
    set(model, id, entry) {
      pending.set(keyOf(model, id), { model, id, entry });
    },
    byUid(model, uid) {
      return find(model, (entry) => entry.payload.uid === uid, statements.byUid.get({ model, uid }));
    },
    byUserCode(model, code) {
      return find(model, (entry) => entry.payload.userCode === code, statements.byUserCode.get({ model, code }));
    },
    ofGrant(model, grant) {
      const ids = new Set((statements.ofGrant.all({ model, grant }) as Array<{ id: string }>).map((row) => row.id));
      for (const change of pending.values()) {
        if (change.model !== model) continue;
        if (change.entry?.payload.grantId === grant) ids.add(change.id);
        else ids.delete(change.id);
      }
      return [...ids];
    },
    oldest(model, limit) {
      return (statements.oldest.all({ model, limit }) as Array<{ id: string }>).map((row) => row.id).filter((id) => !pending.has(keyOf(model, id)));
    },
    count(model) {
      let count = (statements.count.get({ model }) as { count: number }).count;
      for (const change of pending.values()) {
        if (change.model !== model) continue;
        const stored = statements.get.get({ model, id: change.id }) !== undefined;
        if (change.entry && !stored) count++;
        if (!change.entry && stored) count--;
      }
      return count;
    },
    sweep(now) {
      for (const { model, id } of statements.expired.all({ now }) as Array<{ model: string; id: string }>) oidc.set(model, id, undefined);
    },
  };

  const changes: OidcChanges = {
    write() {
      for (const { model, id, entry } of pending.values()) {
        if (entry === undefined) remove.run(model, id);
        else upsert.run(model, id, JSON.stringify(entry), field(entry, 'uid'), field(entry, 'grantId'), field(entry, 'userCode'), entry.expiresAt ?? null);
      }
    },
    written() {
      pending.clear();
    },
  };
  return { oidc, changes };
}

/** An older checkout's table: the lookup columns added, and filled from each entry's JSON. */
function migrate(db: Database.Database): void {
  const columns = new Set((db.prepare('PRAGMA table_info(oidc)').all() as Array<{ name: string }>).map((column) => column.name));
  db.transaction(() => {
    if (!columns.has('uid')) {
      db.exec('ALTER TABLE oidc ADD COLUMN uid TEXT; ALTER TABLE oidc ADD COLUMN grant_id TEXT; ALTER TABLE oidc ADD COLUMN user_code TEXT; ALTER TABLE oidc ADD COLUMN expires_at INTEGER;');
      db.exec(`UPDATE oidc SET uid = json_extract(json, '$.payload.uid'), grant_id = json_extract(json, '$.payload.grantId'),
        user_code = json_extract(json, '$.payload.userCode'), expires_at = json_extract(json, '$.expiresAt')`);
    }
    db.exec(`
      CREATE INDEX IF NOT EXISTS oidc_uid ON oidc (model, uid) WHERE uid IS NOT NULL;
      CREATE INDEX IF NOT EXISTS oidc_grant ON oidc (model, grant_id) WHERE grant_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS oidc_user_code ON oidc (model, user_code) WHERE user_code IS NOT NULL;
      CREATE INDEX IF NOT EXISTS oidc_oldest ON oidc (model, expires_at);
      CREATE INDEX IF NOT EXISTS oidc_expiry ON oidc (expires_at) WHERE expires_at IS NOT NULL;
    `);
  })();
}
