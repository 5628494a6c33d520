/**
 * The local tenant's state in SQLite (better-sqlite3, `tenant.db` in the state folder, WAL): users,
 * identities, clients, actions, connections, logs and oidc-provider's entries in tables of their own, with
 * the unique constraints Auth0 has (an e-mail once per database or passwordless connection, an identity
 * once per connection, client ids, action and connection names); the rest as one JSON row per field.
 *
 * One store per area, each on its own tables and indexes, nothing of it kept in memory beyond what requests
 * hold: the users (user-store.ts), oidc-provider's sessions, interactions, grants, codes and tokens
 * (oidc-store.ts), the log events (log-store.ts), the login side's short-lived records (records.ts), the
 * brute-force counts (brute-force.ts), the one-time codes (outbox.ts), the resources kept without acting on
 * them (api/stored.ts). The configuration — clients, actions, connections, grants, APIs, roles, settings — is
 * small and read at every request: it is worked on in memory (state.ts's shapes) and compared item by item
 * with what was written. A request is one transaction: what it saves and the rows it writes are committed once,
 * as its answer starts (`unitOfWork`); outside a request `save()` writes at once. One process owns a state
 * folder at a time (`tenant.pid`); a database that is not a sound SQLite file refuses to start.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { HttpError } from './http';
import { Outbox, OUTBOX_SCHEMA } from './outbox';
import { StoredResources, STORED_SCHEMA } from './api/stored';
import { Attempts, ATTEMPTS_SCHEMA, IDENTIFIER_MAX_LENGTH, type AttemptRecord } from './brute-force';
import { GRANT_LIFETIME_S, RECORDS_SCHEMA, recordsOn, type RecordArea, type Records } from './records';
import type { StoredAction, StoredClient, StoredConnection, StoredUser, TenantSnapshot, TenantState } from './state';
import { userStoreOn, USERS_SCHEMA, type UserStore } from './user-store';
import { oidcStoreOn, OIDC_SCHEMA, type OidcStore } from './oidc-store';
import { logStoreOn, LOGS_SCHEMA, type LogStore } from './log-store';
import { checkpointInBackground } from './checkpointer';

export const DATABASE_FILE = 'tenant.db';
const LOCK_FILE = 'tenant.pid';

/** Why the state folder cannot be opened: another process owns it, or the database is damaged (exit 2). */
export class StateError extends Error {
  readonly code = 'state-unavailable';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'StateError';
  }
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, json TEXT NOT NULL);
  ${USERS_SCHEMA}
  CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, position INTEGER NOT NULL, json TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS actions (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, position INTEGER NOT NULL, json TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS connections (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, position INTEGER NOT NULL, json TEXT NOT NULL);
  ${LOGS_SCHEMA}
  ${OIDC_SCHEMA}
  ${RECORDS_SCHEMA}
  ${OUTBOX_SCHEMA}
  ${ATTEMPTS_SCHEMA}
  ${STORED_SCHEMA}
`;

/** The fields kept as one JSON row each in `meta`. */
const META_FIELDS = ['version', 'signingSecret', 'managementClientId', 'idTokenKey', 'clientGrants', 'resourceServers', 'bindings', 'roles', 'userRoles', 'attackProtection'] as const;

/** Fields an older checkout kept as one JSON row each, now records of their own (records.ts), moved once. */
const MOVED_TO_RECORDS: ReadonlyArray<{ field: string; area: RecordArea; expiresAt?: (value: Record<string, unknown>) => number | undefined }> = [
  { field: 'loginOutcomes', area: 'loginOutcome', expiresAt: (value) => (typeof value.at === 'number' ? value.at + GRANT_LIFETIME_S * 1000 : undefined) },
  { field: 'pendingLogins', area: 'pendingLogin', expiresAt: (value) => (typeof value.expiresAt === 'number' ? value.expiresAt : undefined) },
  { field: 'bruteForce', area: 'attempt' },
];

/** The small collections with a table and a unique key each. */
const COLLECTIONS = [
  { field: 'clients', table: 'clients', key: 'client_id', unique: undefined },
  { field: 'actions', table: 'actions', key: 'id', unique: 'name' },
  { field: 'connections', table: 'connections', key: 'id', unique: 'name' },
] as const;

/**
 * Whether a process still runs. A process killed with SIGKILL stays a zombie until its parent reaps it — and in a
 * container without an init, nothing may — so on Linux a zombie counts as gone.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/PID/stat: "PID (command) STATE …"; the command may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

interface LockHolder {
  pid?: number;
  started?: string;
  command?: string;
  /** Where the holder serves the tenant, once it listens. */
  port?: number;
}

function readLock(dir: string): LockHolder {
  try {
    return JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockHolder;
  } catch {
    // No lock, or one cut short: its process died while writing it.
    return {};
  }
}

/** Tells the state folder's lock where this process serves the tenant, for the commands that would use it. */
export function announcePort(dir: string, port: number): void {
  const held = readLock(dir);
  if (held.pid !== process.pid) return;
  writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ ...held, port }), { mode: 0o600 });
}

/**
 * The tenant another live process serves from this state folder (`npm run tenant`), if one does: its port, and
 * the CLI client's credentials from the state, so a command can use that tenant instead of starting its own.
 */
export function runningTenant(dir: string): { pid: number; port: number; clientId: string; clientSecret: string } | undefined {
  const held = readLock(dir);
  if (typeof held.pid !== 'number' || held.pid === process.pid || typeof held.port !== 'number' || !isAlive(held.pid)) return undefined;
  const state = readStateFile(dir);
  const cli = state.clients.find((client) => client.client_id === state.managementClientId);
  return cli ? { pid: held.pid, port: held.port, clientId: cli.client_id, clientSecret: cli.client_secret } : undefined;
}

/** Takes the state folder for this process, or says which process has it. */
function lock(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, started: new Date().toISOString(), command: process.argv.slice(1).map((arg) => path.basename(arg)).join(' ').slice(0, 120) });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, mine, { flag: 'wx', mode: 0o600 });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const other = readLock(dir);
      if (typeof other.pid === 'number' && other.pid !== process.pid && isAlive(other.pid)) {
        throw new StateError(
          `the local tenant state in ${dir} is in use by another process (pid ${other.pid}${other.command ? `, ${other.command}` : ''}${other.started ? `, since ${other.started}` : ''})`,
          'stop that process, or give this one another state folder (LOCAL_TENANT_DIR=DIR for any command; npm run tenant -- --state DIR)',
        );
      }
      // The process that held it is gone: take the folder over.
      rmSync(file, { force: true });
    }
  }
  throw new StateError(`could not take the local tenant state in ${dir}`);
}

/**
 * What the row stores (records, brute-force counts, outbox, stored resources) prepare their statements on: each
 * change one statement, which inside a request joins the transaction the request's answer commits.
 */
export type RowStatements = Pick<Database.Database, 'prepare' | 'pragma' | 'exec'>;

const isUnique = (error: unknown) => typeof (error as { code?: unknown }).code === 'string' && /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test((error as { code: string }).code);

export interface Persistence {
  file: string;
  state: TenantState;
  /**
   * Persists what changed. Inside a request (`unitOfWork`), once for the whole request, in one transaction,
   * just before its answer's head goes out; outside one (start, a script, work a request left running), now.
   */
  save(): void;
  /**
   * Runs a request's handling as one unit of work: whatever it saves, and the rows it writes (records, brute-force
   * counts, codes), are committed once, in one transaction, as its response starts (or when it closes without
   * one) — so the client's next request finds them, and a refused save (an e-mail taken meanwhile) is the answer
   * instead, undoing that save alone. `configuration`: the request may change the tenant's configuration (a
   * Management API write); others, the login side's requests, write only what logins change (users, log events,
   * oidc-provider's entries), without comparing the configuration.
   */
  unitOfWork<T>(response: ServerResponse, options: { configuration: boolean }, handle: () => T): T;
  /** The users, read on their indexes; changes to a user object returned are written by the next save. */
  users: UserStore;
  /** oidc-provider's entries, on their indexes (oidc-store.ts). */
  oidc: OidcStore;
  /** The log events (log-store.ts). */
  logs: LogStore;
  /** The login side's short-lived records (records.ts); inside a request, written in its transaction. */
  records: Records;
  /** The one-time codes the tenant would e-mail (outbox.ts). */
  outbox: Outbox;
  /** Failed logins by connection, identifier and IP (brute-force.ts). */
  attempts: Attempts;
  /** The resources kept without acting on them (api/stored.ts). */
  stored: StoredResources;
  close(): void;
}

/** Deletes a state folder's tenant (not its TLS material), unless another process has the folder. */
export function removeState(dir: string, alsoRemove: readonly string[] = []): void {
  const unlock = lock(dir);
  try {
    for (const name of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, 'state.json', ...alsoRemove]) rmSync(path.join(dir, name), { force: true });
  } finally {
    unlock();
  }
}

/** Reads the state out of an open database, users apart (user-store.ts reads them when asked). */
export function readState(db: Database.Database): TenantState | undefined {
  const meta = new Map((db.prepare('SELECT key, json FROM meta').all() as Array<{ key: string; json: string }>).map((row) => [row.key, JSON.parse(row.json) as unknown]));
  if (meta.get('version') !== 1) return undefined;
  const rows = <T>(sql: string) => (db.prepare(sql).all() as Array<{ json: string }>).map((row) => JSON.parse(row.json) as T);
  const state = Object.fromEntries(META_FIELDS.filter((key) => meta.has(key)).map((key) => [key, meta.get(key)])) as unknown as TenantState;
  state.clients = rows<StoredClient>('SELECT json FROM clients ORDER BY position');
  state.actions = rows<StoredAction>('SELECT json FROM actions ORDER BY position');
  state.connections = rows<StoredConnection>('SELECT json FROM connections ORDER BY position');
  state.bindings ??= {};
  state.clientGrants ??= [];
  return state;
}

/** Opens a state folder's database read-only, users and all (a test looking at a tenant another process runs). */
export function readStateFile(dir: string): TenantSnapshot {
  const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true, fileMustExist: true });
  try {
    const state = readState(db);
    if (!state) throw new StateError(`${dir} holds no local tenant state`);
    return { ...state, users: (db.prepare('SELECT json FROM users ORDER BY rowid').all() as Array<{ json: string }>).map((row) => JSON.parse(row.json) as StoredUser) };
  } finally {
    db.close();
  }
}

export interface OpenOptions {
  /** A tenant that serves requests: its log is checkpointed by a worker thread, off the request path (checkpointer.ts). */
  serving?: boolean;
}

/**
 * Opens (or creates) the state in `dir`, migrating a `state.json` from before the database once.
 * `fresh` makes a new tenant's state when there is none.
 */
export function openDatabase(dir: string, fresh: () => TenantSnapshot, legacy: (file: string) => TenantSnapshot | undefined, options: OpenOptions = {}): Persistence {
  const file = path.join(dir, DATABASE_FILE);
  const unlock = lock(dir);
  let db: Database.Database;
  try {
    const existed = existsSync(file);
    // Created as its owner's alone before SQLite opens it: SQLite gives the -wal and -shm files it makes
    // the database file's mode. Those of an older checkout are narrowed too.
    if (!existed) closeSync(openSync(file, 'a', 0o600));
    for (const name of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(name)) chmodSync(name, 0o600);
    db = new Database(file);
    if (existed) {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(String(check));
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    chmodSync(file, 0o600);
  } catch (error) {
    unlock();
    if (error instanceof StateError) throw error;
    throw new StateError(`the local tenant database ${file} cannot be read (${(error as Error).message})`, 'move it aside to start a new tenant, or restore a backup; nothing was changed');
  }

  const legacyFile = path.join(dir, 'state.json');
  let state = readState(db);
  let migrated = false;
  /** The users of a state written whole (a new tenant, a `state.json` migrated). */
  let incoming: StoredUser[] = [];
  let incomingOidc: TenantSnapshot['oidc'] = {};
  let incomingLogs: TenantSnapshot['logs'] = [];
  if (!state) {
    const { users: snapshotUsers, oidc: snapshotOidc, logs: snapshotLogs, ...rest } = (existsSync(legacyFile) ? legacy(legacyFile) : undefined) ?? fresh();
    state = rest;
    incoming = snapshotUsers;
    incomingOidc = snapshotOidc;
    incomingLogs = snapshotLogs;
    migrated = existsSync(legacyFile);
  }

  // What was last written, to write only what changed.
  const written = new Map<string, string>();

  const current = state;
  const { users, changes: userChanges } = userStoreOn(db, () => current.connections);
  const { oidc, changes: oidcChanges } = oidcStoreOn(db);
  const { logs, changes: logChanges } = logStoreOn(db);

  const statements = {
    meta: db.prepare('INSERT INTO meta (key, json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET json = excluded.json'),
    metaDelete: db.prepare('DELETE FROM meta WHERE key = ?'),
  };
  const collection = Object.fromEntries(COLLECTIONS.map(({ table, key, unique }) => [table, {
    upsert: db.prepare(`INSERT INTO ${table} (${key}, ${unique ? `${unique}, ` : ''}position, json) VALUES (?, ${unique ? '?, ' : ''}?, ?) ON CONFLICT (${key}) DO UPDATE SET ${unique ? `${unique} = excluded.${unique}, ` : ''}position = excluded.position, json = excluded.json`),
    remove: db.prepare(`DELETE FROM ${table} WHERE ${key} = ?`),
  }]));

  /** The tenant's configuration (settings and collections): compared with what was written, item by item. */
  const writeConfig = () => {
    for (const field of META_FIELDS) {
      const value = (current as unknown as Record<string, unknown>)[field];
      const text = value === undefined ? undefined : JSON.stringify(value);
      if (text === written.get(`meta:${field}`)) continue;
      if (text === undefined) statements.metaDelete.run(field);
      else statements.meta.run(field, text);
      if (text === undefined) written.delete(`meta:${field}`);
      else written.set(`meta:${field}`, text);
    }
    for (const { field, table, key, unique } of COLLECTIONS) {
      const items = current[field] as unknown as Array<Record<string, unknown>>;
      const seen = new Set<string>();
      // Names move between items (a rename, a delete then a create): free them first.
      for (const [memo] of written) {
        if (!memo.startsWith(`${table}:`)) continue;
        const id = memo.slice(table.length + 1);
        if (!items.some((item) => String(item[key]) === id)) {
          collection[table]?.remove.run(id);
          written.delete(memo);
        }
      }
      items.forEach((item, position) => {
        const id = String(item[key]);
        seen.add(id);
        const text = JSON.stringify(item);
        const memo = `${table}:${id}`;
        if (written.get(memo) === `${position}:${text}`) return;
        const args = unique ? [id, String(item[unique]), position, text] : [id, position, text];
        collection[table]?.upsert.run(...args);
        written.set(memo, `${position}:${text}`);
      });
    }
  };

  /** What logins change: the users marked changed, new log events, oidc-provider's changed entries. */
  const writeActivity = () => {
    userChanges.write();
    logChanges.write();
    oidcChanges.write();
  };
  const writeAll = db.transaction(() => {
    writeConfig();
    writeActivity();
  });
  const writeActivityOnly = db.transaction(writeActivity);

  const saveWith = (write: () => void) => {
    try {
      write();
    } catch (error) {
      // Nothing of this save was written: the users' changes are dropped and they are read again as stored —
      // so one refused change never keeps every later save failing.
      userChanges.discard();
      throw isUnique(error) ? new HttpError(409, 'The user already exists.', 'user_exists') : error;
    }
    userChanges.written();
    oidcChanges.written();
    logChanges.written();
  };
  /** The request being handled: whether it saved anything, and whether it is still before its answer. */
  const requests = new AsyncLocalStorage<{ pending: boolean; open: boolean }>();
  const save = () => {
    const work = requests.getStore();
    if (work?.open) work.pending = true;
    else saveWith(writeAll);
  };
  const begin = db.prepare('BEGIN');
  const commit = db.prepare('COMMIT');
  /** Commits the transaction requests' row writes opened, if one is open. */
  const commitOpen = () => {
    if (db.open && db.inTransaction) commit.run();
  };
  /**
   * Before a row store's write: inside a request that has not answered yet, into a transaction (opened now if none
   * is), which the request commits as its answer starts — with whatever other requests wrote into it meanwhile.
   * Outside one, the statement commits on its own (or joins a transaction a request opened).
   */
  const joinRequest = () => {
    const work = requests.getStore();
    if (!work?.open) return;
    work.pending = true;
    if (!db.inTransaction) begin.run();
  };
  const rowStatements: RowStatements = {
    pragma: db.pragma.bind(db),
    exec: db.exec.bind(db),
    prepare: ((sql: string) => {
      const statement = db.prepare(sql);
      const run = statement.run.bind(statement);
      statement.run = ((...args: Parameters<typeof run>) => {
        joinRequest();
        return run(...args);
      }) as typeof statement.run;
      return statement;
    }) as RowStatements['prepare'],
  };
  const unitOfWork = <T>(response: ServerResponse, options: { configuration: boolean }, handle: () => T): T => {
    const work = { pending: false, open: true };
    const write = options.configuration ? writeAll : writeActivityOnly;
    const finish = () => {
      if (!work.open) return;
      work.open = false;
      if (!work.pending || !db.open) return;
      try {
        // Inside the open transaction (if rows were written), a savepoint: a refused save undoes itself alone.
        saveWith(write);
      } finally {
        commitOpen();
      }
    };
    const writeHead = response.writeHead;
    // A refused write throws here, before the head goes out: whoever answers sends that error instead.
    response.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
      finish();
      return writeHead.apply(this, args);
    } as ServerResponse['writeHead'];
    response.once('close', () => {
      try {
        finish();
      } catch (error) {
        // No answer to give any more: what could not be written is dropped (saveWith read it back as stored).
        console.error(`the local tenant could not write what a request changed: ${(error as Error).message}`);
      }
    });
    return requests.run(work, handle);
  };

  // Everything loaded counts as written; a fresh or migrated state is written whole.
  if (!migrated && readState(db)) {
    for (const field of META_FIELDS) {
      const value = (current as unknown as Record<string, unknown>)[field];
      if (value !== undefined) written.set(`meta:${field}`, JSON.stringify(value));
    }
    for (const { field, table, key } of COLLECTIONS) {
      (current[field] as unknown as Array<Record<string, unknown>>).forEach((item, position) => written.set(`${table}:${String(item[key])}`, `${position}:${JSON.stringify(item)}`));
    }
  } else {
    userChanges.markAll(incoming);
    for (const [model, entries] of Object.entries(incomingOidc ?? {})) for (const [id, entry] of Object.entries(entries)) oidc.set(model, id, entry);
    for (const log of incomingLogs ?? []) logs.append(log);
  }
  save();
  if (migrated) rmSync(legacyFile, { force: true });

  const records = recordsOn(rowStatements);
  // What an older checkout kept in one JSON row each: moved into records once (the legacy state.json too).
  const moving = db.transaction((source: Record<string, unknown>) => {
    for (const { field, area, expiresAt } of MOVED_TO_RECORDS) {
      const value = source[field];
      if (typeof value !== 'object' || value === null) continue;
      for (const [key, record] of Object.entries(value as Record<string, Record<string, unknown>>)) records.put(area, key, record, expiresAt?.(record));
      statements.metaDelete.run(field);
    }
  });
  const legacyMeta = Object.fromEntries((db.prepare('SELECT key, json FROM meta').all() as Array<{ key: string; json: string }>).map((row) => [row.key, JSON.parse(row.json) as unknown]));
  moving({ ...(current as unknown as Record<string, unknown>), ...legacyMeta });
  for (const { field } of MOVED_TO_RECORDS) delete (current as unknown as Record<string, unknown>)[field];
  // Brute-force counts an older checkout kept as records: into their table, those of identifiers no login can have dropped.
  const attempts = new Attempts(rowStatements);
  db.transaction(() => {
    for (const { key, value } of records.list<AttemptRecord>('attempt')) {
      if (typeof value.identifier === 'string' && value.identifier.length <= IDENTIFIER_MAX_LENGTH) attempts.put(value, true);
      records.delete('attempt', key);
    }
  })();
  const stopCheckpoints = options.serving ? checkpointInBackground(db) : () => undefined;

  return {
    file,
    state: current,
    save,
    unitOfWork,
    users,
    records,
    outbox: new Outbox(rowStatements),
    attempts,
    stored: new StoredResources(rowStatements),
    oidc,
    logs,
    close() {
      commitOpen();
      // The worker's connection goes first: the tenant's, closing last, folds the log into the database and removes it.
      stopCheckpoints();
      if (db.open) db.close();
      unlock();
    },
  };
}
