/**
 * LOCAL ONLY — `POST /local/upstream-login` stands for a login through an upstream identity provider
 * (social, enterprise, custom DB with an external store), which a local tenant cannot reach. The body is
 * what the IdP would return: `{ client_id, connection, profile: { user_id, email, name, given_name,
 * family_name, nickname, picture } }`. It applies the connection's `set_user_root_attributes` as Auth0 does:
 * - `on_each_login`: creates the user if needed and overwrites the five synced attributes at each login;
 * - `on_first_login`: creates the user with them, and leaves them alone afterwards;
 * - `never_on_login`: creates no user, and never sets them.
 * Then it runs post-login and answers like the token endpoint.
 */
import { isSocialStrategy } from '../strategies';
import type { Route } from '../http';
import type { StoredConnection, StoredUser } from '../state';
import { authError, completeLogin, effectiveSync, findClient, findConnection, newUser, SYNCED_ATTRIBUTES, tenantKind, type LoginContext } from '../login';

export type UpstreamOutcome = { ok: true; user: StoredUser } | { ok: false; status: number; error: string; description: string };

/**
 * What a login through an upstream IdP does to the tenant's users, given the profile the IdP returned:
 * the connection's `set_user_root_attributes` applied as Auth0 applies it. From `/local/upstream-login`
 * and from the IdP stand-in page.
 */
export function upstreamLogin(context: LoginContext, connection: StoredConnection, profile: Record<string, unknown>): UpstreamOutcome {
  const { store } = context;
  const subject = typeof profile.user_id === 'string' && profile.user_id !== '' ? profile.user_id : undefined;
  if (!subject) return { ok: false, status: 400, error: 'invalid_request', description: 'profile.user_id (the IdP\'s id of the user) is required' };
  for (const key of [...SYNCED_ATTRIBUTES, 'email']) {
    if (profile[key] !== undefined && typeof profile[key] !== 'string') return { ok: false, status: 400, error: 'invalid_request', description: `profile.${key} must be a string` };
  }
  const synced = Object.fromEntries(SYNCED_ATTRIBUTES.filter((key) => typeof profile[key] === 'string' && profile[key] !== '').map((key) => [key, profile[key] as string]));
  const sync = effectiveSync(connection);
  // Auth0's ids: `google-oauth2|123` for social connections, `oidc|corp-oidc|abc` for enterprise ones.
  const providerUserId = isSocialStrategy(connection.strategy) ? subject : `${connection.name}|${subject}`;
  let user = store.state.users.find((candidate) => candidate.identities.some((identity) => identity.connection === connection.name && identity.user_id === providerUserId));
  if (!user) {
    if (sync === 'never_on_login') return { ok: false, status: 401, error: 'access_denied', description: 'The user does not exist and this connection does not create users at login.' };
    user = newUser(connection, connection.strategy, providerUserId, {
      email: typeof profile.email === 'string' && profile.email !== '' ? profile.email : undefined,
      email_verified: profile.email_verified === true,
      ...synced,
    });
    user = store.addUser(user);
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

export function upstreamRoutes(context: LoginContext): Route[] {
  const { store } = context;
  return [
    {
      method: 'POST',
      path: '/local/upstream-login',
      public: true,
      handler: async ({ body, headers }) => {
        const fields = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
        const client = findClient(store, fields.client_id);
        if (!client) return authError(401, 'access_denied', 'Unauthorized');
        const connection = findConnection(store, fields.connection);
        if (!connection || tenantKind(connection) !== 'upstream') return authError(400, 'invalid_request', 'connection must name an upstream connection (social, enterprise, or custom DB with an external store)');
        const profile = (typeof fields.profile === 'object' && fields.profile !== null && !Array.isArray(fields.profile) ? fields.profile : {}) as Record<string, unknown>;
        const outcome = upstreamLogin(context, connection, profile);
        if (!outcome.ok) return authError(outcome.status, outcome.error, outcome.description);
        return completeLogin(context, { user: outcome.user, connection, client, method: 'federated', scope: typeof fields.scope === 'string' ? fields.scope : 'openid profile email', audience: undefined, headers, body: fields });
      },
    },
  ];
}
