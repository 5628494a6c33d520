/**
 * The users live in their tables, not in memory: each lookup a login or the Management API makes is a query on
 * an index, a change is written by the save of the request that made it, and a restart finds every user as
 * the last save left them. A user asked for twice while held is one object, so two requests change one user.
 */
import { mkdtempSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { newUser } from '../src/login';
import { openState, type StateStore, type StoredConnection, type StoredUser } from '../src/state';
import { USER_QUERIES } from '../src/user-store';

const fresh = () => mkdtempSync(path.join(tmpdir(), 'user-store-'));

function withConnections(store: StateStore): { database: StoredConnection; google: StoredConnection } {
  const database: StoredConnection = { id: 'con_db', name: 'Username-Password-Authentication', strategy: 'auth0', options: {}, fields: {}, enabled_clients: [], created_at: '' };
  const google: StoredConnection = { id: 'con_g', name: 'google-oauth2', strategy: 'google-oauth2', options: {}, fields: {}, enabled_clients: [], created_at: '' };
  store.state.connections.push(database, google);
  store.save();
  return { database, google };
}

describe('the user store', () => {
  it('finds users by id, e-mail, identity and login on indexes, and keeps them across a restart', () => {
    const dir = fresh();
    const store = openState(dir);
    const { database, google } = withConnections(store);
    store.users.add(newUser(database, 'auth0', 'ada', { email: 'ada@example.com', username: 'ada' }));
    store.users.add(newUser(google, 'google-oauth2', '104', { email: 'ada@example.com' }));
    // Before the save: a request sees the users it added.
    expect(store.users.withEmail('ada@example.com').map((user) => user.user_id)).toEqual(['auth0|ada', 'google-oauth2|104']);
    store.save();
    store.close();

    const again = openState(dir);
    expect(again.users.count()).toBe(2);
    expect(again.users.get('auth0|ada')).toMatchObject({ email: 'ada@example.com' });
    expect(again.users.withEmail('ada@example.com', 'google-oauth2').map((user) => user.user_id)).toEqual(['google-oauth2|104']);
    expect(again.users.withIdentity('google-oauth2', '104')?.user_id).toBe('google-oauth2|104');
    expect(again.users.withLogin('Username-Password-Authentication', 'ada')).toMatchObject({ user: { user_id: 'auth0|ada' }, linked: false });
    expect(again.users.withLogin('Username-Password-Authentication', 'ada@example.com')?.user.user_id).toBe('auth0|ada');
    expect(again.users.withLogin('Username-Password-Authentication', 'nobody@example.com')).toBeUndefined();
    expect(again.users.ofConnection('google-oauth2', 20).map((user) => user.user_id)).toEqual(['google-oauth2|104']);
    // The query plans use the indexes, never a scan of every user.
    const db = new Database(path.join(dir, 'tenant.db'), { readonly: true });
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ email: 'e', connection: 'c', id: 'i', provider: 'p', identifier: 'x', limit: 1 }) as Array<{ detail: string }>).map((row) => row.detail);
    for (const [name, sql] of Object.entries(USER_QUERIES)) {
      const steps = plan(sql);
      // Every table searched on an index (or its key): none walked row by row.
      expect({ name, scans: steps.filter((step) => /^SCAN (users|identities)\b/.test(step)) }).toEqual({ name, scans: [] });
    }
    expect(plan(USER_QUERIES.withLogin)).toEqual(expect.arrayContaining([
      'SEARCH identities USING INDEX identities_login_email (connection=? AND email=?)',
      'SEARCH identities USING INDEX identities_login_username (connection=? AND username=?)',
    ]));
    expect(plan(USER_QUERIES.withEmail).join('; ')).toContain('USING INDEX users_email');
    expect(plan(USER_QUERIES.withLinked).join('; ')).toContain('USING INDEX identities_provider');
    db.close();
    again.close();
  });

  it('gives the same object to two holders, writes a change at the next save, and forgets a removed user', () => {
    const dir = fresh();
    const store = openState(dir);
    const { database } = withConnections(store);
    store.users.add(newUser(database, 'auth0', 'grace', { email: 'grace@example.com' }));
    store.save();
    const first = store.users.get('auth0|grace') as StoredUser;
    const second = store.users.withEmail('grace@example.com')[0] as StoredUser;
    expect(second).toBe(first);
    first.logins_count = 3;
    second.app_metadata = { seen: true };
    store.save();
    store.close();
    const reopened = openState(dir);
    expect(reopened.users.get('auth0|grace')).toMatchObject({ logins_count: 3, app_metadata: { seen: true } });
    // A request still holding the user (a login whose user an Action linked into another) writes nothing back.
    const held = reopened.users.get('auth0|grace') as StoredUser;
    reopened.users.remove('auth0|grace');
    expect(reopened.users.get('auth0|grace')).toBeUndefined();
    reopened.save();
    held.logins_count = 4;
    reopened.save();
    expect(reopened.users.get('auth0|grace')).toBeUndefined();
    reopened.close();
    const again = openState(dir);
    expect(again.users.get('auth0|grace')).toBeUndefined();
    expect(again.users.count()).toBe(0);
    again.close();
  });

  it('reads a user again as stored when the save that would write its change is refused', () => {
    const store = openState(fresh());
    const { database } = withConnections(store);
    store.users.add(newUser(database, 'auth0', 'one', { email: 'one@example.com' }));
    store.save();
    // The same e-mail twice in one database connection: the unique index refuses the save.
    store.users.add(newUser(database, 'auth0', 'two', { email: 'one@example.com' }));
    (store.users.get('auth0|one') as StoredUser).name = 'Changed';
    expect(() => store.save()).toThrow('The user already exists.');
    expect(store.users.get('auth0|two')).toBeUndefined();
    expect(store.users.get('auth0|one')?.name).not.toBe('Changed');
    store.save();
    store.close();
  });

  it('rewrites a user\'s identity rows only when what they index changes (the e-mail logged in with), and anew when the user is added again', () => {
    const dir = fresh();
    const store = openState(dir);
    const { database } = withConnections(store);
    store.users.add(newUser(database, 'auth0', 'rows', { email: 'before@example.com' }));
    // Another user's rows after them: rows written again would get new rowids.
    store.users.add(newUser(database, 'auth0', 'other', { email: 'other@example.com' }));
    store.save();
    const reader = new Database(path.join(dir, 'tenant.db'), { readonly: true });
    const rows = () => reader.prepare("SELECT rowid, user_id, email FROM identities WHERE user_id = 'auth0|rows'").all();
    const first = rows();

    // A login: the user changes, its identity rows do not.
    (store.users.get('auth0|rows') as StoredUser).logins_count = 1;
    store.save();
    expect(rows()).toEqual(first);

    // A new e-mail: the login lookup follows it.
    (store.users.get('auth0|rows') as StoredUser).email = 'after@example.com';
    store.save();
    expect(rows()).toEqual([expect.objectContaining({ user_id: 'auth0|rows', email: 'after@example.com' })]);
    expect(store.users.withLogin(database.name, 'after@example.com')?.user.user_id).toBe('auth0|rows');
    expect(store.users.withLogin(database.name, 'before@example.com')).toBeUndefined();

    // A removed user added again writes its rows anew.
    const held = store.users.get('auth0|rows') as StoredUser;
    store.users.remove('auth0|rows');
    store.save();
    expect(rows()).toEqual([]);
    store.users.add(held);
    store.save();
    expect(store.users.withIdentity(database.name, 'rows')?.user_id).toBe('auth0|rows');
    reader.close();
    store.close();
  });

  it('finds a linked database identity by the e-mail it logs in with, and its primary user by the identity', () => {
    const dir = fresh();
    const store = openState(dir);
    const { database, google } = withConnections(store);
    const primary = store.users.add(newUser(google, 'google-oauth2', '7', { email: 'lin@example.com' }));
    primary.identities = [...primary.identities, { connection: database.name, provider: 'auth0', user_id: 'lin', isSocial: false, profileData: { email: 'lin.db@example.com' }, password_hash: 'x' }];
    store.save();
    store.close();
    const again = openState(dir);
    expect(again.users.withLogin(database.name, 'lin.db@example.com')).toMatchObject({ user: { user_id: 'google-oauth2|7' }, linked: true });
    expect(again.users.withLinkedIdentity('auth0', 'lin')?.user_id).toBe('google-oauth2|7');
    expect(again.users.withIdentity(database.name, 'lin')?.user_id).toBe('google-oauth2|7');
    again.close();
  });

  it('moves an older checkout\'s tables: the columns and identities lookups use, filled from each user\'s JSON', () => {
    const dir = fresh();
    const store = openState(dir);
    const { database } = withConnections(store);
    store.users.add(newUser(database, 'auth0', 'old', { email: 'old@example.com', username: 'oldie' }));
    store.save();
    store.close();
    // The tables as an older checkout made them: no e-mail, username, provider or position columns.
    const db = new Database(path.join(dir, 'tenant.db'));
    db.exec(`
      CREATE TABLE users_old (user_id TEXT PRIMARY KEY, connection TEXT NOT NULL, email_key TEXT, json TEXT NOT NULL);
      INSERT INTO users_old SELECT user_id, connection, email_key, json FROM users;
      CREATE TABLE identities_old (connection TEXT NOT NULL, provider_user_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (connection, provider_user_id));
      INSERT INTO identities_old SELECT connection, provider_user_id, user_id FROM identities;
      DROP TABLE identities; DROP TABLE users;
      ALTER TABLE users_old RENAME TO users; ALTER TABLE identities_old RENAME TO identities;
    `);
    db.close();
    const again = openState(dir);
    expect(again.users.withLogin(database.name, 'oldie')?.user.user_id).toBe('auth0|old');
    expect(again.users.withEmail('old@example.com').map((user) => user.user_id)).toEqual(['auth0|old']);
    again.close();
  });
});

/** A state with one database user (`auth0|ID`, ID@example.com), and a second connection that reads what is committed. */
function storeWithUser(id: string) {
  const dir = fresh();
  const store = openState(dir);
  const { database } = withConnections(store);
  store.users.add(newUser(database, 'auth0', id, { email: `${id}@example.com` }));
  store.save();
  const reader = new Database(path.join(dir, 'tenant.db'), { readonly: true });
  const stored = () => JSON.parse((reader.prepare('SELECT json FROM users WHERE user_id = ?').get(`auth0|${id}`) as { json: string }).json) as StoredUser;
  return { store, database, reader, stored };
}

describe('a request as one unit of work', () => {
  it('writes what the request saved as activity once, as its answer starts — not at each step', () => {
    const { store, reader, stored } = storeWithUser('unit');
    const response = new ServerResponse(new IncomingMessage(new Socket()));
    store.unitOfWork(response, { configuration: false }, () => {
      const user = store.users.get('auth0|unit') as StoredUser;
      user.logins_count = 1;
      store.save();
      user.last_login = '2026-12-07T00:00:00.000Z';
      store.save();
      // Steps of one request: nothing written yet.
      expect(stored().logins_count).toBe(0);
      response.writeHead(200);
    });
    expect(stored()).toMatchObject({ logins_count: 1, last_login: '2026-12-07T00:00:00.000Z' });
    // Outside a request (an Action's late write, a script): written at once.
    (store.users.get('auth0|unit') as StoredUser).logins_count = 2;
    store.save();
    expect(stored().logins_count).toBe(2);
    reader.close();
    store.close();
  });

  it('makes a write refused at the end of the request its answer, and keeps nothing of it', () => {
    const store = openState(fresh());
    const { database } = withConnections(store);
    store.users.add(newUser(database, 'auth0', 'taken', { email: 'taken@example.com' }));
    store.save();
    const response = new ServerResponse(new IncomingMessage(new Socket()));
    store.unitOfWork(response, { configuration: false }, () => {
      // The same e-mail on the same database connection, as a second signup that raced the first.
      store.users.add(newUser(database, 'auth0', 'again', { email: 'taken@example.com' }));
      store.save();
      expect(() => response.writeHead(201)).toThrow('The user already exists.');
    });
    expect(store.users.get('auth0|again')).toBeUndefined();
    expect(store.users.withEmail('taken@example.com').map((user) => user.user_id)).toEqual(['auth0|taken']);
    store.close();
  });

  it('writes the rows a request changes (records, brute-force counts, codes) in the transaction its answer commits', () => {
    const { store, database, reader, stored } = storeWithUser('rows');
    const committed = () => ({
      records: (reader.prepare("SELECT count(*) AS n FROM records WHERE area = 'browser'").get() as { n: number }).n,
      attempts: (reader.prepare('SELECT count(*) AS n FROM attempts').get() as { n: number }).n,
      codes: (reader.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n,
      logins: stored().logins_count,
    });
    const response = new ServerResponse(new IncomingMessage(new Socket()));
    store.unitOfWork(response, { configuration: false }, () => {
      store.records.put('browser', 'interaction-1', { device: 'd' }, Date.now() + 60_000);
      store.attempts.put({ connection: database.name, identifier: 'rows@example.com', ip: '203.0.113.9', failures: 1 }, true);
      store.outbox.send('rows@example.com', 'email', 'passwordless');
      (store.users.get('auth0|rows') as StoredUser).logins_count = 1;
      store.save();
      // Seen by this process at once, by another connection (a reader, a crash) only once the answer starts.
      expect(store.records.get('browser', 'interaction-1')).toEqual({ device: 'd' });
      expect(committed()).toEqual({ records: 0, attempts: 0, codes: 0, logins: 0 });
      response.writeHead(200);
    });
    expect(committed()).toEqual({ records: 1, attempts: 1, codes: 1, logins: 1 });

    // A save refused at the end of a request undoes its own changes, not the rows the request wrote.
    const second = new ServerResponse(new IncomingMessage(new Socket()));
    store.unitOfWork(second, { configuration: false }, () => {
      store.records.put('browser', 'interaction-2', { device: 'e' }, Date.now() + 60_000);
      store.users.add(newUser(database, 'auth0', 'clash', { email: 'rows@example.com' }));
      store.save();
      expect(() => second.writeHead(201)).toThrow('The user already exists.');
    });
    expect(committed().records).toBe(2);
    expect(store.users.get('auth0|clash')).toBeUndefined();
    reader.close();
    store.close();
  });
});
