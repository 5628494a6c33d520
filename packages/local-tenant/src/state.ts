/**
 * The local tenant's state: its shapes, a new tenant's, and the store that keeps them in the state folder's
 * database (database.ts; users in user-store.ts). Holds what the Management API serves.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { openDatabase, type OpenOptions } from './database';
import { APP_SECRET_SCOPES, DEPLOY_CLIENT_SCOPES, LOCAL_OUTBOX_SCOPE, MANAGEMENT_API_PATH, WHOLE_TENANT_SCOPES } from './scopes';
import type { StoredLog } from './logs';
import type { Outbox } from './outbox';
import type { Attempts } from './brute-force';
import type { StoredResources } from './api/stored';
import type { SuspiciousIpThrottling } from './throttle';
import type { Records } from './records';
import type { LogStore } from './log-store';
import type { OidcStore } from './oidc-store';
import type { UserStore } from './user-store';

export interface StoredSecret {
  name: string;
  value: string;
  updated_at: string;
}

export interface ActionVersion {
  id: string;
  number: number;
  code: string;
  runtime: string;
  dependencies: unknown[];
  secrets: Array<{ name: string; updated_at: string }>;
  supported_triggers: Array<{ id: string; version: string }>;
  created_at: string;
}

export interface StoredAction {
  id: string;
  name: string;
  code: string;
  runtime: string;
  dependencies: unknown[];
  secrets: StoredSecret[];
  supported_triggers: Array<{ id: string; version: string }>;
  modules: unknown[];
  created_at: string;
  updated_at: string;
  all_changes_deployed: boolean;
  deployed_version: ActionVersion | null;
  versions: number;
  /** The draft's build: its declared dependencies installing (`pending`), installed, or not (`failed`, with why). */
  status?: 'pending' | 'built' | 'failed';
  build_error?: string;
}

export interface StoredBinding {
  id: string;
  action_id: string;
  display_name: string;
  created_at: string;
  updated_at: string;
}

export interface StoredConnection {
  id: string;
  name: string;
  strategy: string;
  options: Record<string, unknown>;
  /** Other top-level fields Auth0 keeps (display_name, metadata, realms, is_domain_connection, …). */
  fields: Record<string, unknown>;
  enabled_clients: string[];
  created_at: string;
}

export interface StoredClient {
  client_id: string;
  client_secret: string;
  name: string;
  app_type: string;
  grant_types: string[];
  callbacks: string[];
  is_first_party: boolean;
  /** Where `/v2/logout` may send the browser back to. */
  allowed_logout_urls?: string[];
  /** Origins allowed to use web_message and the token endpoint from a browser (Auth0's Allowed Web Origins). */
  web_origins?: string[];
  /** `none` (public: SPA, native), `client_secret_post` or `client_secret_basic`. */
  token_endpoint_auth_method?: string;
  /** Other top-level fields Auth0 keeps (description, oidc_conformant, jwt_configuration, …). */
  fields?: Record<string, unknown>;
}

/** What a client may get by client credentials for an API (Auth0's client grant). */
export interface StoredClientGrant {
  id: string;
  client_id: string;
  audience: string;
  scope: string[];
}

/** An API (Auth0's resource server): what `audience` names at /authorize and at the token endpoint. */
export interface StoredResourceServer {
  id: string;
  name: string;
  identifier: string;
  scopes: Array<{ value: string; description?: string }>;
  signing_alg: string;
  token_lifetime: number;
  allow_offline_access: boolean;
  skip_consent_for_verifiable_first_party_clients: boolean;
  /** Other fields Auth0 keeps (token_dialect, enforce_policies, …). */
  fields: Record<string, unknown>;
}

export interface StoredIdentity {
  connection: string;
  provider: string;
  user_id: string;
  isSocial: boolean;
  /** A linked (secondary) identity: the profile its user had when it was linked. */
  profileData?: Record<string, unknown>;
  /** A linked database identity keeps its own password (scrypt, as the user's). Never served. */
  password_hash?: string;
}

/** A role (tenant.yaml `roles`), with the API permissions it grants. */
export interface StoredRole {
  id: string;
  name: string;
  description: string;
  permissions: Array<{ permission_name: string; resource_server_identifier: string }>;
}

/** The root attributes a user can have, as stored. */
export const USER_ROOT_FIELDS = ['email', 'email_verified', 'name', 'given_name', 'family_name', 'nickname', 'picture', 'username', 'phone_number'] as const;

export interface StoredUser {
  user_id: string;
  email?: string;
  email_verified: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  nickname?: string;
  picture?: string;
  username?: string;
  phone_number?: string;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  identities: StoredIdentity[];
  created_at: string;
  updated_at: string;
  last_login?: string;
  logins_count: number;
  blocked?: boolean;
  /** scrypt, `salt:hash` in base64url; database users only. Never served. */
  password_hash?: string;
}

export interface TenantState {
  version: 1;
  /** Keys the login side's cookies (oidc-provider signs its session and interaction cookies with it). */
  signingSecret: string;
  /** The machine-to-machine client the scripts use (client credentials). */
  managementClientId: string;
  clients: StoredClient[];
  /** Client grants; the audience `api/v2/` stands for this tenant's Management API, whatever its port. */
  clientGrants: StoredClientGrant[];
  resourceServers?: StoredResourceServer[];
  actions: StoredAction[];
  bindings: Record<string, StoredBinding[]>;
  roles?: StoredRole[];
  /** Role ids by user id. */
  userRoles?: Record<string, string[]>;
  connections: StoredConnection[];
  /** RS256 key that signs ID tokens; the public half is served as the JWKS. */
  idTokenKey: { kid: string; privatePem: string };
  /** Attack protection settings the Management API changed (throttle.ts has Auth0's defaults). */
  attackProtection?: { suspiciousIpThrottling?: SuspiciousIpThrottling };
}

/** A whole state read at once, its users with it: a test's look at a tenant, a new tenant, an older checkout's `state.json`. */
export type TenantSnapshot = TenantState & {
  users: StoredUser[];
  /** What oidc-provider kept in an older checkout's `state.json`, by model and id. */
  oidc?: Record<string, Record<string, StoredOidcEntry>>;
  /** An older checkout's log events, oldest first. */
  logs?: StoredLog[];
};

export type PendingLogin =
  | { kind: 'redirect'; action: string; expiresAt: number }
  | { kind: 'mfa'; email: string; connection: string; attempts: number; expiresAt: number };

export interface StoredOidcEntry {
  payload: Record<string, unknown>;
  /** Epoch seconds; absent for entries that do not expire. */
  expiresAt?: number;
}

export interface LoginOutcome {
  idTokenClaims: Record<string, unknown>;
  accessTokenClaims: Record<string, unknown>;
  at: number;
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function alphanumeric(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

export const newClientId = () => alphanumeric(32);
export const newConnectionId = () => `con_${alphanumeric(16)}`;
export const newId = () => randomUUID();

function initialState(): TenantSnapshot {
  const management: StoredClient = {
    client_id: newClientId(),
    client_secret: token(48),
    name: 'auth0-root-attributes CLI',
    app_type: 'non_interactive',
    grant_types: ['client_credentials'],
    callbacks: [],
    is_first_party: true,
  };
  const app: StoredClient = {
    client_id: newClientId(),
    client_secret: token(48),
    name: 'Default App',
    app_type: 'regular_web',
    // Auth0's Default App, plus the grants that sign users in without a browser (what `npm run simulate` uses).
    grant_types: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials', 'password', 'http://auth0.com/oauth/grant-type/password-realm', 'http://auth0.com/oauth/grant-type/passwordless/otp'],
    callbacks: ['http://localhost:3000/callback'],
    is_first_party: true,
  };
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    version: 1, signingSecret: token(32), managementClientId: management.client_id, clients: [management, app], clientGrants: [], actions: [], bindings: {}, connections: [], users: [],
    idTokenKey: { kid: token(12), privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
  };
}

/**
 * The CLI client's Management API grant: exactly the scopes the project's commands need and the README lists
 * (deploy, the rest of a whole tenant, an app's secret), plus the local outbox. Set at every start, so a state from an older checkout gets today's list.
 */
function grantCliClient(state: TenantState): void {
  state.clientGrants ??= [];
  const scope = [...new Set([...DEPLOY_CLIENT_SCOPES, ...WHOLE_TENANT_SCOPES, ...APP_SECRET_SCOPES]), LOCAL_OUTBOX_SCOPE];
  const existing = state.clientGrants.find((grant) => grant.client_id === state.managementClientId && grant.audience === MANAGEMENT_API_PATH);
  if (existing) existing.scope = scope;
  else state.clientGrants.push({ id: `cgr_${alphanumeric(16)}`, client_id: state.managementClientId, audience: MANAGEMENT_API_PATH, scope });
}

/**
 * Every Auth0 tenant has one global client, "All Applications" (`global: true`): where tenant-wide login page
 * settings live (a0deploy's `pages` writes the login page into it). Lists leave it out with `is_global=false`;
 * it gets no token. Added to a state of an older checkout at start.
 */
export const GLOBAL_CLIENT_NAME = 'All Applications';

function ensureGlobalClient(state: TenantState): void {
  if (state.clients.some((client) => client.fields?.global === true)) return;
  state.clients.push({ client_id: newClientId(), client_secret: token(48), name: GLOBAL_CLIENT_NAME, app_type: 'non_interactive', grant_types: [], callbacks: [], is_first_party: true, fields: { global: true } });
}

export interface StateStore {
  readonly file: string;
  readonly state: TenantState;
  /** Persists what changed, in one transaction: a request's once, as its answer starts (database.ts). */
  save(): void;
  /** Handles a request as one unit of work: what it saves is written once, as its response starts (database.ts). */
  unitOfWork<T>(response: ServerResponse, options: { configuration: boolean }, handle: () => T): T;
  /** The users, on their indexes: an object it gives back is the one to change (the next save writes it). */
  users: UserStore;
  /** oidc-provider's entries (sessions, interactions, grants, codes, tokens), on their indexes (oidc-store.ts). */
  oidc: OidcStore;
  /** The log events, newest MAX_LOGS kept (log-store.ts). */
  logs: LogStore;
  /**
   * The login side's short-lived records, each change one statement (inside a request, in the transaction its
   * answer commits): post-login outcomes by grant (`LoginOutcome`), logins waiting for the browser by
   * interaction (`PendingLogin`), rate-limit buckets, browser bindings.
   */
  records: Records;
  /** The one-time codes the tenant would e-mail. */
  outbox: Outbox;
  /** Failed logins by connection, identifier and IP, for brute-force protection. */
  attempts: Attempts;
  /** What a real tenant has that the local tenant keeps without acting on it (tenant settings, prompts, …). */
  stored: StoredResources;
  /** Closes the database and gives the state folder up. */
  close(): void;
}

/** A `state.json` from before the database, to migrate; undefined when it is not one. */
function legacyState(file: string): TenantSnapshot | undefined {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as TenantSnapshot;
    return state.version === 1 && Array.isArray(state.clients) && Array.isArray(state.users) && state.idTokenKey ? state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens the state in `dir` (a new tenant on first use; a `state.json` of an older checkout migrated once).
 * Throws StateError when another process has the folder or the database is damaged.
 */
export function openState(dir: string, options: OpenOptions = {}): StateStore {
  // The state holds every secret of the tenant: its folder is its owner's alone.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const store = openDatabase(dir, initialState, legacyState, options);
  grantCliClient(store.state);
  ensureGlobalClient(store.state);
  store.save();
  return store;
}
