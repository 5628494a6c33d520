/**
 * The tenant's users, in SQLite: a row per user (its JSON, and the columns lookups use) and a row per identity
 * (primary and linked, with the e-mail and username a login gives), each lookup on an index. Nothing is kept in
 * memory beyond the user objects requests hold: the same user asked for twice, while anyone still holds it, is
 * the same object (weakly held), so two requests that change one user change one object.
 *
 * A user object returned here marks itself changed when a field of it is set or removed; the request's save
 * writes every changed, added and removed user in the one transaction it writes everything in (database.ts).
 */
import type Database from 'better-sqlite3';
import type { StoredConnection, StoredUser } from './state';

export const USERS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    user_id TEXT PRIMARY KEY,
    connection TEXT NOT NULL,
    email_key TEXT,
    json TEXT NOT NULL,
    email TEXT,
    username TEXT
  );
  CREATE UNIQUE INDEX IF NOT EXISTS users_email_per_connection ON users (connection, email_key) WHERE email_key IS NOT NULL;
  CREATE TABLE IF NOT EXISTS identities (
    connection TEXT NOT NULL,
    provider_user_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    provider TEXT,
    position INTEGER,
    email TEXT,
    username TEXT,
    PRIMARY KEY (connection, provider_user_id)
  );
  CREATE INDEX IF NOT EXISTS identities_user ON identities (user_id);
`;

/** Indexes on columns an older checkout's tables lacked: made once those columns exist. */
const INDEXES = `
  CREATE INDEX IF NOT EXISTS users_email ON users (email);
  CREATE INDEX IF NOT EXISTS identities_provider ON identities (provider, provider_user_id);
  CREATE INDEX IF NOT EXISTS identities_login_email ON identities (connection, email);
  CREATE INDEX IF NOT EXISTS identities_login_username ON identities (connection, username);
`;

/** The lookups, each on an index (test/user-store.test.ts reads their query plans). */
export const USER_QUERIES = {
  withEmail: 'SELECT json FROM users WHERE email = @email ORDER BY rowid',
  withEmailOn: 'SELECT json FROM users WHERE email = @email AND user_id IN (SELECT user_id FROM identities WHERE connection = @connection) ORDER BY rowid',
  withIdentity: 'SELECT user_id FROM identities WHERE connection = @connection AND provider_user_id = @id',
  withLinked: 'SELECT user_id FROM identities WHERE provider = @provider AND provider_user_id = @id AND position > 0 LIMIT 1',
  // Two searches, not one with OR: the planner would take one index for both and walk the connection's identities.
  withLogin: `SELECT user_id, position FROM (
      SELECT user_id, position, rowid AS seen FROM identities WHERE connection = @connection AND email = @identifier
      UNION ALL SELECT user_id, position, rowid AS seen FROM identities WHERE connection = @connection AND username = @identifier
    ) ORDER BY position, seen LIMIT 1`,
  ofConnection: 'SELECT json FROM users WHERE user_id IN (SELECT user_id FROM identities WHERE connection = @connection) ORDER BY rowid LIMIT @limit',
} as const;

export interface UserStore {
  /** The user with this id. */
  get(id: string): StoredUser | undefined;
  /** Adds a user; the object returned is the one to change from then on (the one passed in is not watched). */
  add(user: StoredUser): StoredUser;
  /** Removes a user (and with it their identities). */
  remove(id: string): void;
  /** Users with this e-mail; only those with an identity of `connection` when it is given. */
  withEmail(email: string, connection?: string): StoredUser[];
  /** The user holding this identity of a connection (primary or linked). */
  withIdentity(connection: string, providerUserId: string): StoredUser | undefined;
  /** The primary user holding this linked (secondary) identity, by its provider and id (`provider|user_id`). */
  withLinkedIdentity(provider: string, providerUserId: string): StoredUser | undefined;
  /**
   * Who signs in to a database connection with this e-mail or username: the user whose own it is, else the
   * user a database identity holding it is linked into (`linked`).
   */
  withLogin(connection: string, identifier: string): { user: StoredUser; linked: boolean } | undefined;
  /** Users with an identity of this connection, oldest first, at most `limit`. */
  ofConnection(connection: string, limit?: number): StoredUser[];
  /** Every user, oldest first (a search over every field, an export). */
  all(): StoredUser[];
  count(): number;
}

/** What the save writes (database.ts), and what it undoes when the write is refused. */
export interface UserChanges {
  /** Writes the changed, added and removed users; inside the save's transaction. */
  write(): void;
  /** After a refused write: the changes are dropped, and the users they touched are read again from the database. */
  discard(): void;
  /** After a write: nothing is pending any more. */
  written(): void;
  /** Marks every user of the table changed (a state written whole). */
  markAll(users: readonly StoredUser[]): void;
}

export function userStoreOn(db: Database.Database, connections: () => readonly StoredConnection[]): { users: UserStore; changes: UserChanges } {
  migrate(db);
  const statements = {
    get: db.prepare('SELECT json FROM users WHERE user_id = ?'),
    upsert: db.prepare('INSERT INTO users (user_id, connection, email_key, json, email, username) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET connection = excluded.connection, email_key = excluded.email_key, json = excluded.json, email = excluded.email, username = excluded.username'),
    remove: db.prepare('DELETE FROM users WHERE user_id = ?'),
    identitiesRemove: db.prepare('DELETE FROM identities WHERE user_id = ?'),
    identityInsert: db.prepare('INSERT INTO identities (connection, provider_user_id, user_id, provider, position, email, username) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    withEmail: db.prepare(USER_QUERIES.withEmail),
    withEmailOn: db.prepare(USER_QUERIES.withEmailOn),
    withIdentity: db.prepare(USER_QUERIES.withIdentity),
    withLinked: db.prepare(USER_QUERIES.withLinked),
    withLogin: db.prepare(USER_QUERIES.withLogin),
    ofConnection: db.prepare(USER_QUERIES.ofConnection),
    all: db.prepare('SELECT json FROM users ORDER BY rowid'),
    count: db.prepare('SELECT count(*) AS count FROM users'),
  };

  /** The user objects someone holds, by id: asked for again, the same object. */
  const live = new Map<string, WeakRef<StoredUser>>();
  const forgotten = new FinalizationRegistry<string>((id) => {
    if (live.get(id)?.deref() === undefined) live.delete(id);
  });
  /** Users changed or added since the last save (held until it), and ids removed. */
  const changed = new Map<string, StoredUser>();
  const removed = new Set<string>();
  const watched = new WeakSet<object>();
  /** Objects of removed users: a request still holding one (a login whose user was linked into another) writes nothing back. */
  const gone = new WeakSet<object>();

  /**
   * What a user's identity rows hold (`identityRows`), as last read or written: a save rewrites them only when
   * they change (a login changes the user, rarely its identities). Written ones count once the save commits.
   */
  const indexed = new WeakMap<object, string>();
  const writing = new Map<object, string>();

  const remember = (user: StoredUser) => {
    live.set(user.user_id, new WeakRef(user));
    forgotten.register(user, user.user_id);
  };

  /** The object to change: every field set or removed marks the user for the next save. */
  const watch = (user: StoredUser): StoredUser => {
    const proxy = new Proxy(user, {
      set(target, key, value) {
        const previous = target.user_id;
        const done = Reflect.set(target, key, value);
        if (gone.has(proxy)) return done;
        if (key === 'user_id' && previous !== target.user_id) {
          // A new id is a new row: the old one goes.
          removed.add(previous);
          changed.delete(previous);
          live.delete(previous);
          remember(proxy);
        }
        changed.set(target.user_id, proxy);
        return done;
      },
      deleteProperty(target, key) {
        const done = Reflect.deleteProperty(target, key);
        if (!gone.has(proxy)) changed.set(target.user_id, proxy);
        return done;
      },
    });
    watched.add(proxy);
    remember(proxy);
    return proxy;
  };

  const fromRow = (json: string): StoredUser => {
    const parsed = JSON.parse(json) as StoredUser;
    const held = live.get(parsed.user_id)?.deref() ?? changed.get(parsed.user_id);
    if (held) return held;
    const user = watch(parsed);
    indexed.set(user, identityRows(user));
    return user;
  };
  const byId = (id: string): StoredUser | undefined => {
    if (removed.has(id)) return undefined;
    const held = changed.get(id) ?? live.get(id)?.deref();
    if (held) return held;
    const row = statements.get.get(id) as { json: string } | undefined;
    return row ? fromRow(row.json) : undefined;
  };
  /** Rows as the save will leave them: removed users left out, users added since the last save included. */
  const pending = (found: StoredUser[], include: (user: StoredUser) => boolean): StoredUser[] => {
    const ids = new Set(found.map((user) => user.user_id));
    const added = [...changed.values()].filter((user) => !ids.has(user.user_id) && include(user));
    return [...found.filter((user) => !removed.has(user.user_id) && (!changed.has(user.user_id) || include(user))), ...added];
  };
  /** The user holding an identity: one changed since the last save, else the one the index row names (if it still holds it). */
  const holding = (has: (user: StoredUser) => boolean, row: unknown): StoredUser | undefined => {
    const unsaved = [...changed.values()].find(has);
    if (unsaved) return unsaved;
    const user = row ? byId((row as { user_id: string }).user_id) : undefined;
    return user && has(user) ? user : undefined;
  };
  const rows = (statement: Database.Statement, ...args: unknown[]) => (statement.all(...args) as Array<{ json: string }>).map((row) => fromRow(row.json));

  const emailKey = (user: StoredUser): string | null => {
    const connection = connections().find((candidate) => candidate.name === user.identities[0]?.connection);
    const stored = connection && ['auth0', 'email', 'sms'].includes(connection.strategy);
    return stored && user.email ? user.email : null;
  };
  const loginOf = (user: StoredUser, index: number): { email: string | null; username: string | null } => {
    const identity = user.identities[index];
    const source = index === 0 ? (user as unknown as Record<string, unknown>) : (identity?.profileData ?? {});
    return { email: typeof source.email === 'string' ? source.email : null, username: typeof source.username === 'string' ? source.username : null };
  };

  /** The identity rows a user stands for, as written: each identity's keys, whose it is, and the e-mail and username it logs in with. */
  const identityRowsOf = (user: StoredUser) =>
    user.identities.map((identity, index) => {
      const login = loginOf(user, index);
      return [identity.connection, identity.user_id, user.user_id, identity.provider, index, login.email, login.username] as const;
    });
  /** Those rows as one string, to tell whether a save must rewrite them. */
  const identityRows = (user: StoredUser): string => JSON.stringify(identityRowsOf(user));

  const users: UserStore = {
    get: byId,
    add(user) {
      const added = watched.has(user) ? user : watch(user);
      gone.delete(added);
      removed.delete(added.user_id);
      changed.set(added.user_id, added);
      return added;
    },
    remove(id) {
      const held = changed.get(id) ?? live.get(id)?.deref();
      if (held) {
        gone.add(held);
        // Its identity rows go with it: added again, it writes them anew.
        indexed.delete(held);
      }
      changed.delete(id);
      live.delete(id);
      removed.add(id);
    },
    withEmail(email, connection) {
      const found = connection === undefined ? rows(statements.withEmail, { email }) : rows(statements.withEmailOn, { email, connection });
      return pending(found, (user) => user.email === email && (connection === undefined || user.identities.some((identity) => identity.connection === connection)));
    },
    withIdentity(connection, providerUserId) {
      return holding((user) => user.identities.some((identity) => identity.connection === connection && identity.user_id === providerUserId), statements.withIdentity.get({ connection, id: providerUserId }));
    },
    withLinkedIdentity(provider, providerUserId) {
      return holding((user) => user.identities.slice(1).some((identity) => identity.provider === provider && identity.user_id === providerUserId), statements.withLinked.get({ provider, id: providerUserId }));
    },
    withLogin(connection, identifier) {
      const matches = (user: StoredUser): number => user.identities.findIndex((identity, index) => identity.connection === connection && (({ email, username }) => email === identifier || username === identifier)(loginOf(user, index)));
      for (const user of changed.values()) {
        const index = matches(user);
        if (index >= 0) return { user, linked: index > 0 };
      }
      const row = statements.withLogin.get({ connection, identifier }) as { user_id: string } | undefined;
      const user = row ? byId(row.user_id) : undefined;
      if (!user) return undefined;
      const index = matches(user);
      return index >= 0 ? { user, linked: index > 0 } : undefined;
    },
    ofConnection(connection, limit = -1) {
      const found = rows(statements.ofConnection, { connection, limit });
      const all = pending(found, (user) => user.identities.some((identity) => identity.connection === connection));
      return limit >= 0 ? all.slice(0, limit) : all;
    },
    all() {
      return pending(rows(statements.all), () => true);
    },
    count() {
      const { count } = statements.count.get() as { count: number };
      let added = 0;
      for (const id of changed.keys()) if (!statements.get.get(id)) added++;
      let gone = 0;
      for (const id of removed) if (statements.get.get(id)) gone++;
      return count + added - gone;
    },
  };

  const changes: UserChanges = {
    write() {
      writing.clear();
      for (const id of removed) statements.remove.run(id);
      // Every changed identity row goes before any is written: an identity may move between users (linking).
      const reindexed = [...changed.values()].filter((user) => {
        const rows = identityRows(user);
        if (indexed.get(user) === rows) return false;
        writing.set(user, rows);
        return true;
      });
      for (const user of reindexed) statements.identitiesRemove.run(user.user_id);
      for (const user of changed.values()) {
        const own = loginOf(user, 0);
        statements.upsert.run(user.user_id, user.identities[0]?.connection ?? '', emailKey(user), JSON.stringify(user), own.email, own.username);
      }
      for (const user of reindexed) for (const row of identityRowsOf(user)) statements.identityInsert.run(...row);
    },
    discard() {
      for (const id of [...changed.keys(), ...removed]) live.delete(id);
      changed.clear();
      removed.clear();
      writing.clear();
    },
    written() {
      for (const [user, rows] of writing) indexed.set(user, rows);
      writing.clear();
      changed.clear();
      removed.clear();
    },
    markAll(list) {
      for (const user of list) users.add(user);
    },
  };
  return { users, changes };
}

/** Tables of an older checkout: the columns lookups use added, and filled from each user's JSON. */
function migrate(db: Database.Database): void {
  const columns = (table: string) => new Set((db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((column) => column.name));
  const users = columns('users');
  const identities = columns('identities');
  db.transaction(() => {
    if (!users.has('email')) {
      db.exec('ALTER TABLE users ADD COLUMN email TEXT; ALTER TABLE users ADD COLUMN username TEXT;');
      db.exec("UPDATE users SET email = json_extract(json, '$.email'), username = json_extract(json, '$.username')");
    }
    if (!identities.has('provider')) {
      db.exec('ALTER TABLE identities ADD COLUMN provider TEXT; ALTER TABLE identities ADD COLUMN position INTEGER; ALTER TABLE identities ADD COLUMN email TEXT; ALTER TABLE identities ADD COLUMN username TEXT;');
      // Every identity again, from the users' JSON: its provider, place, and the e-mail and username it logs in with.
      db.exec('DELETE FROM identities');
      db.exec(`INSERT INTO identities (connection, provider_user_id, user_id, provider, position, email, username)
        SELECT json_extract(identity.value, '$.connection'), json_extract(identity.value, '$.user_id'), users.user_id, json_extract(identity.value, '$.provider'), CAST(identity.key AS INTEGER),
          CASE WHEN identity.key = 0 THEN json_extract(users.json, '$.email') ELSE json_extract(identity.value, '$.profileData.email') END,
          CASE WHEN identity.key = 0 THEN json_extract(users.json, '$.username') ELSE json_extract(identity.value, '$.profileData.username') END
        FROM users, json_each(users.json, '$.identities') AS identity`);
    }
    db.exec(INDEXES);
  })();
}
