/**
 * The login side's short-lived state lives in rows of its own in the state database: written as it changes,
 * kept across a restart, swept when its time has passed, and bounded — never one JSON row rewritten at
 * every save, never only in memory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { recordLoginOutcome } from '../src/login';
import { GRANT_LIFETIME_S } from '../src/records';
import { MAX_LOGS } from '../src/logs';
import { openState } from '../src/state';

const fresh = () => mkdtempSync(path.join(tmpdir(), 'records-'));

describe('records', () => {
  it('keeps a record across a restart, hides it once expired, and sweeps it', () => {
    const dir = fresh();
    const store = openState(dir);
    store.records.put('pendingLogin', 'live', { kind: 'redirect', action: 'a', expiresAt: Date.now() + 60_000 }, Date.now() + 60_000);
    store.records.put('pendingLogin', 'gone', { kind: 'redirect', action: 'b', expiresAt: Date.now() - 1 }, Date.now() - 1);
    store.close();
    const again = openState(dir);
    expect(again.records.get('pendingLogin', 'live')).toMatchObject({ action: 'a' });
    expect(again.records.get('pendingLogin', 'gone')).toBeUndefined();
    expect(again.records.sweep()).toBe(1);
    expect(again.records.list('pendingLogin').map((record) => record.key)).toEqual(['live']);
    again.close();
  });

  it('keeps the claims a grant\'s login got from its Actions as long as the grant lives, then sweeps them', () => {
    const store = openState(fresh());
    recordLoginOutcome(store, 'grant-1', { idTokenClaims: { 'https://t/a': 1 }, accessTokenClaims: {} } as unknown as Parameters<typeof recordLoginOutcome>[2]);
    expect(store.records.get('loginOutcome', 'grant-1')).toMatchObject({ idTokenClaims: { 'https://t/a': 1 } });
    expect(store.records.sweep(Date.now() + GRANT_LIFETIME_S * 1000 - 60_000)).toBe(0);
    expect(store.records.sweep(Date.now() + GRANT_LIFETIME_S * 1000 + 60_000)).toBe(1);
    expect(store.records.get('loginOutcome', 'grant-1')).toBeUndefined();
    store.close();
  });

  it('moves the JSON rows an older checkout kept into records once (login outcomes, waiting logins) and brute-force counts into their table, dropping identifiers no login can have', () => {
    const dir = fresh();
    openState(dir).close();
    const db = new Database(path.join(dir, 'tenant.db'));
    const put = db.prepare('INSERT INTO meta (key, json) VALUES (?, ?)');
    const huge = `${'x'.repeat(900_000)}@example.com`;
    put.run('bruteForce', JSON.stringify({
      'db\u0000eve@example.com\u0000127.0.0.1': { connection: 'db', identifier: 'eve@example.com', ip: '127.0.0.1', failures: 3 },
      [`db\u0000${huge}\u0000127.0.0.1`]: { connection: 'db', identifier: huge, ip: '127.0.0.1', failures: 1 },
    }));
    put.run('loginOutcomes', JSON.stringify({ grant1: { idTokenClaims: { a: 1 }, accessTokenClaims: {}, at: Date.now() } }));
    put.run('pendingLogins', JSON.stringify({ uid1: { kind: 'redirect', action: 'x', expiresAt: Date.now() + 60_000 } }));
    db.close();
    const store = openState(dir);
    expect(store.attempts.get('db', 'eve@example.com', '127.0.0.1')).toMatchObject({ failures: 3 });
    expect(store.attempts.ofIdentifier(huge)).toEqual([]);
    expect(store.records.list('attempt')).toEqual([]);
    expect(store.records.get('loginOutcome', 'grant1')).toMatchObject({ idTokenClaims: { a: 1 } });
    expect(store.records.get('pendingLogin', 'uid1')).toMatchObject({ action: 'x' });
    store.close();
    const meta = new Database(path.join(dir, 'tenant.db'), { readonly: true }).prepare("SELECT key FROM meta WHERE key IN ('bruteForce', 'loginOutcomes', 'pendingLogins')").all();
    expect(meta).toEqual([]);
  });
});

describe('the outbox', () => {
  it('keeps codes across a restart, counts only the latest, and ends a code after two wrong tries', () => {
    const dir = fresh();
    const store = openState(dir);
    store.outbox.send('kim@example.com', 'email', 'passwordless');
    store.outbox.send('kim@example.com', 'email', 'passwordless');
    const [first, latest] = store.outbox.list('kim@example.com');
    store.close();
    const again = openState(dir);
    expect(again.outbox.take('kim@example.com', 'email', 'passwordless', first?.code === latest?.code ? 'nope' : first?.code)).toBe('wrong');
    expect(again.outbox.take('kim@example.com', 'email', 'passwordless', 'nope')).toBe('wrong');
    expect(again.outbox.take('kim@example.com', 'email', 'passwordless', 'nope')).toBe('exhausted');
    expect(again.outbox.take('kim@example.com', 'email', 'passwordless', latest?.code)).toBe('wrong');
    again.outbox.send('kim@example.com', 'email', 'mfa');
    const code = again.outbox.list('kim@example.com').at(-1)?.code;
    expect(again.outbox.take('kim@example.com', 'email', 'mfa', code)).toBe('ok');
    expect(again.outbox.take('kim@example.com', 'email', 'mfa', code)).toBe('wrong');
    again.close();
  });

  it('never lets a superseded code work again, once the newer one is used or burned', () => {
    const store = openState(fresh());
    const codes = () => store.outbox.list('lee@example.com').map((message) => message.code);
    store.outbox.send('lee@example.com', 'email', 'passwordless');
    store.outbox.send('lee@example.com', 'email', 'passwordless');
    const [old, newer] = codes();
    if (old === newer) return store.close();
    expect(store.outbox.take('lee@example.com', 'email', 'passwordless', newer)).toBe('ok');
    expect(store.outbox.take('lee@example.com', 'email', 'passwordless', old)).toBe('wrong');
    store.outbox.send('lee@example.com', 'email', 'passwordless');
    const burned = codes().at(-1);
    for (const guess of ['x', 'y', 'z']) store.outbox.take('lee@example.com', 'email', 'passwordless', guess);
    expect(store.outbox.take('lee@example.com', 'email', 'passwordless', burned)).toBe('wrong');
    expect(store.outbox.take('lee@example.com', 'email', 'passwordless', old)).toBe('wrong');
    store.close();
  });

  it('keeps the live code of every address however many are sent for others, and of the superseded ones the newest thousand', () => {
    const store = openState(fresh());
    store.outbox.send('kept@example.com', 'email', 'passwordless');
    const live = store.outbox.list('kept@example.com')[0]?.code;
    for (let i = 0; i < 1_200; i++) store.outbox.send(`user-${i}@example.com`, 'email', 'passwordless');
    expect(store.outbox.list(null)).toHaveLength(1_201);
    for (let i = 0; i < 1_200; i++) store.outbox.send('busy@example.com', 'email', 'passwordless');
    // 2,401 sent: the newest thousand, and the latest of each address older than them.
    expect(store.outbox.list(null).length).toBeLessThanOrEqual(1_000 + 1_201);
    expect(store.outbox.list('busy@example.com').length).toBeLessThanOrEqual(1_000);
    expect(store.outbox.take('kept@example.com', 'email', 'passwordless', live)).toBe('ok');
    store.close();
  });

  it('sweeps expired codes as new ones are sent', () => {
    const store = openState(fresh());
    store.outbox.send('old@example.com', 'email', 'passwordless');
    const realNow = Date.now;
    Date.now = () => realNow() + 301_000;
    try {
      store.outbox.send('new@example.com', 'email', 'passwordless');
      expect(store.outbox.list(null).map((message) => message.to)).toEqual(['new@example.com']);
    } finally {
      Date.now = realNow;
    }
    store.close();
  });
});

describe('log events', () => {
  it('are kept across a restart, read from their table, and bounded to the newest MAX_LOGS', () => {
    const dir = fresh();
    const store = openState(dir);
    for (let i = 0; i < MAX_LOGS + 700; i++) store.logs.append({ log_id: `log-${String(i).padStart(6, '0')}`, date: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), type: 's', description: '' });
    store.save();
    expect(store.logs.get('log-000001')).toBeUndefined();
    store.close();
    const again = openState(dir);
    const logs = again.logs.all();
    expect(logs).toHaveLength(MAX_LOGS);
    expect(logs.at(-1)?.log_id).toBe(`log-${String(MAX_LOGS + 699).padStart(6, '0')}`);
    expect(again.logs.get(`log-${String(MAX_LOGS + 699).padStart(6, '0')}`)).toMatchObject({ type: 's' });
    again.close();
  });
});
