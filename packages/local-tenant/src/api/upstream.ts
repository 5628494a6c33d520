/**
 * A login through an upstream identity provider (social, enterprise, custom DB with an external store),
 * which a local tenant cannot reach: its IdP stand-in page, or LOCAL ONLY `POST /local/upstream-login`
 * (oidc/grants.ts), gives the profile the IdP would return (`{ user_id, email, name, given_name,
 * family_name, nickname, picture }`). The connection's `set_user_root_attributes` applies as Auth0 applies it:
 * - `on_each_login`: creates the user if needed and overwrites the five synced attributes at each login;
 * - `on_first_login`: creates the user with them, and leaves them alone afterwards;
 * - `never_on_login`: creates no user, and never sets them.
 * Then post-login runs, as after any login.
 */
import { isSocialStrategy } from '../strategies';
import type { StoredConnection, StoredUser } from '../state';
import { effectiveSync, newUser, SYNCED_ATTRIBUTES, type LoginContext } from '../login';
import { attributeOverLimit, PROVIDER_USER_ID_MAX_LENGTH, tooLong } from '../limits';

export type UpstreamOutcome = { ok: true; user: StoredUser } | { ok: false; status: number; error: string; description: string };

/**
 * What a login through an upstream IdP does to the tenant's users, given the profile the IdP returned:
 * the connection's `set_user_root_attributes` applied as Auth0 applies it. From the local upstream grant
 * and from the IdP stand-in page.
 */
export function upstreamLogin(context: LoginContext, connection: StoredConnection, profile: Record<string, unknown>): UpstreamOutcome {
  const { store } = context;
  const subject = typeof profile.user_id === 'string' && profile.user_id !== '' ? profile.user_id : undefined;
  if (!subject) return { ok: false, status: 400, error: 'invalid_request', description: 'profile.user_id (the IdP\'s id of the user) is required' };
  if (subject.length > PROVIDER_USER_ID_MAX_LENGTH) return { ok: false, status: 400, error: 'invalid_request', description: tooLong('user_id', subject.length, PROVIDER_USER_ID_MAX_LENGTH) };
  for (const key of [...SYNCED_ATTRIBUTES, 'email']) {
    if (profile[key] !== undefined && typeof profile[key] !== 'string') return { ok: false, status: 400, error: 'invalid_request', description: `profile.${key} must be a string` };
  }
  // What the IdP returned is held to Auth0's limits before it reaches a user or an Action.
  const over = attributeOverLimit(profile, [...SYNCED_ATTRIBUTES, 'email']);
  if (over) return { ok: false, status: 400, error: 'invalid_request', description: over.message };
  const synced = Object.fromEntries(SYNCED_ATTRIBUTES.filter((key) => typeof profile[key] === 'string' && profile[key] !== '').map((key) => [key, profile[key] as string]));
  const sync = effectiveSync(connection);
  // Auth0's ids: `google-oauth2|123` for social connections, `oidc|corp-oidc|abc` for enterprise ones.
  const providerUserId = isSocialStrategy(connection.strategy) ? subject : `${connection.name}|${subject}`;
  let user = store.users.withIdentity(connection.name, providerUserId);
  if (!user) {
    if (sync === 'never_on_login') return { ok: false, status: 401, error: 'access_denied', description: 'The user does not exist and this connection does not create users at login.' };
    user = newUser(connection, connection.strategy, providerUserId, {
      email: typeof profile.email === 'string' && profile.email !== '' ? profile.email : undefined,
      email_verified: profile.email_verified === true,
      ...synced,
    });
    user = store.users.add(user);
  } else if (sync === 'on_each_login') {
    for (const key of SYNCED_ATTRIBUTES) {
      if (synced[key] === undefined) delete user[key];
      else user[key] = synced[key];
    }
    user.updated_at = new Date().toISOString();
  }
  store.save();
  return { ok: true, user };
}
