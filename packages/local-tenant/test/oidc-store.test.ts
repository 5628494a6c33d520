/**
 * oidc-provider's entries live in their table: what a request sets is seen at once and written by its save, a
 * restart finds every session and token, each lookup is a search on an index, and what expired is swept.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { stateAdapter } from '../src/oidc/adapter';
import { OIDC_QUERIES } from '../src/oidc-store';
import { openState } from '../src/state';

const fresh = () => mkdtempSync(path.join(tmpdir(), 'oidc-store-'));
const now = () => Math.floor(Date.now() / 1000);

describe('oidc-provider\'s entries', () => {
  it('are seen at once, kept across a restart, and found by uid, grant and user code', async () => {
    const dir = fresh();
    const store = openState(dir);
    const Adapter = stateAdapter(store, () => undefined);
    const sessions = new Adapter('Session');
    const codes = new Adapter('AuthorizationCode');
    const devices = new Adapter('DeviceCode');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'auth0|a' }, 3_600);
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await codes.upsert('c2', { grantId: 'g2' }, 60);
    await devices.upsert('d1', { userCode: 'ABCD-EFGH' }, 600);
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'auth0|a' });
    store.close();

    const again = openState(dir);
    const Reopened = stateAdapter(again, () => undefined);
    expect(await new Reopened('Session').findByUid('u1')).toMatchObject({ accountId: 'auth0|a' });
    expect(await new Reopened('DeviceCode').findByUserCode('ABCD-EFGH')).toBeDefined();
    await new Reopened('AuthorizationCode').revokeByGrantId('g1');
    expect(await new Reopened('AuthorizationCode').find('c1')).toBeUndefined();
    expect(await new Reopened('AuthorizationCode').find('c2')).toBeDefined();
    await new Reopened('AuthorizationCode').consume('c2');
    expect(await new Reopened('AuthorizationCode').find('c2')).toMatchObject({ consumed: expect.any(Number) });
    again.close();
  });

  it('sweeps what expired and leaves what lives', () => {
    const store = openState(fresh());
    store.oidc.set('Session', 'old', { payload: { uid: 'o' }, expiresAt: now() - 10 });
    store.oidc.set('Session', 'new', { payload: { uid: 'n' }, expiresAt: now() + 3_600 });
    store.save();
    store.oidc.sweep(now());
    store.save();
    expect(store.oidc.get('Session', 'old')).toBeUndefined();
    expect(store.oidc.get('Session', 'new')).toBeDefined();
    expect(store.oidc.count('Session')).toBe(1);
    store.close();
  });

  it('searches every lookup on an index', () => {
    const dir = fresh();
    openState(dir).close();
    const db = new Database(path.join(dir, 'tenant.db'), { readonly: true });
    for (const [name, sql] of Object.entries(OIDC_QUERIES)) {
      const steps = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ model: 'm', id: 'i', uid: 'u', code: 'c', grant: 'g', limit: 1, now: 0 }) as Array<{ detail: string }>).map((row) => row.detail);
      expect({ name, scans: steps.filter((step) => /^SCAN oidc\b/.test(step)) }).toEqual({ name, scans: [] });
    }
    db.close();
  });
});
