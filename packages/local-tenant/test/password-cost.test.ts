/**
 * A password login spends one scrypt of the same cost whether or not the identifier is a user's, and when
 * brute-force protection has blocked it: the answer's timing does not tell which e-mails exist. Counted
 * here, not timed: a timed test flakes on a busy machine and proves less.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const costs: number[] = [];
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return {
    ...actual,
    scrypt: (password: string, salt: Buffer, length: number, options: { N: number }, done: (error: Error | null, key: Buffer) => void) => {
      costs.push(options.N);
      actual.scrypt(password, salt, length, options, done);
    },
  };
});

import { authenticatePassword, hashPassword, newUser } from '../src/login';
import { BRUTE_FORCE_THRESHOLD } from '../src/brute-force';
import { openState, type StoredConnection } from '../src/state';

function tenantWithUser() {
  const store = openState(mkdtempSync(path.join(tmpdir(), 'password-cost-')));
  const database: StoredConnection = { id: 'con_db', name: 'db', strategy: 'auth0', options: { brute_force_protection: true }, fields: {}, enabled_clients: [], created_at: '' };
  store.state.connections.push(database);
  store.save();
  return { store, database };
}

describe('what a password login spends', () => {
  it('hashes once, at the same cost, for a known user, an unknown e-mail and a blocked one', async () => {
    const { store, database } = tenantWithUser();
    const user = newUser(database, 'auth0', 'known', { email: 'known@example.com' });
    user.password_hash = await hashPassword('the right password');
    store.users.add(user);
    store.save();
    const spent = async (username: string, password: string, ip: string) => {
      costs.length = 0;
      const result = await authenticatePassword(store, database, username, password, { ip });
      return { result: typeof result === 'object' ? result.user_id : result, costs: [...costs] };
    };

    const right = await spent('known@example.com', 'the right password', '192.0.2.1');
    expect(right).toEqual({ result: 'auth0|known', costs: [expect.any(Number)] });
    const cost = right.costs[0];
    expect(await spent('known@example.com', 'wrong', '192.0.2.2')).toEqual({ result: undefined, costs: [cost] });
    expect(await spent('nobody@example.com', 'wrong', '192.0.2.3')).toEqual({ result: undefined, costs: [cost] });
    expect(await spent('known@example.com', 42 as unknown as string, '192.0.2.4')).toEqual({ result: undefined, costs: [cost] });

    for (let i = 0; i < BRUTE_FORCE_THRESHOLD; i++) await spent('known@example.com', 'wrong', '192.0.2.5');
    expect(await spent('known@example.com', 'the right password', '192.0.2.5')).toEqual({ result: 'blocked', costs: [cost] });
    store.close();
  });
});
