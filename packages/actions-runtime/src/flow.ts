/**
 * Runs one trigger's bound Actions in order over one event, as Auth0 does: each Action gets its own
 * recording `api`; a deny ends the flow after the Action that denied; a throw fails it; metadata written
 * by earlier Actions is visible to later ones in `event.user`, and all writes are merged at the first
 * level for the user after the flow; claims are collected for the tokens.
 */
import { liveEntries, recordPostLoginApi, recordPreUserRegistrationApi, type CacheEntries, type PostLoginContext, type PostLoginState, type RecordedCall } from './api';
import { resolveDependencies, type DeclaredDependency } from './dependencies';
import { loadInSandbox, thrownAt, type SandboxedModule } from './sandbox';

export type Trigger = 'post-login' | 'pre-user-registration';

/** A deployed Action as the runtime runs it. */
export interface DeployedAction {
  name: string;
  code: string;
  secrets: Record<string, string>;
  /** npm packages the action declares (installed in the runtime's dependency cache when it was built). */
  dependencies: DeclaredDependency[];
}

export interface FlowRequest {
  trigger: Trigger;
  actions: DeployedAction[];
  event: Record<string, unknown>;
  /** A fixed clock for tests (ms since the epoch). */
  fixedTime?: number;
  /**
   * A login that comes back from `api.redirect.sendUserTo` (`/continue`): the flow resumes at this
   * Action with its `onContinuePostLogin`, then runs the Actions after it.
   */
  resumeAt?: string;
  /** Whether the transaction can redirect the user (`api.redirect.canRedirect`): an interactive login. */
  canRedirect?: boolean;
  /** Each action's `api.cache` entries from earlier executions (the runtime keeps them). */
  caches?: Record<string, CacheEntries>;
}

/** What post-login Actions asked of the rest of the login beyond deny, claims and metadata. */
export type PostLoginEffects = Pick<PostLoginState, 'primaryUser' | 'methodsRecorded' | 'session' | 'refreshToken' | 'saml' | 'prompt'>;

export interface FlowResult {
  /** `redirected`: an Action sent the user elsewhere; the flow resumes at `/continue`. */
  outcome: 'completed' | 'denied' | 'failed' | 'redirected';
  /** Set when the flow failed: an Action threw or ran past the time limit. */
  failure?: {
    action: string;
    kind: 'error' | 'timeout';
    message: string;
    /** Where in the Action's code, as it ran, it threw. */
    at?: { line: number; column: number };
    /** The same place in the Action's source (`file:line:col`), where a source map knows it (the test kit). */
    source?: string;
  };
  denied?: { action: string; reason: string; userMessage?: string };
  /** `api.validation.error(code, message)` at pre-user-registration: the signup is refused with that message. */
  validation?: { action: string; code: string; message: string };
  redirect?: { action: string; url: string; query: Record<string, string> };
  /** The second factor an Action asked for (`api.multifactor.enable`). */
  multifactor?: { provider: string; options: Record<string, unknown> };
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  idTokenClaims: Record<string, unknown>;
  accessTokenClaims: Record<string, unknown>;
  calls: Array<RecordedCall & { action: string }>;
  logs: Array<{ action: string; line: string }>;
  /** post-login: the session, refresh-token, SAML, prompt and authentication requests of the flow. */
  effects?: PostLoginEffects;
  /** Each action's cache entries after the flow. */
  caches: Record<string, CacheEntries>;
}

const HANDLERS: Record<Trigger, string> = { 'post-login': 'onExecutePostLogin', 'pre-user-registration': 'onExecutePreUserRegistration' };

export function emptyResult(): FlowResult {
  return { outcome: 'completed', appMetadata: {}, userMetadata: {}, idTokenClaims: {}, accessTokenClaims: {}, calls: [], logs: [], caches: {} };
}

function set(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Modules by code, per process: module-level code runs once per instance, as in Node 22 Actions. */
const cache = new Map<string, SandboxedModule>();

/** What an Action threw, as one line: `Name: message` for an error of any realm, the value otherwise. */
function describeThrown(error: unknown): string {
  try {
    if (typeof error === 'object' && error !== null) {
      const { name, message } = error as { name?: unknown; message?: unknown };
      if (typeof message === 'string') return `${typeof name === 'string' ? name : 'Error'}: ${message}`;
    }
    return String(error);
  } catch {
    return 'an Action threw a value that cannot be shown';
  }
}

/** The name the Action's code runs under (stack frames name it). */
const codeFilename = (action: DeployedAction) => `actions/${action.name}.js`;

function load(action: DeployedAction, fixedTime: number | undefined, dependencyCache: string): SandboxedModule {
  const key = `${fixedTime ?? ''}\u0000${action.name}\u0000${JSON.stringify(action.dependencies)}\u0000${action.code}`;
  let module = cache.get(key);
  if (!module) {
    module = loadInSandbox(action.code, { filename: codeFilename(action), dependencies: resolveDependencies(dependencyCache, action.dependencies), fixedTime });
    if (cache.size > 50) cache.clear();
    cache.set(key, module);
  }
  return module;
}

/** What the post-login api reads of the event (user, tenant, ip, the request that resumed the login, the transaction's metadata). */
function postLoginContext(event: Record<string, unknown>) {
  const user = event.user as { user_id?: unknown } | undefined;
  const request = (event.request ?? {}) as { ip?: unknown; hostname?: unknown; query?: Record<string, unknown>; body?: Record<string, unknown> };
  const transaction = (typeof event.transaction === 'object' && event.transaction !== null ? event.transaction : (event.transaction = {})) as Record<string, unknown>;
  if (typeof transaction.metadata !== 'object' || transaction.metadata === null) transaction.metadata = {};
  return {
    userId: typeof user?.user_id === 'string' ? user.user_id : undefined,
    tenantHost: typeof request.hostname === 'string' ? request.hostname : undefined,
    ip: typeof request.ip === 'string' ? request.ip : undefined,
    request: { query: request.query, body: request.body },
    transactionMetadata: transaction.metadata as Record<string, unknown>,
  };
}

function emptyEffects(): PostLoginEffects {
  return { primaryUser: null, methodsRecorded: [], session: { metadata: {} }, refreshToken: { metadata: {} }, saml: { attributes: {}, settings: {} }, prompt: null };
}

/** Later Actions' requests win, as Auth0 applies them in order; expiries keep the earliest. */
function mergeEffects(into: PostLoginEffects, state: PostLoginState): void {
  const earliest = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  into.primaryUser = state.primaryUser ?? into.primaryUser;
  into.methodsRecorded.push(...state.methodsRecorded);
  // The session and the refresh token merge alike: later settings win, expiries keep the earliest, the first revocation stays.
  const merged = <T extends { expiresAt?: number; idleExpiresAt?: number; metadata: Record<string, string>; revoked?: unknown }>(before: T, next: T): T => ({
    ...before,
    ...next,
    expiresAt: earliest(before.expiresAt, next.expiresAt),
    idleExpiresAt: earliest(before.idleExpiresAt, next.idleExpiresAt),
    metadata: { ...before.metadata, ...next.metadata },
    ...(before.revoked ? { revoked: before.revoked } : {}),
  });
  into.session = merged(into.session, state.session);
  into.refreshToken = merged(into.refreshToken, state.refreshToken);
  into.saml = { attributes: { ...into.saml.attributes, ...state.saml.attributes }, settings: { ...into.saml.settings, ...state.saml.settings } };
  into.prompt = state.prompt ?? into.prompt;
}

/**
 * The api as the Action's realm sees it: a misuse throws that realm's TypeError (so `error instanceof
 * TypeError` holds in the Action, as on Auth0), and chained calls return the same wrapped api.
 */
function inRealm(api: Record<string, unknown>, RealmTypeError: TypeErrorConstructor): Record<string, unknown> {
  const wrapped: Record<string, unknown> = {};
  const wrap = (fn: (...args: unknown[]) => unknown, self: unknown) => (...args: unknown[]) => {
    try {
      const value = fn.apply(self, args);
      return value === api ? wrapped : value;
    } catch (error) {
      if (error instanceof TypeError) throw new RealmTypeError(error.message);
      throw error;
    }
  };
  for (const [area, members] of Object.entries(api)) {
    if (typeof members !== 'object' || members === null) continue;
    const copy: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(members)) copy[name] = typeof member === 'function' ? wrap(member as (...args: unknown[]) => unknown, members) : member;
    wrapped[area] = copy;
  }
  return wrapped;
}

export interface FlowHooks {
  /** Where declared dependencies are installed. */
  dependencyCache: string;
  /** Told before each Action runs (the runtime names it if the flow runs out of time there). */
  onAction?: (name: string) => void;
}

export async function runFlow(request: FlowRequest, hooks: FlowHooks): Promise<FlowResult> {
  const result = emptyResult();
  const event = structuredClone(request.event);
  const user = (typeof event.user === 'object' && event.user !== null ? event.user : {}) as Record<string, unknown>;
  const start = request.resumeAt === undefined ? 0 : request.actions.findIndex((action) => action.name === request.resumeAt);
  if (start < 0) {
    result.outcome = 'failed';
    result.failure = { action: request.resumeAt ?? '', kind: 'error', message: 'Error: the Action this login was to resume in is no longer bound' };
    return result;
  }
  for (const [index, action] of request.actions.entries()) {
    if (index < start) continue;
    const resuming = request.resumeAt !== undefined && index === start;
    const cache = liveEntries(request.caches?.[action.name] ?? {}, Date.now());
    result.caches[action.name] = cache;
    const apiContext: PostLoginContext = request.trigger === 'post-login' ? { ...postLoginContext(event), canRedirect: request.canRedirect === true, resuming, cache } : {};
    const recording = request.trigger === 'post-login' ? recordPostLoginApi(apiContext) : recordPreUserRegistrationApi(cache);
    let logs: string[] = [];
    hooks.onAction?.(action.name);
    try {
      const module = load(action, request.fixedTime, hooks.dependencyCache);
      const handler = module.exports[resuming ? 'onContinuePostLogin' : HANDLERS[request.trigger]];
      if (typeof handler === 'function') {
        // The event in the Action's own realm, as Auth0 hands it over; transaction metadata written now is live in it.
        const actionEvent: Record<string, unknown> = module.realm.adopt({ ...event, secrets: { ...action.secrets }, configuration: {} });
        const transaction = actionEvent.transaction as { metadata?: Record<string, unknown> } | undefined;
        if (transaction?.metadata && apiContext.transactionMetadata) apiContext.transactionMetadata = transaction.metadata;
        const api = inRealm(recording.api as unknown as Record<string, unknown>, module.realm.TypeError);
        try {
          ({ logs } = await module.withLogs(async () => (handler as (e: unknown, a: unknown) => unknown)(actionEvent, api)));
        } finally {
          // Later Actions of the transaction see its metadata as this one left it.
          if (transaction?.metadata && apiContext.transactionMetadata) (event.transaction as Record<string, unknown>).metadata = JSON.parse(JSON.stringify(transaction.metadata)) as unknown;
        }
      }
    } catch (error) {
      result.outcome = 'failed';
      const at = thrownAt(error, codeFilename(action));
      result.failure = { action: action.name, kind: 'error', message: describeThrown(error), ...(at ? { at } : {}) };
    }
    for (const line of logs) result.logs.push({ action: action.name, line });
    for (const call of recording.calls) result.calls.push({ ...call, action: action.name });
    const { state } = recording;
    for (const [key, value] of Object.entries(state.appMetadata)) set(result.appMetadata, key, value);
    for (const [key, value] of Object.entries(state.userMetadata)) set(result.userMetadata, key, value);
    // Later Actions see what earlier ones wrote.
    user.app_metadata = { ...((user.app_metadata as object | undefined) ?? {}), ...state.appMetadata };
    user.user_metadata = { ...((user.user_metadata as object | undefined) ?? {}), ...state.userMetadata };
    if ('idTokenClaims' in state) {
      Object.assign(result.idTokenClaims, state.idTokenClaims);
      Object.assign(result.accessTokenClaims, state.accessTokenClaims);
      mergeEffects((result.effects ??= emptyEffects()), state);
    }
    if (result.outcome === 'failed') break;
    if (state.denied) {
      result.outcome = 'denied';
      result.denied = { action: action.name, ...state.denied };
      break;
    }
    if (request.trigger === 'pre-user-registration' && state.validationError) {
      result.outcome = 'denied';
      result.validation = { action: action.name, ...state.validationError };
      break;
    }
    if ('multifactor' in state && state.multifactor) result.multifactor = state.multifactor;
    if ('redirect' in state && state.redirect) {
      // The rest of the flow waits for /continue.
      result.outcome = 'redirected';
      result.redirect = { action: action.name, ...state.redirect };
      break;
    }
  }
  return result;
}
