/**
 * Recording `api` objects for both triggers. Each call is checked the way Auth0 checks it (a misuse
 * throws a TypeError, as the real runtime fails the execution), appended to `calls` in order, and
 * folded into `state`: whether and why the flow was denied, the metadata written, the claims set.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PostLoginAPI } from '../../actions/types/post-login';
import type { PreUserRegistrationAPI } from '../../actions/types/pre-user-registration';
import type { CacheAPI } from '../../actions/types/common';

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
  /** `api.multifactor.enable`: the second factor the login must pass after the flow. */
  multifactor: { provider: string; options: Record<string, unknown> } | null;
}

/** What the redirect helpers read of the event: who logs in, from where, and the /continue request. */
export interface RedirectContext {
  userId?: string;
  tenantHost?: string;
  ip?: string;
  /** The query and body of the request that resumed the login (`/continue`), for validateToken. */
  request?: { query?: Record<string, unknown>; body?: Record<string, unknown> };
}

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

function recordingCache(record: (method: string, args: unknown[]) => void): CacheAPI {
  const entries = new Map<string, { value: string; expires_at: number }>();
  return {
    get(key) {
      record('cache.get', [key]);
      return entries.get(key);
    },
    set(key, value, options) {
      record('cache.set', [key, value, options]);
      const entry = { value, expires_at: options?.expires_at ?? Date.now() + (options?.ttl ?? 900_000) };
      entries.set(key, entry);
      return { type: 'success', record: entry };
    },
    delete(key) {
      record('cache.delete', [key]);
      const entry = entries.get(key);
      entries.delete(key);
      return entry ? { type: 'success', record: entry } : { type: 'error', code: 'NOT_FOUND' };
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

export function recordPostLoginApi(context: RedirectContext = {}): Recording<PostLoginAPI, PostLoginState> {
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
  };
  const record = (method: string, args: unknown[]) => calls.push({ method, args });
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
    cache: recordingCache(record),
    validation: {
      error(code, message) {
        record('validation.error', [code, message]);
        state.validationError ??= { code, message };
        return api;
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
        record('transaction.setMetadata', [key, value]);
        return api;
      },
    },
  };
  return { api, calls, state };
}

export function recordPreUserRegistrationApi(): Recording<PreUserRegistrationAPI, PreUserRegistrationState> {
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
    cache: recordingCache(record),
  };
  return { api, calls, state };
}
