/**
 * Shapes shared by the Auth0 Actions triggers, written from Auth0's public reference
 * (https://auth0.com/docs/customize/actions/explore-triggers) and named like the official
 * `@auth0/actions` package, which this registry cannot serve.
 */

/** `event.connection`: for social connections `strategy === name`. */
export interface Connection {
  id: string;
  name: string;
  strategy: string;
  metadata?: Record<string, string>;
}

export interface GeoIp {
  cityName?: string;
  continentCode?: string;
  countryCode?: string;
  countryCode3?: string;
  countryName?: string;
  latitude?: number;
  longitude?: number;
  subdivisionCode?: string;
  subdivisionName?: string;
  timeZone?: string;
}

export interface Client {
  client_id: string;
  name: string;
  metadata: Record<string, string>;
}

export interface Tenant {
  id: string;
}

/** Values of the Action's secrets, by name. */
export type Secrets = Record<string, string>;
/** Values of the Action's configuration, by name. */
export type Configuration = Record<string, string>;

export interface CacheWriteOptions {
  ttl?: number;
  expires_at?: number;
}

export type CacheWriteErrorCode =
  | 'MaxSideEffectsExceeded' | 'CacheKeySizeExceeded' | 'CacheValueSizeExceeded' | 'CacheSizeExceeded' | 'ItemAlreadyExpired'
  | 'InvalidExpiry' | 'FailedToSetCacheRecord' | 'FailedToDeleteCacheRecord' | 'CacheKeyDoesNotExist';

export type CacheWriteResult = { type: 'success'; record: CacheRecord } | { type: 'error'; code: CacheWriteErrorCode };
export type CacheDeleteResult = { type: 'success' } | { type: 'error'; code: CacheWriteErrorCode };

export interface CacheRecord {
  value: string;
  expires_at: number;
}

/** `api.cache`: at most 20 entries per trigger, keys up to 64 bytes, values up to 4 kB. */
export interface CacheAPI {
  get(key: string): CacheRecord | undefined;
  set(key: string, value: string, options?: CacheWriteOptions): CacheWriteResult;
  delete(key: string): CacheDeleteResult;
}

/** Metadata values are JSON; `null` removes the key. */
export type MetadataValue = unknown;

/** `event.request`: the body is only available in a few flows, pre-user-registration among them. */
export interface Request {
  body: Record<string, unknown>;
  geoip: GeoIp;
  hostname?: string;
  ip: string;
  language?: string;
  method: string;
  user_agent?: string;
}

/** `event.transaction`: the authorization request being processed. */
export interface Transaction {
  acr_values: string[];
  locale: string;
  login_hint?: string;
  prompt?: string[];
  protocol?: string;
  redirect_uri?: string;
  requested_scopes: string[];
  response_mode?: string;
  response_type?: string[];
  state?: string;
  ui_locales: string[];
  correlation_id?: string;
}
