/**
 * Management API authorization as Auth0 does it: each route names the scopes it accepts ("any of"), a
 * client-credentials token carries the scopes its client grant allows, and a token without one of them
 * gets 403 `insufficient_scope` with Auth0's message. User tokens never reach the Management API here.
 */

/**
 * The scopes the project's own commands need on a tenant — what the README asks a team to grant its
 * deploy client, and exactly what the local tenant's CLI client is granted, so a missing scope shows
 * up locally before it shows up on a real tenant.
 */
export const DEPLOY_CLIENT_SCOPES = [
  // a0deploy: actions, their deployment and trigger bindings
  'read:actions', 'create:actions', 'update:actions', 'read:triggers', 'update:triggers',
  // a0deploy: clients (enabled_clients names, the applications tenant.yaml lists) and their grants
  'read:clients', 'create:clients', 'update:clients', 'read:client_grants', 'create:client_grants', 'update:client_grants',
  // a0deploy: APIs (resource servers) and roles with their permissions
  'read:resource_servers', 'create:resource_servers', 'update:resource_servers',
  'read:roles', 'create:roles', 'update:roles',
  // a0deploy: connections and their options
  'read:connections', 'create:connections', 'update:connections',
  'read:connections_options', 'update:connections_options',
  // a0deploy --allow-delete: what tenant.yaml no longer lists (a fresh tenant's Default App among it)
  'delete:actions', 'delete:clients', 'delete:client_grants', 'delete:resource_servers', 'delete:connections', 'delete:roles',
  // audit (users export, denied logins and signups from the logs), users update (PATCH with the provenance stamp), users import (jobs)
  'read:users', 'create:users', 'update:users', 'update:users_app_metadata', 'read:logs',
] as const;

/** Local only: the mailbox of passwordless codes, which no real tenant has. */
export const LOCAL_OUTBOX_SCOPE = 'read:local_outbox';

export const MANAGEMENT_API_PATH = 'api/v2/';

/** Auth0's 403 for a token that lacks every scope a route accepts. */
export function insufficientScopeMessage(accepted: readonly string[]): string {
  return `Insufficient scope, expected any of: ${accepted.join(',')}`;
}

/** Whether a token's scopes satisfy a route: one of the accepted scopes is enough. */
export function hasAnyScope(granted: ReadonlySet<string>, accepted: readonly string[]): boolean {
  return accepted.some((scope) => granted.has(scope));
}
