/**
 * @auth0-root-attributes/local-tenant — a stand-in Auth0 tenant on 127.0.0.1 over HTTPS: the Management API
 * a0deploy and the `auth0` SDK use, the Authentication API and OpenID Connect (on oidc-provider) that apps
 * sign users in with, the hosted login pages, the deployed Actions run in the Actions runtime, and its state
 * in SQLite. What it reproduces of Auth0, and what it only stores, is in FIDELITY.md.
 *
 * This is its one public entry: everything a tool or a test may rely on.
 */

/** Start a tenant in this process, or in a child process of its own (what tests do: oidc-provider is ESM-only). */
export { startLocalTenant, protectedRoutes, type LocalTenant, type LocalTenantOptions } from './server';
export { spawnLocalTenant, type SpawnOptions, type TenantProcess, type TenantReady } from './process';

/** Its state folder: the CA to trust, what it holds, a reset, users seeded without the API. */
export { ensureTlsMaterial, type TlsMaterial } from './certificates';
export { readStateFile, removeState, runningTenant, StateError } from './database';
export { seedUsers, type SeedUser } from './seed';
export type { StoredClient, StoredConnection, StoredUser, TenantSnapshot, TenantState } from './state';

/** An HTTPS client that trusts the tenant's CA, for tests and scripts that talk to it without an SDK. */
export { clientWithScopes, managementApi, raw, type Answer, type ManagementApi, type RawRequest } from './client';
/** A browser without a screen for the hosted pages: cookies, redirects, forms. */
export { alertsOf, arrivedAt, formsOf, pageOf, UserAgent, type Form, type Page, type Step } from './browser';

/** Auth0's facts it applies, for callers that must agree with it. */
export { auth0Defaults } from './login';
export { isEmailAddress, EMAIL_MAX_LENGTH, EMAIL_LOCAL_MAX_LENGTH } from './email';
export { tenantKind, type TenantKind } from './strategies';
export { APP_SECRET_SCOPES, DEPLOY_CLIENT_SCOPES, LOCAL_OUTBOX_SCOPE, WHOLE_TENANT_SCOPES } from './scopes';

/** The password hash the tenant computes at every login (scrypt, on libuv's pool): a login's floor, for benchmarks. */
export { hashPassword } from './login';
