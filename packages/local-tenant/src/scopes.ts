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

/**
 * The scopes a0deploy needs for the rest of a tenant.yaml — every section besides the ones above — each group
 * named by its sections. The README lists them as the second list for a deploy client; the local tenant's CLI
 * client holds them too, so `npm run deploy` of a whole exported tenant works locally as it would on Auth0.
 */
export const WHOLE_TENANT_SCOPES = [
  // tenant (and pages: the login page is the global client's, the error page a tenant setting)
  'read:tenant_settings', 'update:tenant_settings',
  // prompts (custom texts, partials, screen renderers), branding and themes
  'read:prompts', 'update:prompts', 'read:branding', 'create:branding', 'update:branding', 'delete:branding',
  // emailProvider, emailTemplates
  'read:email_provider', 'create:email_provider', 'update:email_provider', 'delete:email_provider',
  'read:email_templates', 'create:email_templates', 'update:email_templates',
  // phoneProviders, phoneTemplates
  'read:phone_providers', 'create:phone_providers', 'update:phone_providers', 'delete:phone_providers',
  'read:phone_templates', 'create:phone_templates', 'update:phone_templates', 'delete:phone_templates',
  // guardianFactors, guardianFactorProviders, guardianFactorTemplates, guardianPhoneFactor*, guardianPolicies
  'read:guardian_factors', 'update:guardian_factors', 'read:mfa_policies', 'update:mfa_policies',
  // attackProtection, supplementalSignals; riskAssessment
  'read:attack_protection', 'update:attack_protection', 'read:security_metrics', 'update:security_metrics',
  // organizations, their connections, client grants, discovery domains and applications
  'read:organizations', 'create:organizations', 'update:organizations', 'delete:organizations',
  'read:organization_connections', 'create:organization_connections', 'update:organization_connections', 'delete:organization_connections',
  'read:organization_client_grants', 'create:organization_client_grants', 'delete:organization_client_grants',
  'read:organization_discovery_domains', 'create:organization_discovery_domains', 'update:organization_discovery_domains', 'delete:organization_discovery_domains',
  'read:organization_clients', 'create:organization_clients', 'update:organization_clients', 'delete:organization_clients',
  // forms, flows, flowVaultConnections
  'read:forms', 'create:forms', 'update:forms', 'delete:forms', 'read:flows', 'create:flows', 'update:flows', 'delete:flows',
  'read:flows_vault_connections', 'create:flows_vault_connections', 'update:flows_vault_connections', 'delete:flows_vault_connections',
  // logStreams, eventStreams
  'read:log_streams', 'create:log_streams', 'update:log_streams', 'delete:log_streams',
  'read:event_streams', 'create:event_streams', 'update:event_streams', 'delete:event_streams',
  // customDomains, networkACLs, rateLimitPolicies
  'read:custom_domains', 'create:custom_domains', 'update:custom_domains', 'delete:custom_domains',
  'read:network_acls', 'create:network_acls', 'update:network_acls', 'delete:network_acls',
  'read:rate_limit_policies', 'create:rate_limit_policies', 'update:rate_limit_policies', 'delete:rate_limit_policies',
  // selfServiceProfiles and their custom texts
  'read:self_service_profiles', 'create:self_service_profiles', 'update:self_service_profiles', 'delete:self_service_profiles',
  'read:self_service_profile_custom_texts', 'update:self_service_profile_custom_texts',
  // connectionProfiles, userAttributeProfiles, tokenExchangeProfiles
  'read:connection_profiles', 'create:connection_profiles', 'update:connection_profiles', 'delete:connection_profiles',
  'read:user_attribute_profiles', 'create:user_attribute_profiles', 'update:user_attribute_profiles', 'delete:user_attribute_profiles',
  'read:token_exchange_profiles', 'create:token_exchange_profiles', 'update:token_exchange_profiles', 'delete:token_exchange_profiles',
  // connections' directory provisioning and SCIM (a0deploy reads them with the connections)
  'read:directory_provisionings', 'update:directory_provisionings', 'read:scim_config', 'update:scim_config',
  // the deprecated rules, rulesConfigs and hooks (a0deploy reads them on every export)
  'read:rules', 'create:rules', 'update:rules', 'delete:rules', 'read:rules_configs', 'update:rules_configs', 'delete:rules_configs',
  'read:hooks', 'create:hooks', 'update:hooks', 'delete:hooks',
  // clients' credentials (client_authentication_methods)
  'read:client_credentials', 'create:client_credentials', 'update:client_credentials', 'delete:client_credentials',
] as const;

/**
 * Reading and rotating an app's secret: not what a deploy needs (a0deploy never reads one, and its export leaves
 * them out), but how a team gets the secret of an app it deployed. The README lists them apart; the local CLI
 * client holds them, so `GET /api/v2/clients/{id}` answers it the secret as Auth0 answers such a client.
 */
export const APP_SECRET_SCOPES = ['read:client_keys', 'update:client_keys'] as const;

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
