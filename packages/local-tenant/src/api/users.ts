/**
 * Management API users: create, list (paged, filtered by connection), get, update, delete. A PATCH of
 * a synced attribute of a user whose upstream connection syncs `on_each_login` answers 400
 * `operation_not_supported` with the message Auth0 answers (observed on real tenants; the docs are silent).
 */
import { randomBytes } from 'node:crypto';
import { badRequest, conflict, HttpError, notFound, type Route } from '../http';
import { auth0Defaults, effectiveSync, findConnection, hashPassword, mergeMetadata, newUser, publicUser, SYNCED_ATTRIBUTES, tenantKind, userByEmail } from '../login';
import type { StateStore, StoredUser } from '../state';
import { array, boolean, object, onlyKeys, page, string } from './validate';
import { checkedMetadata, checkMetadataSize } from './metadata';
import { matchesUser, parseUserQuery } from '../user-search';
import { listed } from './roles';
import { unblock } from '../brute-force';
import { isEmailAddress } from '../email';
import { ATTRIBUTE_MAX_LENGTH, attributeOverLimit } from '../limits';

const CREATE_FIELDS = ['connection', 'email', 'password', 'name', 'given_name', 'family_name', 'nickname', 'picture', 'username', 'phone_number', 'user_metadata', 'app_metadata', 'email_verified', 'verify_email', 'blocked', 'user_id', 'phone_verified'];
const UPDATE_FIELDS = ['app_metadata', 'user_metadata', 'blocked', 'email', 'email_verified', 'family_name', 'given_name', 'name', 'nickname', 'password', 'phone_number', 'phone_verified', 'picture', 'username', 'verify_email', 'verify_phone_number', 'connection', 'client_id'];
const ROOT_TEXT = ['name', 'given_name', 'family_name', 'nickname', 'picture', 'username', 'phone_number'] as const;

/** Auth0's length limits, checked before anything else is done with a body. */
function refuseOverLimit(fields: Record<string, unknown>): void {
  const over = attributeOverLimit(fields);
  if (over) throw badRequest(over.message);
}

function findUser(store: StateStore, id: string): StoredUser {
  const user = store.users.get(id);
  if (!user) throw notFound('The user does not exist.', 'inexistent_user');
  return user;
}


/** The users a `q=` search (Lucene, user search v3) finds; every user without one. */
function search(users: StoredUser[], query: URLSearchParams): StoredUser[] {
  const engine = query.get('search_engine');
  if (engine !== null && engine !== 'v3') throw badRequest(`Query validation error: search_engine ${JSON.stringify(engine.slice(0, 16))} is not available; use v3`, 'invalid_query_string');
  const q = query.get('q');
  if (q === null || q.trim() === '') return users;
  const parsed = parseUserQuery(q);
  return users.filter((user) => matchesUser(parsed, user));
}

/** The root attributes a linked identity keeps as its profileData. */
function profileOf(user: StoredUser): Record<string, unknown> {
  const keys = ['email', 'email_verified', 'name', 'given_name', 'family_name', 'nickname', 'picture', 'username', 'phone_number'] as const;
  return Object.fromEntries(keys.filter((key) => user[key] !== undefined).map((key) => [key, user[key]]));
}

const publicIdentities = (user: StoredUser) => publicUser(user).identities;

/** `{ roles: [id…] }`, every id a role of the tenant. */
function roleIds(store: StateStore, body: unknown): string[] {
  const list = array(object(body), 'roles');
  if (!list || list.length === 0) throw badRequest('Payload validation error: Missing required property: roles');
  return list.map((id) => {
    if (typeof id !== 'string' || !(store.state.roles ?? []).some((role) => role.id === id)) throw notFound('The role does not exist.', 'inexistent_role');
    return id;
  });
}

export function userRoutes(store: StateStore): Route[] {
  const { state } = store;
  return [
    {
      method: 'GET',
      path: '/api/v2/users', scopes: ['read:users'],
      handler: ({ query }) => {
        const { page: pageNumber, perPage } = page(query, 50, 100);
        const users = search(store.users.all(), query);
        const slice = users.slice(pageNumber * perPage, (pageNumber + 1) * perPage).map(publicUser);
        if (query.get('include_totals') === 'true') return { status: 200, body: { users: slice, start: pageNumber * perPage, limit: perPage, length: slice.length, total: users.length } };
        return { status: 200, body: slice };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/users', scopes: ['create:users'],
      handler: async ({ body }) => {
        const fields = object(body);
        onlyKeys(fields, CREATE_FIELDS);
        refuseOverLimit(fields);
        // Hashed first: everything after it, from the checks to the insert, runs without a pause.
        const given = string(fields, 'password');
        const passwordHash = given ? await hashPassword(given) : undefined;
        const connection = findConnection(store, string(fields, 'connection', { required: true }));
        if (!connection) throw badRequest('The connection does not exist.', 'inexistent_connection');
        const kind = tenantKind(connection);
        if (kind === 'upstream') throw badRequest('Create a user only for a database or passwordless connection.', 'operation_not_supported');
        const email = string(fields, 'email')?.trim().toLowerCase();
        if (!email) throw badRequest('Payload validation error: Missing required property: email');
        if (!isEmailAddress(email)) throw badRequest('Payload validation error: Object didn\'t pass validation for format email: email');
        if (store.users.withEmail(email, connection.name).length > 0) throw conflict('The user already exists.', 'auth0_idp_error');
        const password = string(fields, 'password');
        if (kind === 'database' && !password) throw badRequest('Payload validation error: Missing required property: password');
        const root = Object.fromEntries(ROOT_TEXT.filter((key) => string(fields, key, { max: ATTRIBUTE_MAX_LENGTH[key] }) !== undefined).map((key) => [key, fields[key] as string]));
        const user = newUser(connection, kind === 'database' ? 'auth0' : connection.strategy, randomBytes(12).toString('hex'), {
          email,
          email_verified: boolean(fields, 'email_verified') ?? false,
          ...auth0Defaults(email),
          ...root,
          ...(passwordHash ? { password_hash: passwordHash } : {}),
        });
        user.app_metadata = mergeMetadata({}, checkedMetadata(fields, 'app_metadata') ?? {});
        user.user_metadata = mergeMetadata({}, checkedMetadata(fields, 'user_metadata') ?? {});
        checkMetadataSize(user.app_metadata, user.user_metadata);
        const added = store.users.add(user);
        store.save();
        return { status: 201, body: publicUser(added) };
      },
    },
    { method: 'GET', path: '/api/v2/users/:id', scopes: ['read:users'], handler: ({ params }) => ({ status: 200, body: publicUser(findUser(store, params.id ?? '')) }) },
    {
      method: 'PATCH',
      path: '/api/v2/users/:id', scopes: ['update:users', 'update:users_app_metadata'],
      handler: async ({ params, body }) => {
        refuseOverLimit(object(body));
        const given = typeof (body as { password?: unknown } | null)?.password === 'string' ? ((body as { password: string }).password) : undefined;
        const passwordHash = given !== undefined ? await hashPassword(given) : undefined;
        const user = findUser(store, params.id ?? '');
        const fields = object(body);
        onlyKeys(fields, UPDATE_FIELDS);
        const connection = findConnection(store, user.identities[0]?.connection);
        const blocked = SYNCED_ATTRIBUTES.filter((key) => key in fields);
        if (connection && blocked.length > 0 && tenantKind(connection) === 'upstream' && effectiveSync(connection) === 'on_each_login') {
          throw new HttpError(
            400,
            `The following user attributes cannot be updated: ${blocked.join(', ')}. The connection (${connection.name}) must either be a database connection (using the Auth0 store), a passwordless connection (email or sms) or has disabled 'Sync user profile attributes at each login'. For more information, see https://auth0.com/docs/dashboard/guides/connections/configure-connection-sync`,
            'operation_not_supported',
          );
        }
        // A new e-mail is checked before anything changes: one user per e-mail and connection, as Auth0 keeps them.
        const email = string(fields, 'email')?.trim().toLowerCase();
        if (email !== undefined) {
          if (!isEmailAddress(email)) throw badRequest('Payload validation error: Object didn\'t pass validation for format email: email');
          const other = userByEmail(store, user.identities[0]?.connection ?? '', email);
          if (other && other !== user) throw conflict('The specified new email already exists', 'email_exists');
        }
        // Everything is checked before anything changes: a refused PATCH leaves the user as it was.
        const root = ROOT_TEXT.filter((key) => key in fields).map((key) => [key, fields[key] === null ? null : string(fields, key, { required: true, max: ATTRIBUTE_MAX_LENGTH[key] })] as const);
        const verified = boolean(fields, 'email_verified');
        const blockedFlag = boolean(fields, 'blocked');
        const password = string(fields, 'password');
        // Metadata merges at the first level; null removes a key.
        const app = checkedMetadata(fields, 'app_metadata');
        const own = checkedMetadata(fields, 'user_metadata');
        const nextApp = app ? mergeMetadata(user.app_metadata, app) : user.app_metadata;
        const nextOwn = own ? mergeMetadata(user.user_metadata, own) : user.user_metadata;
        checkMetadataSize(nextApp, nextOwn);

        for (const [key, value] of root) {
          if (value === null) delete user[key];
          else user[key] = value;
        }
        if (email !== undefined) user.email = email;
        if (verified !== undefined) user.email_verified = verified;
        if (blockedFlag !== undefined) user.blocked = blockedFlag;
        if (password !== undefined) {
          user.password_hash = passwordHash;
          // A new password lifts brute-force blocks, as on Auth0.
          unblock(store, [user.email, user.username].filter((value): value is string => typeof value === 'string'));
        }
        if (app) user.app_metadata = nextApp;
        if (own) user.user_metadata = nextOwn;
        user.updated_at = new Date().toISOString();
        store.save();
        return { status: 200, body: publicUser(user) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/users/:id', scopes: ['delete:users'],
      handler: ({ params }) => {
        const user = findUser(store, params.id ?? '');
        store.users.remove(user.user_id);
        if (state.userRoles) delete state.userRoles[user.user_id];
        store.save();
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/users-by-email', scopes: ['read:users'],
      handler: ({ query }) => {
        const email = query.get('email');
        if (email === null || email === '') throw badRequest('Query validation error: Missing required property: email', 'invalid_query_string');
        const wanted = email.trim().toLowerCase();
        return { status: 200, body: store.users.withEmail(wanted).map(publicUser) };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/users/:id/identities', scopes: ['update:users', 'update:current_user_identities'],
      handler: ({ params, body }) => {
        const primary = findUser(store, params.id ?? '');
        const fields = object(body);
        onlyKeys(fields, ['provider', 'user_id', 'connection_id', 'link_with']);
        if (fields.link_with !== undefined) throw badRequest('Linking with an ID token (link_with) is not available on the local tenant; give provider and user_id', 'operation_not_supported');
        const provider = string(fields, 'provider', { required: true }) as string;
        const id = string(fields, 'user_id', { required: true }) as string;
        const connectionId = string(fields, 'connection_id');
        const secondaryId = id.includes('|') ? id : `${provider}|${id}`;
        const secondary = store.users.get(secondaryId);
        if (!secondary) throw notFound('The user to link does not exist.', 'inexistent_user');
        if (secondary === primary) throw badRequest('Main identity and the new one are the same.', 'invalid_body');
        if (connectionId !== undefined && !secondary.identities.some((identity) => findConnection(store, identity.connection)?.id === connectionId)) {
          throw badRequest('The connection_id does not match the user to link.', 'invalid_body');
        }
        // The secondary user's identities join the primary; its profile stays as profileData, its metadata goes.
        const [first, ...rest] = secondary.identities;
        if (first) primary.identities.push({ ...first, profileData: profileOf(secondary), ...(secondary.password_hash ? { password_hash: secondary.password_hash } : {}) });
        primary.identities.push(...rest);
        store.users.remove(secondary.user_id);
        if (state.userRoles) delete state.userRoles[secondary.user_id];
        primary.updated_at = new Date().toISOString();
        store.save();
        return { status: 201, body: publicIdentities(primary) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/users/:id/identities/:provider/:identity', scopes: ['update:users'],
      handler: ({ params }) => {
        const primary = findUser(store, params.id ?? '');
        const index = primary.identities.findIndex((identity) => identity.provider === params.provider && identity.user_id === params.identity);
        if (index < 0) throw notFound('The identity is not linked to this user.', 'inexistent_identity');
        if (index === 0) throw badRequest('Main identity cannot be removed from profile.', 'invalid_body');
        const [identity] = primary.identities.splice(index, 1);
        if (!identity) throw notFound('The identity is not linked to this user.', 'inexistent_identity');
        // The identity becomes a user of its own again, with the profile it had.
        const { profileData, password_hash: passwordHash, ...bare } = identity;
        const now = new Date().toISOString();
        store.users.add({
          ...(profileData as Partial<StoredUser>),
          email_verified: Boolean(profileData?.email_verified),
          user_id: `${identity.provider}|${identity.user_id}`,
          app_metadata: {},
          user_metadata: {},
          identities: [bare],
          created_at: now,
          updated_at: now,
          logins_count: 0,
          ...(passwordHash ? { password_hash: passwordHash } : {}),
        });
        primary.updated_at = now;
        store.save();
        return { status: 200, body: publicIdentities(primary) };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/users/:id/roles', scopes: ['read:users', 'read:roles'],
      handler: ({ params, query }) => {
        const user = findUser(store, params.id ?? '');
        const ids = state.userRoles?.[user.user_id] ?? [];
        return listed(query, 'roles', (state.roles ?? []).filter((role) => ids.includes(role.id)).map(({ id, name, description }) => ({ id, name, description })));
      },
    },
    {
      method: 'POST',
      path: '/api/v2/users/:id/roles', scopes: ['create:role_members'],
      handler: ({ params, body }) => {
        const user = findUser(store, params.id ?? '');
        const ids = roleIds(store, body);
        const current = new Set(state.userRoles?.[user.user_id] ?? []);
        for (const id of ids) current.add(id);
        state.userRoles = { ...state.userRoles, [user.user_id]: [...current] };
        store.save();
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/users/:id/roles', scopes: ['delete:role_members'],
      handler: ({ params, body }) => {
        const user = findUser(store, params.id ?? '');
        const ids = new Set(roleIds(store, body));
        state.userRoles = { ...state.userRoles, [user.user_id]: (state.userRoles?.[user.user_id] ?? []).filter((id) => !ids.has(id)) };
        store.save();
        return { status: 204 };
      },
    },
  ];
}
