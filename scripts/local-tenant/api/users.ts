/**
 * Management API users: create, list (paged, filtered by connection), get, update, delete. A PATCH of
 * a synced attribute of a user whose upstream connection syncs `on_each_login` answers 400
 * `operation_not_supported` with the message Auth0 answers (observed on real tenants; the docs are silent).
 */
import { randomBytes } from 'node:crypto';
import { badRequest, conflict, HttpError, notFound, type Route } from '../http';
import { auth0Defaults, effectiveSync, findConnection, hashPassword, mergeMetadata, newUser, publicUser, SYNCED_ATTRIBUTES, tenantKind, userByEmail } from '../login';
import type { StateStore, StoredUser } from '../state';
import { boolean, object, onlyKeys, page, string } from './validate';
import { isEmailAddress } from '../../lib/email';

const CREATE_FIELDS = ['connection', 'email', 'password', 'name', 'given_name', 'family_name', 'nickname', 'picture', 'username', 'phone_number', 'user_metadata', 'app_metadata', 'email_verified', 'verify_email', 'blocked', 'user_id', 'phone_verified'];
const UPDATE_FIELDS = ['app_metadata', 'user_metadata', 'blocked', 'email', 'email_verified', 'family_name', 'given_name', 'name', 'nickname', 'password', 'phone_number', 'phone_verified', 'picture', 'username', 'verify_email', 'verify_phone_number', 'connection', 'client_id'];
const ROOT_TEXT = ['name', 'given_name', 'family_name', 'nickname', 'picture', 'username', 'phone_number'] as const;

function findUser(store: StateStore, id: string): StoredUser {
  const user = store.state.users.find((candidate) => candidate.user_id === id);
  if (!user) throw notFound('The user does not exist.', 'inexistent_user');
  return user;
}

function metadata(body: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  if (body[field] === undefined) return undefined;
  const value = object(body[field], field);
  for (const key of Object.keys(value)) {
    if (key.includes('.') || key.includes('$')) throw badRequest(`Payload validation error: ${field} keys may not contain "." or "$" (${JSON.stringify(key)})`);
  }
  return value;
}

/** `q=identities.connection:"name"` (Lucene, as search engine v3 takes it), the filter scripts use. */
function connectionFilter(query: URLSearchParams): string | undefined {
  const q = query.get('q');
  if (q === null) return undefined;
  const match = /^identities\.connection:(?:"([^"]+)"|(\S+))$/.exec(q.trim());
  if (!match) throw badRequest('Query validation error: the local tenant supports q=identities.connection:"NAME" only', 'invalid_query_string');
  return match[1] ?? match[2];
}

export function userRoutes(store: StateStore): Route[] {
  const { state } = store;
  return [
    {
      method: 'GET',
      path: '/api/v2/users', scopes: ['read:users'],
      handler: ({ query }) => {
        const { page: pageNumber, perPage } = page(query, 50, 100);
        const connection = connectionFilter(query);
        const users = connection === undefined ? state.users : state.users.filter((user) => user.identities.some((identity) => identity.connection === connection));
        const slice = users.slice(pageNumber * perPage, (pageNumber + 1) * perPage).map(publicUser);
        if (query.get('include_totals') === 'true') return { status: 200, body: { users: slice, start: pageNumber * perPage, limit: perPage, length: slice.length, total: users.length } };
        return { status: 200, body: slice };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/users', scopes: ['create:users'],
      handler: ({ body }) => {
        const fields = object(body);
        onlyKeys(fields, CREATE_FIELDS);
        const connection = findConnection(store, string(fields, 'connection', { required: true }));
        if (!connection) throw badRequest('The connection does not exist.', 'inexistent_connection');
        const kind = tenantKind(connection);
        if (kind === 'upstream') throw badRequest('Create a user only for a database or passwordless connection.', 'operation_not_supported');
        const email = string(fields, 'email')?.trim().toLowerCase();
        if (!email) throw badRequest('Payload validation error: Missing required property: email');
        if (!isEmailAddress(email)) throw badRequest('Payload validation error: Object didn\'t pass validation for format email: email');
        if (state.users.some((user) => user.email === email && user.identities.some((identity) => identity.connection === connection.name))) throw conflict('The user already exists.', 'auth0_idp_error');
        const password = string(fields, 'password');
        if (kind === 'database' && !password) throw badRequest('Payload validation error: Missing required property: password');
        const root = Object.fromEntries(ROOT_TEXT.filter((key) => string(fields, key, { max: key === 'nickname' ? 350 : key === 'picture' ? 2048 : 150 }) !== undefined).map((key) => [key, fields[key] as string]));
        const user = newUser(connection, kind === 'database' ? 'auth0' : connection.strategy, randomBytes(12).toString('hex'), {
          email,
          email_verified: boolean(fields, 'email_verified') ?? false,
          ...auth0Defaults(email),
          ...root,
          ...(password ? { password_hash: hashPassword(password) } : {}),
        });
        user.app_metadata = mergeMetadata({}, metadata(fields, 'app_metadata') ?? {});
        user.user_metadata = mergeMetadata({}, metadata(fields, 'user_metadata') ?? {});
        state.users.push(user);
        store.save();
        return { status: 201, body: publicUser(user) };
      },
    },
    { method: 'GET', path: '/api/v2/users/:id', scopes: ['read:users'], handler: ({ params }) => ({ status: 200, body: publicUser(findUser(store, params.id ?? '')) }) },
    {
      method: 'PATCH',
      path: '/api/v2/users/:id', scopes: ['update:users', 'update:users_app_metadata'],
      handler: ({ params, body }) => {
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
        for (const key of ROOT_TEXT) {
          if (!(key in fields)) continue;
          if (fields[key] === null) delete user[key];
          else user[key] = string(fields, key, { required: true, max: key === 'nickname' ? 350 : key === 'picture' ? 2048 : 150 });
        }
        if (email !== undefined) user.email = email;
        const verified = boolean(fields, 'email_verified');
        if (verified !== undefined) user.email_verified = verified;
        const blockedFlag = boolean(fields, 'blocked');
        if (blockedFlag !== undefined) user.blocked = blockedFlag;
        const password = string(fields, 'password');
        if (password !== undefined) user.password_hash = hashPassword(password);
        // Metadata merges at the first level; null removes a key.
        const app = metadata(fields, 'app_metadata');
        if (app) user.app_metadata = mergeMetadata(user.app_metadata, app);
        const own = metadata(fields, 'user_metadata');
        if (own) user.user_metadata = mergeMetadata(user.user_metadata, own);
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
        state.users = state.users.filter((candidate) => candidate !== user);
        store.save();
        return { status: 204 };
      },
    },
  ];
}
