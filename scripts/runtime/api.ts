/**
 * Recording `api` objects for both triggers. Each call is checked the way Auth0 checks it (a misuse
 * throws a TypeError, as the real runtime fails the execution), appended to `calls` in order, and
 * folded into `state`: whether and why the flow was denied, the metadata written, the claims set.
 */
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

export function recordPostLoginApi(): Recording<PostLoginAPI, PostLoginState> {
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
        record('multifactor.enable', [provider, options]);
        return api;
      },
    },
    redirect: {
      sendUserTo(url, options) {
        record('redirect.sendUserTo', [url, options]);
        return api;
      },
      encodeToken(options) {
        record('redirect.encodeToken', [options]);
        return '';
      },
      validateToken(options) {
        record('redirect.validateToken', [options]);
        return {};
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
