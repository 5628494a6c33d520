/**
 * What every login shares, whatever proved the user's identity (password, upstream IdP, one-time code):
 * run the post-login bindings in the Actions runtime, merge the metadata they wrote into the user, and
 * answer with tokens whose ID token carries the claims they set — or with the denial.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { connectionKind } from '../../actions/lib/connection-kinds';
import type { ActionsRuntime, DeployedAction, FlowResult, Trigger } from '../runtime/index';
import type { Reply } from './http';
import { signIdToken } from './id-token';
import { newId, type StateStore, type StoredClient, type StoredConnection, type StoredUser } from './state';
import { issueAccessToken, ACCESS_TOKEN_LIFETIME_S } from './tokens';

export interface LoginContext {
  store: StateStore;
  runtime: ActionsRuntime;
  domain: () => string;
  /** Told about every flow that ran (its logs and outcome), e.g. to print the Actions' log lines. */
  observe?: (trigger: Trigger, result: FlowResult) => void;
}

/** Runs a trigger's bound Actions over an event, telling the observer. */
export async function runTrigger(context: LoginContext, trigger: Trigger, event: Record<string, unknown>): Promise<FlowResult> {
  const result = await context.runtime.run({ trigger, actions: boundActions(context.store, trigger), event });
  context.observe?.(trigger, result);
  return result;
}

export type TenantKind = 'database' | 'passwordless' | 'upstream';

/** How the login side treats a connection: Auth0 stores the user (database, passwordless) or an IdP does. */
export function tenantKind(connection: StoredConnection): TenantKind {
  if (connection.strategy === 'email' || connection.strategy === 'sms') return 'passwordless';
  if (connection.strategy === 'auth0' && connection.options.enabledDatabaseCustomization !== true) return 'database';
  if (connection.strategy === 'auth0' && connection.options.import_mode === true) return 'database';
  return 'upstream';
}

/** `set_user_root_attributes`, absent meaning `on_each_login`. */
export function effectiveSync(connection: StoredConnection): string {
  const value = connection.options.set_user_root_attributes;
  return typeof value === 'string' ? value : 'on_each_login';
}

export const SYNCED_ATTRIBUTES = ['name', 'given_name', 'family_name', 'nickname', 'picture'] as const;

export const authError = (status: number, error: string, description: string): Reply => ({ status, body: { error, error_description: description } });

export function findConnection(store: StateStore, name: unknown): StoredConnection | undefined {
  return typeof name === 'string' ? store.state.connections.find((connection) => connection.name === name) : undefined;
}

export function findClient(store: StateStore, id: unknown): StoredClient | undefined {
  return typeof id === 'string' ? store.state.clients.find((client) => client.client_id === id) : undefined;
}

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `${salt.toString('base64url')}:${scryptSync(password, salt, 32).toString('base64url')}`;
}

export function passwordMatches(password: string, stored: string | undefined): boolean {
  const [salt, hash] = (stored ?? '').split(':');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const given = scryptSync(password, Buffer.from(salt, 'base64url'), 32);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Auth0's defaults for a user it stores: name from the e-mail, nickname its local part, a Gravatar picture. */
export function auth0Defaults(email: string): Pick<StoredUser, 'name' | 'nickname' | 'picture'> {
  const local = email.split('@')[0] ?? email;
  const initials = local.slice(0, 2).toLowerCase().replace(/[^a-z]/g, '') || 'xx';
  const gravatar = createHash('md5').update(email.trim().toLowerCase()).digest('hex');
  return {
    name: email,
    nickname: local,
    picture: `https://s.gravatar.com/avatar/${gravatar}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F${initials}.png`,
  };
}

export function newUser(connection: StoredConnection, provider: string, providerUserId: string, fields: Partial<StoredUser>): StoredUser {
  const now = new Date().toISOString();
  return {
    user_id: `${provider}|${providerUserId}`,
    email_verified: false,
    app_metadata: {},
    user_metadata: {},
    identities: [{ connection: connection.name, provider, user_id: providerUserId, isSocial: connectionKind({ strategy: connection.strategy, options: connection.options }) === 'social' }],
    created_at: now,
    updated_at: now,
    logins_count: 0,
    ...fields,
  };
}

/** The user as the Management API shows it: never the password hash. */
export function publicUser(user: StoredUser) {
  const { password_hash: _hash, ...rest } = user;
  return rest;
}

/** The deployed Actions bound to a trigger, in binding order, with their secrets' values. */
export function boundActions(store: StateStore, trigger: string): DeployedAction[] {
  return (store.state.bindings[trigger] ?? []).flatMap((binding) => {
    const action = store.state.actions.find((candidate) => candidate.id === binding.action_id);
    if (!action?.deployed_version) return [];
    return [{
      name: action.name,
      code: action.deployed_version.code,
      secrets: Object.fromEntries(action.secrets.map((secret) => [secret.name, secret.value])),
      dependencies: action.deployed_version.dependencies.map((dependency) => String((dependency as { name?: unknown }).name ?? '')),
    }];
  });
}

/** Metadata writes merge at the first level; null removes a key (Auth0's semantics after a flow and on PATCH). */
export function mergeMetadata(target: Record<string, unknown>, writes: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...target };
  for (const [key, value] of Object.entries(writes)) {
    if (value === null) delete merged[key];
    else Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

export function requestInfo(headers: Record<string, string | string[] | undefined>, body: Record<string, unknown>) {
  const agent = headers['user-agent'];
  return { ip: '127.0.0.1', method: 'POST', hostname: String(headers.host ?? ''), user_agent: typeof agent === 'string' ? agent : undefined, language: 'en', geoip: {}, body, query: {} };
}

/** The pre-user-registration event of a signup (database) or of a first passwordless login. */
export function preRegistrationEvent(connection: StoredConnection, client: StoredClient | undefined, headers: Record<string, string | string[] | undefined>, user: Record<string, unknown>) {
  return {
    user,
    connection: { id: connection.id, name: connection.name, strategy: connection.strategy, metadata: {} },
    request: requestInfo(headers, {}),
    client: { client_id: client?.client_id ?? '', name: client?.name ?? '', metadata: {} },
    transaction: { acr_values: [], locale: 'en', requested_scopes: [], ui_locales: [] },
    tenant: { id: 'local' },
  };
}

function userForEvent(user: StoredUser) {
  return publicUser(user);
}

/** A flow that failed answers as a denied login: the user cannot continue, and nothing is issued. */
function failure(result: FlowResult): Reply {
  const message = result.failure?.kind === 'timeout' ? 'Script execution time exceeded' : `The ${result.failure?.action ?? ''} Action failed`;
  return authError(403, 'access_denied', message);
}

export interface LoginRequest {
  user: StoredUser;
  connection: StoredConnection;
  client: StoredClient;
  method: 'pwd' | 'federated' | 'email';
  scope: string;
  audience: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** Runs post-login for a user whose identity is proven, then answers with tokens or the denial. */
export async function completeLogin(context: LoginContext, login: LoginRequest): Promise<Reply> {
  const { store } = context;
  const { user, connection, client } = login;
  const now = new Date().toISOString();
  user.logins_count += 1;
  user.last_login = now;
  store.save();
  const event = {
    user: userForEvent(user),
    connection: { id: connection.id, name: connection.name, strategy: connection.strategy, metadata: {} },
    stats: { logins_count: user.logins_count },
    client: { client_id: client.client_id, name: client.name, metadata: {} },
    request: requestInfo(login.headers, {}),
    transaction: { id: newId(), acr_values: [], locale: 'en', protocol: 'oauth2-password', requested_scopes: login.scope.split(' ').filter(Boolean), ui_locales: [], metadata: {} },
    authentication: { methods: [{ name: login.method, timestamp: now }] },
    authorization: { roles: [] },
    tenant: { id: 'local' },
  };
  const result = await runTrigger(context, 'post-login', event);
  // Metadata writes persist even when an Action denies (Auth0 does not roll them back).
  user.app_metadata = mergeMetadata(user.app_metadata, result.appMetadata);
  user.user_metadata = mergeMetadata(user.user_metadata, result.userMetadata);
  if (Object.keys(result.appMetadata).length + Object.keys(result.userMetadata).length > 0) user.updated_at = new Date().toISOString();
  store.save();
  if (result.outcome === 'failed') return failure(result);
  if (result.outcome === 'denied') return authError(403, 'access_denied', result.denied?.reason ?? 'Access denied');

  const scopes = new Set(login.scope.split(' ').filter(Boolean));
  const profile: Record<string, unknown> = {};
  if (scopes.has('profile')) {
    for (const key of ['name', 'given_name', 'family_name', 'nickname', 'picture'] as const) if (user[key] !== undefined) profile[key] = user[key];
    profile.updated_at = user.updated_at;
  }
  if (scopes.has('email') && user.email !== undefined) {
    profile.email = user.email;
    profile.email_verified = user.email_verified;
  }
  const issuer = `https://${context.domain()}/`;
  const idToken = await signIdToken(store.state, { ...profile, ...result.idTokenClaims }, { issuer, audience: client.client_id, subject: user.user_id });
  const audience = login.audience === undefined ? `${issuer}userinfo` : [login.audience, `${issuer}userinfo`];
  const accessToken = await issueAccessToken(store.state, { iss: issuer, sub: user.user_id, aud: audience, azp: client.client_id, scope: login.scope, gty: login.method === 'pwd' ? 'password' : undefined });
  return { status: 200, body: { access_token: accessToken, id_token: idToken, scope: login.scope, expires_in: ACCESS_TOKEN_LIFETIME_S, token_type: 'Bearer' } };
}
