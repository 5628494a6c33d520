/**
 * Recording `api` objects for both triggers. Each call is checked the way Auth0 checks it (a misuse
 * throws a TypeError, as the real runtime fails the execution), appended to `calls` in order, and
 * folded into `state`: whether and why the flow was denied, the metadata written, the claims set.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FactorSelector, PostLoginAPI, SamlResponseAPI } from './types/post-login';
import type { PreUserRegistrationAPI } from './types/pre-user-registration';
import type { CacheAPI, CacheRecord } from './types/common';

export interface RecordedCall {
  method: string;
  args: unknown[];
}

export interface PostLoginState {
  denied: { reason: string } | null;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  idTokenClaims: Record<string, unknown>;
  accessTokenClaims: Record<string, unknown>;
  scopesAdded: string[];
  scopesRemoved: string[];
  validationError: { code: string; message: string } | null;
  /** `api.redirect.sendUserTo`: where the login goes after this Action, before the flow goes on. */
  redirect: { url: string; query: Record<string, string> } | null;
  /** `api.multifactor.enable`, `api.authentication.challengeWith…`/`enrollWith…`: the second factor the login must pass after the flow. */
  multifactor: { provider: string; options: Record<string, unknown> } | null;
  /** `api.authentication.setPrimaryUser`: the user tokens are issued for. */
  primaryUser: string | null;
  /** `api.authentication.recordMethod`: custom methods completed (onContinuePostLogin only). */
  methodsRecorded: string[];
  /** `api.session.*`: what the Action asked of the session (revoke also denies the login). */
  session: { expiresAt?: number; idleExpiresAt?: number; cookieMode?: string; metadata: Record<string, string>; revoked?: { reason: string; preserveRefreshTokens: boolean } };
  /** `api.refreshToken.*` (revoke also denies the exchange). */
  refreshToken: { expiresAt?: number; idleExpiresAt?: number; metadata: Record<string, string>; revoked?: string };
  /** `api.samlResponse.*`: attributes set and settings changed. */
  saml: { attributes: Record<string, unknown>; settings: Record<string, unknown> };
  /** `api.prompt.render`: the custom prompt the Action asked for. */
  prompt: { id: string; options: Record<string, unknown> } | null;
}

/** What the post-login api reads of its transaction: who logs in, from where, the /continue request, the event's live parts. */
export interface PostLoginContext {
  userId?: string;
  tenantHost?: string;
  ip?: string;
  /** The query and body of the request that resumed the login (`/continue`), for validateToken. */
  request?: { query?: Record<string, unknown>; body?: Record<string, unknown> };
  /** Whether the transaction can redirect (an interactive login; not a token-endpoint grant, a refresh, prompt=none). */
  canRedirect?: boolean;
  /** Running `onContinuePostLogin` (recordMethod is allowed there only). */
  resuming?: boolean;
  /** `event.transaction.metadata`, which setMetadata updates at once. */
  transactionMetadata?: Record<string, unknown>;
  /** This action's cache entries, kept across executions by the runtime. */
  cache?: CacheEntries;
}

export type CacheEntries = Record<string, CacheRecord>;

export interface PreUserRegistrationState {
  denied: { reason: string; userMessage: string } | null;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  validationError: { code: string; message: string } | null;
}

export interface Recording<Api, State> {
  api: Api;
  calls: RecordedCall[];
  state: State;
}

function requireString(method: string, name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${method}: ${name} must be a string`);
}

/** Auth0 refuses metadata keys containing `.` or `$`. */
function checkMetadataKey(method: string, key: unknown): asserts key is string {
  requireString(method, 'key', key);
  if (key === '' || key.includes('.') || key.includes('$')) {
    throw new TypeError(`${method}: metadata keys must be non-empty and may not contain "." or "$"`);
  }
}

function checkJson(method: string, value: unknown): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    throw new TypeError(`${method}: value must be JSON-serialisable`);
  }
  if (text === undefined) throw new TypeError(`${method}: value must be JSON-serialisable`);
}

/** Stores a value as Auth0 would after a JSON round trip (the Action can't mutate it afterwards). */
function stored(value: unknown): unknown {
  return value === null ? null : JSON.parse(JSON.stringify(value));
}

function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `api.user` of both triggers: metadata writes, checked and folded into `state`. */
function metadataSetters<Api>(
  api: () => Api,
  record: (method: string, args: unknown[]) => void,
  state: { appMetadata: Record<string, unknown>; userMetadata: Record<string, unknown> },
) {
  const setter = (method: string, target: Record<string, unknown>) => (key: string, value: unknown): Api => {
    checkMetadataKey(method, key);
    checkJson(method, value ?? null);
    record(method, [key, value]);
    setKey(target, key, stored(value ?? null));
    return api();
  };
  return {
    setAppMetadata: setter('user.setAppMetadata', state.appMetadata),
    setUserMetadata: setter('user.setUserMetadata', state.userMetadata),
  };
}

/** Auth0's cache limits: 24 h at most, 20 entries, keys of 64 bytes, values of 4 kB, 8 kB in all. */
export const CACHE_LIMITS = { maxLifetimeMs: 24 * 3_600_000, entries: 20, keyBytes: 64, valueBytes: 4_096, totalBytes: 8_192 };

const bytes = (text: string) => Buffer.byteLength(text);

/** Entries that have not expired (the runtime drops the rest before each execution). */
export function liveEntries(entries: CacheEntries, now: number): CacheEntries {
  return Object.fromEntries(Object.entries(entries).filter(([, entry]) => entry.expires_at > now));
}

/**
 * `api.cache` over `entries`, which the runtime keeps for the action across executions. A write past a
 * limit answers an error result, as Auth0's does; `defaultTtl` is the trigger's (15 min post-login, 24 h pre-registration).
 */
function recordingCache(record: (method: string, args: unknown[]) => void, entries: CacheEntries, defaultTtl: number): CacheAPI {
  return {
    get(key) {
      requireString('cache.get', 'key', key);
      record('cache.get', [key]);
      const entry = entries[key];
      return entry && entry.expires_at > Date.now() ? { ...entry } : undefined;
    },
    set(key, value, options) {
      requireString('cache.set', 'key', key);
      requireString('cache.set', 'value', value);
      record('cache.set', [key, value, options]);
      const now = Date.now();
      const ttl = options?.ttl;
      const at = options?.expires_at;
      if ((ttl !== undefined && (typeof ttl !== 'number' || !(ttl > 0))) || (at !== undefined && typeof at !== 'number')) return { type: 'error', code: 'InvalidExpiry' };
      if (at !== undefined && at <= now) return { type: 'error', code: 'ItemAlreadyExpired' };
      if (bytes(key) > CACHE_LIMITS.keyBytes) return { type: 'error', code: 'CacheKeySizeExceeded' };
      if (bytes(value) > CACHE_LIMITS.valueBytes) return { type: 'error', code: 'CacheValueSizeExceeded' };
      const candidates = [ttl === undefined && at === undefined ? now + defaultTtl : Infinity, ttl === undefined ? Infinity : now + ttl, at ?? Infinity];
      const expires = Math.min(...candidates, now + CACHE_LIMITS.maxLifetimeMs);
      const others = Object.entries(liveEntries(entries, now)).filter(([name]) => name !== key);
      const total = others.reduce((sum, [name, entry]) => sum + bytes(name) + bytes(entry.value), 0) + bytes(key) + bytes(value);
      if (others.length + 1 > CACHE_LIMITS.entries || total > CACHE_LIMITS.totalBytes) return { type: 'error', code: 'CacheSizeExceeded' };
      const entry = { value, expires_at: expires };
      setKey(entries, key, entry);
      return { type: 'success', record: { ...entry } };
    },
    delete(key) {
      requireString('cache.delete', 'key', key);
      record('cache.delete', [key]);
      if (!Object.prototype.hasOwnProperty.call(entries, key)) return { type: 'error', code: 'CacheKeyDoesNotExist' };
      delete entries[key];
      return { type: 'success' };
    },
  };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An HS256 JWT, as api.redirect.encodeToken signs it. */
function signHs256(claims: Record<string, unknown>, secret: string): string {
  const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** The claims of an HS256 JWT signed with `secret` that has not expired, or a TypeError saying why not. */
function verifyHs256(method: string, token: string, secret: string, now: number): Record<string, unknown> {
  const [head, body, signature] = token.split('.');
  if (!head || !body || !signature) throw new TypeError(`${method}: the token is not a JWT`);
  let header: { alg?: unknown };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new TypeError(`${method}: the token is not a JWT`);
  }
  if (header.alg !== 'HS256') throw new TypeError(`${method}: the token must be signed with HS256`);
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TypeError(`${method}: the token's signature is invalid`);
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) throw new TypeError(`${method}: the token has expired`);
  return claims;
}

function absoluteUrl(method: string, value: unknown): asserts value is string {
  requireString(method, 'url', value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${method}: url must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`${method}: url must be an http(s) URL`);
}

function positiveTime(method: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new TypeError(`${method}: expected a time in milliseconds since the epoch`);
}

const FACTOR_TYPES = new Set(['otp', 'email', 'phone', 'push', 'push-notification', 'webauthn-platform', 'webauthn-roaming', 'recovery-code']);

function factorList(method: string, factors: unknown): FactorSelector[] {
  if (!Array.isArray(factors) || factors.length === 0) throw new TypeError(`${method}: expected a non-empty array of factors`);
  for (const factor of factors) {
    if (typeof factor !== 'object' || factor === null || !FACTOR_TYPES.has((factor as { type?: unknown }).type as string)) {
      throw new TypeError(`${method}: each factor is an object whose type is one of ${[...FACTOR_TYPES].join(', ')}`);
    }
  }
  return factors as FactorSelector[];
}

/** The setters of `api.samlResponse`, each checked for the type Auth0's reference gives it. */
function samlSetters(record: (method: string, args: unknown[]) => void, saml: PostLoginState['saml']): SamlResponseAPI {
  const kinds: Record<string, 'string' | 'boolean' | 'number' | 'strings'> = {
    setAudience: 'string', setRecipient: 'string', setCreateUpnClaim: 'boolean', setPassthroughClaimsWithNoMapping: 'boolean',
    setMapUnknownClaimsAsIs: 'boolean', setMapIdentities: 'boolean', setSignatureAlgorithm: 'string', setDigestAlgorithm: 'string',
    setDestination: 'string', setLifetimeInSeconds: 'number', setSignResponse: 'boolean', setNameIdentifierFormat: 'string',
    setNameIdentifierProbes: 'strings', setAuthnContextClassRef: 'string', setSigningCert: 'string', setIncludeAttributeNameFormat: 'boolean',
    setTypedAttributes: 'boolean', setEncryptionCert: 'string', setEncryptionPublicKey: 'string', setCert: 'string', setKey: 'string',
    setRelayState: 'string', setIssuer: 'string', setEncryptionAlgorithm: 'string',
  };
  const choices: Record<string, string[]> = { setSignatureAlgorithm: ['rsa-sha256', 'rsa-sha1'], setDigestAlgorithm: ['sha256', 'sha1'], setEncryptionAlgorithm: ['aes256-gcm', 'aes256-cbc'] };
  const setters: Record<string, (value: unknown) => void> = {};
  for (const [name, kind] of Object.entries(kinds)) {
    setters[name] = (value: unknown) => {
      const method = `samlResponse.${name}`;
      const fits = kind === 'strings' ? Array.isArray(value) && value.every((item) => typeof item === 'string') : kind === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === kind;
      if (!fits) throw new TypeError(`${method}: expected ${kind === 'strings' ? 'an array of strings' : `a ${kind}`}`);
      if (choices[name] && !choices[name].includes(value as string)) throw new TypeError(`${method}: expected one of ${choices[name].join(', ')}`);
      // Keys and certificates are recorded by name only.
      record(method, [name === 'setKey' ? '[key]' : value]);
      setKey(saml.settings, name.slice(3, 4).toLowerCase() + name.slice(4), name === 'setKey' ? '[key]' : value);
    };
  }
  setters.setAttribute = (attribute: unknown, value?: unknown) => {
    requireString('samlResponse.setAttribute', 'attribute', attribute);
    const scalar = (item: unknown) => ['string', 'number', 'boolean'].includes(typeof item);
    if (!(value === null || value === undefined || scalar(value) || (Array.isArray(value) && value.every(scalar)))) throw new TypeError('samlResponse.setAttribute: value must be a string, number, boolean, null or an array of them');
    record('samlResponse.setAttribute', [attribute, value]);
    if (value === null || value === undefined) delete saml.attributes[attribute];
    else setKey(saml.attributes, attribute, value);
  };
  return setters as unknown as SamlResponseAPI;
}

export function recordPostLoginApi(context: PostLoginContext = {}): Recording<PostLoginAPI, PostLoginState> {
  const calls: RecordedCall[] = [];
  const state: PostLoginState = {
    denied: null,
    appMetadata: {},
    userMetadata: {},
    idTokenClaims: {},
    accessTokenClaims: {},
    scopesAdded: [],
    scopesRemoved: [],
    validationError: null,
    redirect: null,
    multifactor: null,
    primaryUser: null,
    methodsRecorded: [],
    session: { metadata: {} },
    refreshToken: { metadata: {} },
    saml: { attributes: {}, settings: {} },
    prompt: null,
  };
  const record = (method: string, args: unknown[]) => calls.push({ method, args });
  const earliest = (current: number | undefined, next: number) => (current === undefined ? next : Math.min(current, next));
  const metadataMethods = (area: 'session' | 'refreshToken', target: { metadata: Record<string, string> }) => ({
    setMetadata(key: unknown, value: unknown) {
      requireString(`${area}.setMetadata`, 'key', key);
      if (value !== null && typeof value !== 'string') throw new TypeError(`${area}.setMetadata: value must be a string or null`);
      record(`${area}.setMetadata`, [key, value]);
      if (value === null) delete target.metadata[key];
      else setKey(target.metadata, key, value);
    },
    deleteMetadata(key: unknown) {
      requireString(`${area}.deleteMetadata`, 'key', key);
      record(`${area}.deleteMetadata`, [key]);
      delete target.metadata[key];
    },
    evictMetadata() {
      record(`${area}.evictMetadata`, []);
      for (const key of Object.keys(target.metadata)) delete target.metadata[key];
    },
  });
  const expiryMethods = (area: 'session' | 'refreshToken', target: { expiresAt?: number; idleExpiresAt?: number }) => ({
    setExpiresAt(absolute: unknown) {
      positiveTime(`${area}.setExpiresAt`, absolute);
      record(`${area}.setExpiresAt`, [absolute]);
      target.expiresAt = earliest(target.expiresAt, absolute);
    },
    setIdleExpiresAt(inactivity: unknown) {
      positiveTime(`${area}.setIdleExpiresAt`, inactivity);
      record(`${area}.setIdleExpiresAt`, [inactivity]);
      target.idleExpiresAt = earliest(target.idleExpiresAt, inactivity);
    },
  });
  const secondFactor = (method: string, factors: FactorSelector[]) => {
    record(method, [factors]);
    state.multifactor ??= { provider: 'any', options: { factors: factors.map((factor) => factor.type), enrollment: method.includes('enroll') } };
  };
  const claimSetter = (method: string, claims: Record<string, unknown>) => (name: string, value: unknown): PostLoginAPI => {
    requireString(method, 'name', name);
    checkJson(method, value);
    record(method, [name, value]);
    setKey(claims, name, stored(value));
    return api;
  };
  const api: PostLoginAPI = {
    access: {
      deny(reason) {
        requireString('access.deny', 'reason', reason);
        record('access.deny', [reason]);
        state.denied ??= { reason };
        return api;
      },
    },
    accessToken: {
      setCustomClaim: claimSetter('accessToken.setCustomClaim', state.accessTokenClaims),
      addScope(scope) {
        record('accessToken.addScope', [scope]);
        state.scopesAdded.push(scope);
        return api;
      },
      removeScope(scope) {
        record('accessToken.removeScope', [scope]);
        state.scopesRemoved.push(scope);
        return api;
      },
    },
    idToken: {
      setCustomClaim: claimSetter('idToken.setCustomClaim', state.idTokenClaims),
    },
    user: metadataSetters(() => api, record, state),
    cache: recordingCache(record, context.cache ?? {}, 900_000),
    validation: {
      error(code, message) {
        record('validation.error', [code, message]);
        state.validationError ??= { code, message };
        return api;
      },
    },
    authentication: {
      challengeWith(factor, options) {
        secondFactor('authentication.challengeWith', factorList('authentication.challengeWith', [factor, ...(options?.additionalFactors ?? [])]));
      },
      challengeWithAny(factors) {
        secondFactor('authentication.challengeWithAny', factorList('authentication.challengeWithAny', factors));
      },
      enrollWith(factor, options) {
        secondFactor('authentication.enrollWith', factorList('authentication.enrollWith', [factor, ...(options?.additionalFactors ?? [])]));
      },
      enrollWithAny(factors) {
        secondFactor('authentication.enrollWithAny', factorList('authentication.enrollWithAny', factors));
      },
      recordMethod(providerUrl) {
        absoluteUrl('authentication.recordMethod', providerUrl);
        if (!context.resuming) throw new TypeError('authentication.recordMethod: only available in onContinuePostLogin');
        record('authentication.recordMethod', [providerUrl]);
        state.methodsRecorded.push(providerUrl);
        return api;
      },
      setPrimaryUser(primaryUserId) {
        requireString('authentication.setPrimaryUser', 'primary_user_id', primaryUserId);
        record('authentication.setPrimaryUser', [primaryUserId]);
        state.primaryUser = primaryUserId;
      },
    },
    session: {
      revoke(reason, options) {
        requireString('session.revoke', 'reason', reason);
        record('session.revoke', [reason, options]);
        state.session.revoked ??= { reason, preserveRefreshTokens: options?.preserveRefreshTokens === true };
        // Revoking the session denies this login too.
        state.denied ??= { reason };
      },
      ...expiryMethods('session', state.session),
      setCookieMode(mode) {
        if (mode !== 'persistent' && mode !== 'non-persistent') throw new TypeError('session.setCookieMode: mode is persistent or non-persistent');
        record('session.setCookieMode', [mode]);
        state.session.cookieMode = mode;
      },
      ...metadataMethods('session', state.session),
    },
    refreshToken: {
      revoke(reason) {
        requireString('refreshToken.revoke', 'reason', reason);
        record('refreshToken.revoke', [reason]);
        state.refreshToken.revoked ??= reason;
        state.denied ??= { reason };
      },
      ...expiryMethods('refreshToken', state.refreshToken),
      ...metadataMethods('refreshToken', state.refreshToken),
    },
    samlResponse: samlSetters(record, state.saml),
    prompt: {
      render(promptId, options) {
        requireString('prompt.render', 'promptId', promptId);
        if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('prompt.render: options must be an object');
        record('prompt.render', [promptId, options]);
        state.prompt = { id: promptId, options: { ...(options ?? {}) } };
      },
    },
    rules: {
      wasExecuted(ruleId) {
        requireString('rules.wasExecuted', 'ruleId', ruleId);
        record('rules.wasExecuted', [ruleId]);
        // Rules are gone (Auth0 retired them): none ever runs in a transaction here.
        return false;
      },
    },
    multifactor: {
      enable(provider, options) {
        requireString('multifactor.enable', 'provider', provider);
        if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('multifactor.enable: options must be an object');
        record('multifactor.enable', [provider, options]);
        state.multifactor = { provider, options: { ...(options ?? {}) } };
        return api;
      },
    },
    redirect: {
      canRedirect() {
        record('redirect.canRedirect', []);
        return context.canRedirect === true;
      },
      sendUserTo(url, options) {
        absoluteUrl('redirect.sendUserTo', url);
        const query = options?.query ?? {};
        if (typeof query !== 'object' || query === null || Object.values(query).some((value) => typeof value !== 'string')) {
          throw new TypeError('redirect.sendUserTo: options.query must map names to strings');
        }
        record('redirect.sendUserTo', [url, options]);
        state.redirect = { url, query: { ...query } };
        return api;
      },
      encodeToken(options) {
        if (typeof options !== 'object' || options === null) throw new TypeError('redirect.encodeToken: options must be an object');
        requireString('redirect.encodeToken', 'secret', options.secret);
        if (typeof options.payload !== 'object' || options.payload === null) throw new TypeError('redirect.encodeToken: payload must be an object');
        const lifetime = options.expiresInSeconds ?? 900;
        if (!Number.isInteger(lifetime) || lifetime <= 0) throw new TypeError('redirect.encodeToken: expiresInSeconds must be a positive integer');
        record('redirect.encodeToken', [{ ...options, secret: '[secret]' }]);
        const iat = Math.floor(Date.now() / 1000);
        return signHs256({ ...options.payload, sub: context.userId, iss: context.tenantHost, ip: context.ip, iat, exp: iat + lifetime }, options.secret);
      },
      validateToken(options) {
        if (typeof options !== 'object' || options === null) throw new TypeError('redirect.validateToken: options must be an object');
        requireString('redirect.validateToken', 'secret', options.secret);
        const name = options.tokenParameterName ?? 'session_token';
        record('redirect.validateToken', [{ ...options, secret: '[secret]' }]);
        const source = { ...(context.request?.query ?? {}), ...(context.request?.body ?? {}) };
        const token = source[name];
        if (typeof token !== 'string') throw new TypeError(`redirect.validateToken: no "${name}" parameter in the request that resumed the login`);
        const claims = verifyHs256('redirect.validateToken', token, options.secret, Date.now());
        // The token must carry the state of the login it resumes.
        if (claims.state !== source.state) throw new TypeError('redirect.validateToken: the token\'s state does not match this login');
        return claims;
      },
    },
    transaction: {
      setMetadata(key, value) {
        requireString('transaction.setMetadata', 'key', key);
        if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) throw new TypeError('transaction.setMetadata: value must be a string, number, boolean or null');
        record('transaction.setMetadata', [key, value]);
        const metadata = context.transactionMetadata;
        if (!metadata) return;
        if (value === null) delete metadata[key];
        else setKey(metadata, key, value);
      },
    },
  };
  return { api, calls, state };
}

export function recordPreUserRegistrationApi(cache: CacheEntries = {}): Recording<PreUserRegistrationAPI, PreUserRegistrationState> {
  const calls: RecordedCall[] = [];
  const state: PreUserRegistrationState = { denied: null, appMetadata: {}, userMetadata: {}, validationError: null };
  const record = (method: string, args: unknown[]) => calls.push({ method, args });
  const api: PreUserRegistrationAPI = {
    access: {
      deny(reason, userMessage) {
        requireString('access.deny', 'reason', reason);
        requireString('access.deny', 'userMessage', userMessage);
        record('access.deny', [reason, userMessage]);
        state.denied ??= { reason, userMessage };
        return api;
      },
    },
    user: metadataSetters(() => api, record, state),
    validation: {
      error(code, message) {
        record('validation.error', [code, message]);
        state.validationError ??= { code, message };
        return api;
      },
    },
    cache: recordingCache(record, cache, 24 * 3_600_000),
  };
  return { api, calls, state };
}
