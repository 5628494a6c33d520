/**
 * Users written straight into a stopped tenant's state, for loads no import job would be quick enough for
 * (the bench's twenty thousand): each with Auth0's shape, a password when given, on an existing connection.
 */
import { hashPassword, newUser } from './login';
import { openState, type StoredUser } from './state';

export interface SeedUser extends Partial<Omit<StoredUser, 'password_hash' | 'identities'>> {
  /** The user's id at the provider (`auth0|<id>`). */
  id: string;
  /** Hashed as a signup would hash it. */
  password?: string;
}

/** Adds `users` to `connection` in the state folder `stateDir`; no tenant may be running on it. */
export async function seedUsers(stateDir: string, connection: string, users: Iterable<SeedUser>): Promise<void> {
  const store = openState(stateDir);
  try {
    const target = store.state.connections.find((candidate) => candidate.name === connection);
    if (!target) throw new Error(`the state has no connection named ${JSON.stringify(connection)}`);
    const hashes = new Map<string, string>();
    for (const { id, password, ...fields } of users) {
      if (password !== undefined && !hashes.has(password)) hashes.set(password, await hashPassword(password));
      store.users.add(newUser(target, 'auth0', id, { ...fields, ...(password !== undefined ? { password_hash: hashes.get(password) } : {}) }));
    }
    store.save();
  } finally {
    store.close();
  }
}
