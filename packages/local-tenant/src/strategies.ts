/**
 * What a connection's strategy means to Auth0 when it stores a user: whether Auth0 keeps the credentials
 * (database, passwordless) or an upstream identity provider proves who the user is, and whether that provider
 * is a social one (its identities say `isSocial: true`). Strategy names follow the Management API's
 * `ConnectionStrategyEnum` (auth0 SDK 7.1).
 */
import type { StoredConnection } from './state';

const SOCIAL_STRATEGIES: ReadonlySet<string> = new Set([
  'amazon', 'aol', 'apple', 'asana', 'atlassian', 'baidu', 'bitbucket', 'bitly', 'box', 'cloudflare-mcp',
  'daccount', 'dropbox', 'dwolla', 'ebay', 'evernote', 'evernote-sandbox', 'exact', 'facebook', 'fitbit',
  'flickr', 'github', 'gitlab', 'google-oauth2', 'google-openid', 'hubspot-mcp', 'instagram', 'line',
  'linear-mcp', 'linkedin', 'miicard', 'notion-mcp', 'oauth1', 'oauth2', 'paypal', 'paypal-sandbox',
  'planningcenter', 'renren', 'salesforce', 'salesforce-community', 'salesforce-sandbox', 'sentry-mcp',
  'shop', 'shopify', 'slack', 'soundcloud', 'thecity', 'thecity-sandbox', 'thirtysevensignals', 'twitter',
  'untappd', 'vkontakte', 'weibo', 'windowslive', 'wordpress', 'yahoo', 'yammer', 'yandex',
]);

/** Whether users of this strategy come from a social identity provider (`identities[].isSocial`). */
export function isSocialStrategy(strategy: string): boolean {
  return SOCIAL_STRATEGIES.has(strategy);
}

export type TenantKind = 'database' | 'passwordless' | 'upstream';

/**
 * How the login side treats a connection: Auth0 stores the user and checks the password (a database, or a
 * custom database in import mode, which migrates users into Auth0's store), sends a one-time code
 * (passwordless), or an upstream IdP proves the identity.
 */
export function tenantKind(connection: Pick<StoredConnection, 'strategy' | 'options'>): TenantKind {
  if (connection.strategy === 'email' || connection.strategy === 'sms') return 'passwordless';
  if (connection.strategy === 'auth0' && connection.options.enabledDatabaseCustomization !== true) return 'database';
  if (connection.strategy === 'auth0' && connection.options.import_mode === true) return 'database';
  return 'upstream';
}
