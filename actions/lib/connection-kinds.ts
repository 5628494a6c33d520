/**
 * Connection kinds: what a connection's strategy says about who may write its users' root attributes.
 * Strategy lists follow the Management API's `ConnectionStrategyEnum` (auth0 SDK 7.1) plus retired
 * strategies that old tenants still carry.
 */
import type { RecordedSource, Source } from './attributes';

export const CONNECTION_KINDS = [
  'database',
  'custom-db-import',
  'custom-db-external',
  'passwordless',
  'social',
  'enterprise',
  'legal-identity',
  'unknown',
] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

/** `options.set_user_root_attributes`; absent means `on_each_login`. */
export const SYNC_MODES = ['on_each_login', 'on_first_login', 'never_on_login'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];
export const DEFAULT_SYNC_MODE: SyncMode = 'on_each_login';

export const SOCIAL_STRATEGIES: readonly string[] = [
  'amazon', 'aol', 'apple', 'asana', 'atlassian', 'baidu', 'bitbucket', 'bitly', 'box', 'cloudflare-mcp',
  'daccount', 'dropbox', 'dwolla', 'ebay', 'evernote', 'evernote-sandbox', 'exact', 'facebook', 'fitbit',
  'flickr', 'github', 'gitlab', 'google-oauth2', 'google-openid', 'hubspot-mcp', 'instagram', 'line',
  'linear-mcp', 'linkedin', 'miicard', 'notion-mcp', 'oauth1', 'oauth2', 'paypal', 'paypal-sandbox',
  'planningcenter', 'renren', 'salesforce', 'salesforce-community', 'salesforce-sandbox', 'sentry-mcp',
  'shop', 'shopify', 'slack', 'soundcloud', 'thecity', 'thecity-sandbox', 'thirtysevensignals', 'twitter',
  'untappd', 'vkontakte', 'weibo', 'windowslive', 'wordpress', 'yahoo', 'yammer', 'yandex',
];

export const ENTERPRISE_STRATEGIES: readonly string[] = [
  'ad', 'adfs', 'auth0-adldap', 'auth0-oidc', 'custom', 'google-apps', 'ip', 'office365', 'oidc', 'okta',
  'pingfederate', 'samlp', 'sharepoint', 'waad',
];

export const PASSWORDLESS_STRATEGIES: readonly string[] = ['email', 'sms'];

/**
 * Legal identity providers (national e-ID and bank ID schemes) reach Auth0 through marketplace
 * integrations built on generic strategies, so no strategy names them: the policy classifies them.
 */
export const LEGAL_IDENTITY_STRATEGIES: readonly string[] = [];

/** The connection fields that decide its kind (a connection from tenant.yaml or the Management API). */
export interface ConnectionShape {
  strategy: string;
  options?: {
    enabledDatabaseCustomization?: unknown;
    import_mode?: unknown;
    set_user_root_attributes?: unknown;
  } | null;
}

/**
 * The kind of a connection. `classified` maps strategies the policy classifies (for example a
 * marketplace `oauth2` connection that is really a legal identity provider); it wins over the lists.
 */
export function connectionKind(
  connection: ConnectionShape,
  classified: Readonly<Record<string, ConnectionKind>> = {},
): ConnectionKind {
  const { strategy } = connection;
  const override = Object.prototype.hasOwnProperty.call(classified, strategy) ? classified[strategy] : undefined;
  if (override) return override;
  if (strategy === 'auth0') {
    const options = connection.options ?? {};
    if (options.enabledDatabaseCustomization !== true) return 'database';
    return options.import_mode === true ? 'custom-db-import' : 'custom-db-external';
  }
  if (PASSWORDLESS_STRATEGIES.includes(strategy)) return 'passwordless';
  if (SOCIAL_STRATEGIES.includes(strategy)) return 'social';
  if (ENTERPRISE_STRATEGIES.includes(strategy)) return 'enterprise';
  if (LEGAL_IDENTITY_STRATEGIES.includes(strategy)) return 'legal-identity';
  return 'unknown';
}

/** Upstream kinds: the identity provider writes root attributes, governed by the sync setting. */
export function isUpstream(kind: ConnectionKind): boolean {
  return kind === 'social' || kind === 'enterprise' || kind === 'legal-identity' || kind === 'custom-db-external';
}

/** Auth0 is the identity provider: root attributes are set at signup, import or through the Management API. */
export function isAuth0AsIdp(kind: ConnectionKind): boolean {
  return kind === 'database' || kind === 'custom-db-import' || kind === 'passwordless';
}

/** Whether `set_user_root_attributes` means anything for this kind (Auth0 refuses it on passwordless). */
export function syncSettingApplies(kind: ConnectionKind): boolean {
  return isUpstream(kind);
}

/**
 * The sources that can set a synced attribute on a connection of this kind and sync setting.
 * `management_api` is impossible under `on_each_login`: Auth0 answers 400 `operation_not_supported`.
 */
export function possibleSources(kind: ConnectionKind, sync: SyncMode | null): readonly RecordedSource[] {
  const sources: Source[] = [];
  if (kind === 'database' || kind === 'custom-db-import' || kind === 'custom-db-external' || kind === 'passwordless') {
    sources.push('signup');
  }
  if (kind === 'database' || kind === 'custom-db-import') sources.push('import');
  if (isAuth0AsIdp(kind) || (isUpstream(kind) && sync !== 'on_each_login')) sources.push('management_api');
  if (isUpstream(kind) && sync !== 'never_on_login') sources.push('idp');
  return [...sources, 'unknown'];
}

export function isSyncMode(value: unknown): value is SyncMode {
  return typeof value === 'string' && (SYNC_MODES as readonly string[]).includes(value);
}

export function isConnectionKind(value: unknown): value is ConnectionKind {
  return typeof value === 'string' && (CONNECTION_KINDS as readonly string[]).includes(value);
}
