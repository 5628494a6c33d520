/**
 * What every login shares, whatever proved the user's identity (password, upstream IdP, one-time code):
 * run the post-login bindings in the Actions runtime, merge the metadata they wrote into the user, and
 * answer with tokens whose ID token carries the claims they set — or with the denial.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { declaredDependencies, type ActionsRuntime, type DeployedAction, type FlowResult, type Trigger } from '@auth0-root-attributes/actions-runtime';
import { isSocialStrategy, tenantKind, type TenantKind } from './strategies';
import type { Reply } from './http';
import { GRANT_LIFETIME_S } from './records';
import { newId, type LoginOutcome, type StateStore, type StoredClient, type StoredConnection, type StoredUser } from './state';
import { recordLog } from './logs';
import { IDENTIFIER_MAX_LENGTH, isBlocked, recordFailure, recordSuccess } from './brute-force';
import { countFailedLogin, loginThrottled } from './throttle';

export interface LoginContext {
  store: StateStore;
  runtime: ActionsRuntime;
  domain: () => string;
  /** Told about every flow that ran (its logs and outcome), e.g. to print the Actions' log lines. */
  observe?: (trigger: Trigger, result: FlowResult) => void;
}

/** What Auth0 persists of the metadata Actions write in one login, per object (its Actions limits). */
export const ACTIONS_METADATA_BYTES = 32 * 1024;

/** Runs a trigger's bound Actions over an event, telling the observer. */
export async function runTrigger(context: LoginContext, trigger: Trigger, event: Record<string, unknown>, resumeAt?: string, canRedirect = false, actions = boundActions(context.store, trigger)): Promise<FlowResult> {
  const result = await context.runtime.run({ trigger, actions, event, canRedirect, ...(resumeAt !== undefined ? { resumeAt } : {}) });
  context.observe?.(trigger, result);
  return result;
}

export { tenantKind, type TenantKind };

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

// scrypt on libuv's thread pool: hashing never holds up other requests.
const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number, options: { N: number }) => Promise<Buffer>;
const NO_SALT = randomBytes(16);
/**
 * scrypt's cost for new hashes: 2^12 (about 10 ms here), so that a local tenant on two cores answers 50
 * logins at once in well under a second; hashes written before with Node's default (2^14) still verify.
 */
const COST = 4_096;
const LEGACY_COST = 16_384;

/** `cost:salt:hash` (base64url), scrypt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `${COST}:${salt.toString('base64url')}:${(await scryptAsync(password, salt, 32, { N: COST })).toString('base64url')}`;
}

/** Whether `password` is the one `stored` hashes; without a stored hash it costs the same and is false. */
export async function passwordMatches(password: string, stored: string | undefined): Promise<boolean> {
  const parts = (stored ?? '').split(':');
  const [cost, salt, hash] = parts.length === 3 ? [Number(parts[0]), parts[1], parts[2]] : [LEGACY_COST, parts[0], parts[1]];
  const usable = Boolean(salt && hash) && (cost === COST || cost === LEGACY_COST);
  const given = await scryptAsync(password, usable ? Buffer.from(salt ?? '', 'base64url') : NO_SALT, 32, { N: usable ? cost : COST });
  const expected = Buffer.from(usable ? (hash ?? '') : '', 'base64url');
  return usable && expected.length === given.length && timingSafeEqual(expected, given);
}

/** The user of a connection with this e-mail, if any: one per e-mail and connection, as Auth0 keeps them. */
export function userByEmail(store: StateStore, connection: string, email: string): StoredUser | undefined {
  return store.users.withEmail(email, connection)[0];
}

/**
 * The database user with this e-mail (or username) and password on a connection, or undefined; `blocked`
 * when brute-force protection blocked the identifier for this IP, `throttled` when suspicious IP throttling
 * holds every login from it.
 */
export async function authenticatePassword(store: StateStore, connection: StoredConnection, username: unknown, password: unknown, attempt?: { client?: StoredClient; headers?: Record<string, string | string[] | undefined>; ip?: string }): Promise<StoredUser | 'blocked' | 'throttled' | undefined> {
  const identifier = typeof username === 'string' ? username.trim().toLowerCase() : '';
  const ip = attempt?.ip ?? '';
  // Longer than any identifier a user can have: no user, nothing to count, no hash to spend.
  if (identifier.length > IDENTIFIER_MAX_LENGTH) return undefined;
  if (loginThrottled(store, ip)) return 'throttled';
  if (isBlocked(store, connection, identifier, ip)) {
    // As long as any other attempt: the answer's timing tells nothing.
    await passwordMatches(typeof password === 'string' ? password : '', undefined);
    return 'blocked';
  }
  const { user, known } = await findPasswordUser(store, connection, identifier, password);
  if (user) {
    recordSuccess(store, connection, identifier, ip);
    return user;
  }
  if (attempt) recordLog(store, 'fp', { client: attempt.client, headers: attempt.headers, connection });
  recordFailure(store, connection, identifier, ip, known);
  countFailedLogin(store, ip, { client: attempt?.client, connection });
  return undefined;
}

/** The user whose identifier and password these are; `known` whether any user of the connection has the identifier. */
async function findPasswordUser(store: StateStore, connection: StoredConnection, name: string, password: unknown): Promise<{ user?: StoredUser; known: boolean }> {
  const attempt = typeof password === 'string' ? password : '';
  // The user whose own e-mail or username it is; else a database identity linked into another user, which keeps
  // its own e-mail and password (the login is the primary user's).
  const found = store.users.withLogin(connection.name, name);
  if (found) {
    const hash = found.linked ? found.user.identities.find((identity, index) => index > 0 && identity.connection === connection.name && (identity.profileData?.email === name || identity.profileData?.username === name))?.password_hash : found.user.password_hash;
    return { user: (await passwordMatches(attempt, hash)) && typeof password === 'string' ? found.user : undefined, known: true };
  }
  // An unknown user costs one hash too: the answer's timing does not tell which e-mails exist.
  await passwordMatches(attempt, undefined);
  return { known: false };
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
    identities: [{ connection: connection.name, provider, user_id: providerUserId, isSocial: isSocialStrategy(connection.strategy) }],
    created_at: now,
    updated_at: now,
    logins_count: 0,
    ...fields,
  };
}

/** The user as the Management API shows it: never the password hash. */
export function publicUser(user: StoredUser) {
  const { password_hash: _hash, ...rest } = user;
  return { ...rest, identities: user.identities.map(({ password_hash: _linkedHash, ...identity }) => identity) };
}

/** The names of the roles a user has (event.authorization.roles). */
export function roleNames(store: StateStore, userId: string): string[] {
  const ids = store.state.userRoles?.[userId] ?? [];
  return (store.state.roles ?? []).filter((role) => ids.includes(role.id)).map((role) => role.name);
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
      dependencies: declaredDependencies(action.deployed_version.dependencies),
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

/** What the app is told when a flow failed: Auth0 names the failure in `error_description`. */
export function failureDescription(result: FlowResult): string {
  const failure = result.failure;
  // An uncaught exception: Auth0 puts its message in error_description; the one Action that failed is named.
  const message = failure?.kind === 'timeout' ? 'Script execution time exceeded' : (failure?.message ?? '').replace(/^Error: /, '') || 'An Action failed';
  return failure?.action ? `${message} (Action "${failure.action}")` : message;
}

/** Auth0 silently drops custom claims with these names (its restricted claims). */
const RESTRICTED_CLAIMS = new Set([
  'acr', 'act', 'active', 'amr', 'at_hash', 'ath', 'attest', 'aud', 'auth_time', 'authorization_details', 'azp', 'c_hash',
  'client_id', 'cnf', 'cty', 'dest', 'entitlements', 'events', 'exp', 'groups', 'gty', 'htm', 'htu', 'iat', 'internalService',
  'iss', 'jcard', 'jku', 'jti', 'jwe', 'jwk', 'kid', 'may_act', 'mbo', 'nbf', 'nonce', 'org_id', 'org_name', 'orig', 'origid',
  'permissions', 'roles', 'rph', 's_hash', 'sid', 'sip_callid', 'sip_cseq_num', 'sip_date', 'sip_from_tag', 'sip_via_branch',
  'sub', 'sub_jwk', 'toe', 'txn', 'typ', 'uuid', 'vot', 'vtm', 'x5t#S256',
]);

/** The custom claims Auth0 would add to a token: restricted names left out. */
export function allowedCustomClaims(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !RESTRICTED_CLAIMS.has(name)));
}

/**
 * Keeps the claims a grant's latest login got from its Actions, for the tokens made from that grant: a record
 * that expires with the grant (and goes when the grant is destroyed, oidc/adapter.ts).
 */
export function recordLoginOutcome(store: StateStore, grantId: string, result: FlowResult): void {
  const outcome: LoginOutcome = { idTokenClaims: allowedCustomClaims(result.idTokenClaims), accessTokenClaims: allowedCustomClaims(result.accessTokenClaims), at: Date.now() };
  store.records.put('loginOutcome', grantId, outcome, Date.now() + GRANT_LIFETIME_S * 1000);
}

export interface PostLoginRun {
  user: StoredUser;
  connection: StoredConnection;
  client: StoredClient;
  /** `event.request`, built from the real request. */
  request: Record<string, unknown>;
  /** `event.transaction`, without its id (each run gets one). */
  transaction: Record<string, unknown>;
  /** `event.authentication.methods`. */
  methods: Array<{ name: string; timestamp: string }>;
  session?: Record<string, unknown>;
  resourceServer?: { identifier: string };
  /** A refresh-token exchange runs post-login but is not a login: logins_count stays. */
  countsAsLogin?: boolean;
  /** Back from `api.redirect.sendUserTo`: resume at this Action's `onContinuePostLogin`. */
  resumeAt?: string;
  /** An interactive login that can send the browser elsewhere (`api.redirect.canRedirect`). */
  canRedirect?: boolean;
}

/**
 * Runs post-login for a user whose identity is proven: counts the login, runs the bound Actions over an
 * event built from the run, and merges the metadata they wrote into the user — also when an Action
 * denied (Auth0 does not roll writes back).
 */
export async function runPostLogin(context: LoginContext, run: PostLoginRun): Promise<FlowResult> {
  const { store } = context;
  const { user, connection, client } = run;
  if (run.countsAsLogin !== false) {
    user.logins_count += 1;
    user.last_login = new Date().toISOString();
    store.save();
  }
  const event = {
    user: userForEvent(user),
    connection: { id: connection.id, name: connection.name, strategy: connection.strategy, metadata: {} },
    stats: { logins_count: user.logins_count },
    client: { client_id: client.client_id, name: client.name, metadata: {} },
    request: run.request,
    transaction: { id: newId(), acr_values: [], locale: 'en', ui_locales: [], metadata: {}, ...run.transaction },
    authentication: { methods: run.methods },
    authorization: { roles: roleNames(store, user.user_id) },
    ...(run.session ? { session: run.session } : {}),
    ...(run.resourceServer ? { resource_server: run.resourceServer } : {}),
    tenant: { id: 'local' },
  };
  // Read once: the flow runs them, the log names them.
  const actions = boundActions(store, 'post-login');
  let result = await runTrigger(context, 'post-login', event, run.resumeAt, run.canRedirect === true, actions);
  // Auth0 persists at most 32 kB of each metadata object that Actions write in one login: more fails it, writing nothing.
  if (Buffer.byteLength(JSON.stringify(result.appMetadata)) > ACTIONS_METADATA_BYTES || Buffer.byteLength(JSON.stringify(result.userMetadata)) > ACTIONS_METADATA_BYTES) {
    const action = result.calls.findLast((call) => call.method.startsWith('user.set'))?.action ?? '';
    result = { ...result, appMetadata: {}, userMetadata: {}, outcome: 'failed', failure: { action, kind: 'error', message: 'Error: the Actions wrote more than 32 kB of app_metadata or user_metadata in one login' } };
  }
  if (result.outcome !== 'redirected') {
    const login = run.countsAsLogin !== false;
    const failed = result.outcome === 'denied' || result.outcome === 'failed';
    const type = login ? (failed ? 'f' : 's') : failed ? 'fertft' : 'sertft';
    const description = result.outcome === 'denied' ? (result.denied?.reason ?? 'Access denied') : result.outcome === 'failed' ? failureDescription(result) : undefined;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const headers = { 'user-agent': text(run.request.user_agent), host: text(run.request.hostname) };
    recordLog(store, type, { user, connection, client, headers, details: { actions: { executions: actions.map((action) => action.name) } } }, description);
  }
  user.app_metadata = mergeMetadata(user.app_metadata, result.appMetadata);
  user.user_metadata = mergeMetadata(user.user_metadata, result.userMetadata);
  if (Object.keys(result.appMetadata).length + Object.keys(result.userMetadata).length > 0) user.updated_at = new Date().toISOString();
  store.save();
  return result;
}

/**
 * The user a login's subject stands for: the user itself, or — once its identity was linked into another
 * user — the primary user holding it as a secondary identity (`provider|user_id`).
 */
export function resolveUser(store: StateStore, id: string): StoredUser | undefined {
  const direct = store.users.get(id);
  if (direct) return direct;
  const cut = id.indexOf('|');
  const provider = id.slice(0, cut);
  const providerId = id.slice(cut + 1);
  return cut > 0 ? store.users.withLinkedIdentity(provider, providerId) : undefined;
}

/**
 * `api.authentication.setPrimaryUser`: the user tokens are issued for, or why the login fails — the
 * identity that logged in must be among that user's secondary identities (Auth0: "The login will fail
 * and tokens will not be issued otherwise").
 */
export function primaryUserOf(store: StateStore, loggedIn: StoredUser, result: FlowResult): StoredUser | { refused: string } {
  const primaryId = result.effects?.primaryUser;
  if (!primaryId) return loggedIn;
  const identity = loggedIn.identities[0];
  const primary = primaryId ? store.users.get(primaryId) : undefined;
  const linked = primary?.identities.slice(1).some((candidate) => candidate.connection === identity?.connection && candidate.user_id === identity?.user_id);
  return primary && linked ? primary : { refused: 'setPrimaryUser: the identity that logged in is not a secondary identity of that user' };
}

/** The profile claims a user's ID token (or `/userinfo`) carries for the scopes asked. */
export function profileClaims(user: StoredUser, scopes: ReadonlySet<string>): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scopes.has('profile')) {
    for (const key of ['name', 'given_name', 'family_name', 'nickname', 'picture'] as const) if (user[key] !== undefined) claims[key] = user[key];
    claims.updated_at = user.updated_at;
  }
  if (scopes.has('email') && user.email !== undefined) {
    claims.email = user.email;
    claims.email_verified = user.email_verified;
  }
  if (scopes.has('phone') && user.phone_number !== undefined) claims.phone_number = user.phone_number;
  return claims;
}
