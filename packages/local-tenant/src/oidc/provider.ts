/**
 * The login protocol of the local tenant, on panva's certified OpenID Provider (oidc-provider 9),
 * configured with Auth0's routes and shapes: issuer `https://DOMAIN/`, `/authorize`, `/oauth/token` (every
 * grant: oidc-provider's authorization_code and refresh_token, Auth0's own registered in grants.ts), `/userinfo`,
 * `/.well-known/*`, `/oidc/logout`, `/oauth/revoke`. The hosted pages (pages/) authenticate; the
 * post-login Actions run in an interaction-policy check, once per authorization, so a deny reaches the
 * app as `access_denied` in the request's response mode, as Auth0 does.
 *
 * oidc-provider is ESM-only: it is imported when a tenant starts, never by modules Jest loads.
 */
import { createPrivateKey } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { default as ProviderType, Configuration, KoaContextWithOIDC, ClientMetadata, Account } from 'oidc-provider';
import { authMethod } from '../api/clients';
import { BASE_HEADERS, PAGE_HEADERS } from '../http';
import { escape, page } from '../pages/html';
import type { FlowResult } from '@auth0-root-attributes/actions-runtime';
import { failureDescription, primaryUserOf, profileClaims, recordLoginOutcome, requestInfo, resolveUser, runPostLogin, type LoginContext } from '../login';
import type { LoginOutcome, PendingLogin, StoredClient, StoredUser } from '../state';
import { stateAdapter } from './adapter';
import { rememberGrantOf } from './userinfo';
import { bindInteraction } from '../pages/binding';
import { GRANT_LIFETIME_S } from '../records';
import { findAudience } from '../api/resource-servers';
import { AUTH0_GRANTS, grantableScopes, LOCAL_UPSTREAM, registerAuth0Grants, resourceServerInfo } from './grants';

type OidcModule = typeof import('oidc-provider');

export interface Oidc {
  provider: ProviderType;
  handle(request: IncomingMessage, response: ServerResponse): void;
}

/** Auth0's profile scopes and the claims each releases. */
const CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'family_name', 'given_name', 'middle_name', 'nickname', 'picture', 'updated_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number'],
};

/** Auth0's authorization parameters beyond OpenID Connect's, accepted and kept for the hosted pages. */
const AUTH0_PARAMS = ['audience', 'auth0Client', 'connection', 'screen_hint', 'organization', 'invitation'];

const ROUTES = {
  authorization: '/authorize',
  token: '/oauth/token',
  userinfo: '/userinfo',
  jwks: '/.well-known/jwks.json',
  end_session: '/oidc/logout',
  revocation: '/oauth/revoke',
  pushed_authorization_request: '/oauth/par',
} as const;

/** What Auth0's discovery document lists beyond what oidc-provider derives (docs: configure-applications-with-oidc-discovery). */
const AUTH0_DISCOVERY = {
  scopes_supported: ['openid', 'profile', 'offline_access', 'name', 'given_name', 'family_name', 'nickname', 'email', 'email_verified', 'picture', 'created_at', 'identities', 'phone', 'address'],
  claims_supported: ['aud', 'auth_time', 'created_at', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'identities', 'iss', 'name', 'nickname', 'phone_number', 'picture', 'sub'],
  // The grants this tenant answers at /oauth/token: oidc-provider's and Auth0's own.
  grant_types_supported: ['authorization_code', 'refresh_token', ...AUTH0_GRANTS],
  request_parameter_supported: false,
  request_uri_parameter_supported: false,
};

const SESSION_LIFETIME_S = 3 * 86_400;
/** How long a login may wait at the hosted pages (each `/authorize` starts one; at most MAX_INTERACTIONS live, adapter.ts). */
const INTERACTION_LIFETIME_S = 3_600;

const OIDC_PATHS = new Set<string>([...Object.values(ROUTES), '/.well-known/openid-configuration']);

/** Whether oidc-provider serves this path (the hand-written routes serve the rest); known without loading it. */
export function servesOidc(path: string): boolean {
  return OIDC_PATHS.has(path) || path.startsWith(`${ROUTES.authorization}/`) || path.startsWith(`${ROUTES.end_session}/`);
}

function validUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The grants oidc-provider answers for a client: its own two, and Auth0's registered in grants.ts. */
const SUPPORTED_GRANTS = new Set<string>(['authorization_code', 'refresh_token', ...AUTH0_GRANTS]);

/**
 * Every client as oidc-provider sees it, so that one token endpoint authenticates each and checks its
 * `grant_types`: those of Auth0's this tenant answers (the code flow only with a callback to return to).
 * Callbacks and logout URLs come from the client a0deploy deployed; a public client (SPA, native) uses
 * PKCE without a secret. A client that may use the code flow may also use the local IdP stand-in's grant.
 */
export function oidcClient(client: StoredClient): ClientMetadata {
  const redirects = client.callbacks.filter(validUrl);
  const codeFlow = client.grant_types.includes('authorization_code') && redirects.length > 0;
  const grants = client.grant_types.filter((grant) => SUPPORTED_GRANTS.has(grant) && (grant !== 'authorization_code' || codeFlow));
  const method = authMethod(client);
  return {
    client_id: client.client_id,
    ...(method === 'none' ? {} : { client_secret: client.client_secret }),
    client_name: client.name,
    redirect_uris: codeFlow ? redirects : [],
    post_logout_redirect_uris: (client.allowed_logout_urls ?? []).filter(validUrl),
    grant_types: [...new Set([...grants, ...(codeFlow ? [LOCAL_UPSTREAM] : [])])],
    response_types: codeFlow ? ['code'] : [],
    token_endpoint_auth_method: method as ClientMetadata['token_endpoint_auth_method'],
    web_origins: (client.web_origins ?? []).filter(validUrl),
  };
}

function userById(context: LoginContext, id: string): StoredUser | undefined {
  return resolveUser(context.store, id);
}

/** The connection a user signs in with: the identity Auth0 lists first. */
function connectionOf(context: LoginContext, user: StoredUser) {
  const name = user.identities[0]?.connection;
  return context.store.state.connections.find((connection) => connection.name === name);
}

function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escape(title)}</h1>\n<p role="alert">${escape(message)}</p>`);
}

/** `event.transaction` of an authorization, from the request oidc-provider parsed. */
function transactionOf(ctx: KoaContextWithOIDC) {
  const params = ctx.oidc.params ?? {};
  const text = (name: string) => (typeof params[name] === 'string' ? (params[name] as string) : undefined);
  return {
    protocol: 'oidc-basic-profile',
    requested_scopes: (text('scope') ?? '').split(' ').filter(Boolean),
    redirect_uri: text('redirect_uri'),
    response_mode: text('response_mode') ?? 'query',
    response_type: (text('response_type') ?? 'code').split(' '),
    state: text('state'),
    prompt: text('prompt')?.split(' '),
    login_hint: text('login_hint'),
    ui_locales: text('ui_locales')?.split(' ') ?? [],
    locale: 'en',
  };
}

/**
 * Imports oidc-provider. On Node 20 it warns at import that it prefers Node 22 LTS; it works there
 * (the tests run on 20), so that line is left out of every command's output: `npm run tenant` and
 * the README say it once, in their words.
 */
/**
 * Two token-endpoint refusals answered as Auth0 answers them, not as oidc-provider does: a client that did
 * not authenticate (no secret, a wrong one) gets 401 `access_denied` "Unauthorized" (node-auth0 issues #582
 * and #682 show it for the password and client-credentials grants), and a client using a grant its
 * `grant_types` lacks gets 403 `unauthorized_client` (auth0-java issue #165).
 */
function auth0TokenError(ctx: KoaContextWithOIDC): void {
  const body = ctx.body as { error?: unknown } | undefined;
  if (ctx.status === 401 && body?.error === 'invalid_client') {
    ctx.body = { error: 'access_denied', error_description: 'Unauthorized' };
    return;
  }
  const grant = ctx.oidc?.params?.grant_type;
  const client = ctx.oidc?.client;
  // A Basic header oidc-provider cannot read (400 before any client is known) is a failed authentication too.
  if (ctx.status === 400 && body?.error === 'invalid_request' && !client && ctx.get('authorization') !== '') {
    ctx.status = 401;
    ctx.body = { error: 'access_denied', error_description: 'Unauthorized' };
    return;
  }
  if (ctx.status === 400 && body?.error === 'invalid_request' && client && typeof grant === 'string' && SUPPORTED_GRANTS.has(grant) && !client.grantTypeAllowed(grant)) {
    ctx.status = 403;
    ctx.body = { error: 'unauthorized_client', error_description: `Grant type '${grant}' not allowed for the client.`, error_uri: 'https://auth0.com/docs/clients/client-grant-types' };
  }
}

/**
 * The one page that must be framed: the `web_message` answer (spa-js's silent login runs in a hidden iframe).
 * oidc-provider removes the page headers from it; only the application's own origins may frame it — its
 * Allowed Web Origins and the origin it asked the answer to be posted to (Auth0 checks that one against them).
 */
function allowWebMessageFraming(ctx: KoaContextWithOIDC): void {
  if (ctx.response.get('x-frame-options') || !ctx.response.is('html')) return;
  const client = ctx.oidc?.client as unknown as { web_origins?: string[]; redirectUris?: string[] } | undefined;
  const asked = ctx.oidc?.params?.redirect_uri;
  const origins = new Set<string>();
  for (const url of [...(client?.web_origins ?? []), ...(typeof asked === 'string' && (client?.redirectUris ?? []).includes(asked) ? [asked] : [])]) {
    try {
      origins.add(new URL(url).origin);
    } catch {
      // Not a URL: no origin to allow.
    }
  }
  ctx.set('content-security-policy', `frame-ancestors ${origins.size ? [...origins].join(' ') : "'none'"}`);
}

async function importProvider(): Promise<OidcModule> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider WARNING: Unsupported runtime')) return;
    warn(...args);
  };
  try {
    return (await import('oidc-provider')) as OidcModule;
  } finally {
    console.warn = warn;
  }
}

export async function createOidc(context: LoginContext, issuer: string, interactionUrl: (uid: string) => string): Promise<Oidc> {
  const { Provider, errors, interactionPolicy } = await importProvider();
  const { store } = context;

  // Asked for offline_access in this request: oidc-provider keeps it only with prompt=consent, which
  // spa-js never sends; Auth0 issues a refresh token whenever the client may have one.
  // Kept with the interaction (a record that expires with it), so the login pages' later requests see it.
  const askedOffline = (ctx: KoaContextWithOIDC) => ctx.state.offlineAccess === true || store.records.get('offlineAccess', ctx.oidc.entities.Interaction?.uid ?? '') !== undefined;

  async function findAccount(_ctx: unknown, sub: string): Promise<Account | undefined> {
    const user = userById(context, sub);
    // A blocked user is no account: `/userinfo` refuses their tokens, a refresh fails.
    if (!user || user.blocked) return undefined;
    return {
      accountId: sub,
      // A login whose identity was linked into another user speaks for that (primary) user.
      claims: async (_use, scope) => ({ sub: user.user_id, ...profileClaims(userById(context, sub) ?? user, new Set((scope ?? '').split(' '))) }),
    };
  }

  const privateJwk = createPrivateKey(store.state.idTokenKey.privatePem).export({ format: 'jwk' });

  const policy = interactionPolicy.base();
  // A session whose login still owes the second factor an Action asked for proves nothing: every
  // authorization on it — another app's silent one too — asks for the login again (with prompt=none,
  // `login_required`), until the factor is done (pages/routes.ts clears the mark).
  policy.get('login')?.checks.add(new interactionPolicy.Check('mfa_pending', 'a second factor is still owed', 'login_required', (ctx) => {
    const uid = ctx.oidc.session?.uid;
    return uid && store.records.get('mfaPending', uid) !== undefined ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
  }));
  policy.add(
    new interactionPolicy.Prompt(
      { name: 'post_login', requestable: false },
      new interactionPolicy.Check('actions', 'the post-login Actions', 'interaction_required', async (ctx) => {
        const uid = ctx.oidc.entities.Interaction?.uid;
        const pending = uid ? store.records.get<PendingLogin>('pendingLogin', uid) : undefined;
        const back = ctx.oidc.result?.post_login as { continued?: boolean; request?: Record<string, unknown>; mfa?: boolean } | undefined;
        if (pending && uid) store.records.delete('pendingLogin', uid);
        // Back from a second factor: the Actions already ran.
        if (pending?.kind === 'mfa' && back?.mfa === true) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        const outcome = await postLogin(ctx, {
          accountId: ctx.oidc.session?.accountId,
          grantId: ctx.oidc.grant?.jti,
          refresh: false,
          ...(pending?.kind === 'redirect' && back?.continued ? { resumeAt: pending.action, continueRequest: back.request } : {}),
        });
        if (outcome.outcome === 'redirected' && outcome.redirect) {
          ctx.state.pendingLogin = { kind: 'redirect', action: outcome.redirect.action, url: outcome.redirect.url, query: outcome.redirect.query };
          return interactionPolicy.Check.REQUEST_PROMPT;
        }
        if (outcome.multifactor) {
          const user = userById(context, ctx.oidc.session?.accountId ?? '');
          if (!user?.email) throw new errors.AccessDenied('multifactor authentication needs an e-mail address for the one-time code');
          const session = ctx.oidc.session;
          if (session?.uid) store.records.put('mfaPending', session.uid, { accountId: session.accountId }, Date.now() + SESSION_LIFETIME_S * 1000);
          ctx.state.pendingLogin = { kind: 'mfa', email: user.email };
          return interactionPolicy.Check.REQUEST_PROMPT;
        }
        return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      }),
    ),
  );

  /**
   * Runs post-login for an authorization, or for a refresh-token exchange (Auth0 runs it there too); a
   * deny or a failure ends either with access_denied. Records the claims the Actions set for the grant.
   */
  async function postLogin(ctx: KoaContextWithOIDC, login: { accountId: string | undefined; grantId: string | undefined; refresh: boolean; resumeAt?: string; continueRequest?: Record<string, unknown> }): Promise<FlowResult> {
    const { oidc } = ctx;
    const user = userById(context, login.accountId ?? '');
    const client = store.state.clients.find((candidate) => candidate.client_id === oidc.client?.clientId);
    const connection = user && connectionOf(context, user);
    if (!user || !client || !connection) throw new errors.AccessDenied('the user or the application no longer exists');
    if (user.blocked) throw new errors.AccessDenied('user is blocked');
    const headers = ctx.headers as Record<string, string | string[] | undefined>;
    const amr = (oidc.session?.amr as string[] | undefined) ?? (login.refresh ? [] : ['pwd']);
    const loginTs = Number((oidc.session as unknown as { loginTs?: number } | undefined)?.loginTs ?? Math.floor(Date.now() / 1000));
    const audience = typeof oidc.params?.audience === 'string' ? oidc.params.audience : undefined;
    const transaction = login.refresh
      ? { protocol: 'oauth2-refresh-token', requested_scopes: String(oidc.entities.RefreshToken?.scope ?? '').split(' ').filter(Boolean) }
      : transactionOf(ctx);
    const result = await runPostLogin(context, {
      user, connection, client,
      // Back from a redirect, `event.request` is the /continue request.
      request: login.continueRequest ?? { ...requestInfo(headers, {}), ip: ctx.ip, method: ctx.method, hostname: context.domain(), query: { ...ctx.query } },
      ...(login.resumeAt ? { resumeAt: login.resumeAt } : {}),
      transaction,
      methods: amr.map((name) => ({ name, timestamp: new Date(loginTs * 1000).toISOString() })),
      ...(oidc.session?.jti ? { session: { id: oidc.session.jti } } : {}),
      ...(audience ? { resourceServer: { identifier: audience } } : {}),
      countsAsLogin: !login.refresh,
      canRedirect: !login.refresh && oidc.params?.prompt !== 'none',
    });
    if (result.outcome === 'failed') throw new errors.AccessDenied(failureDescription(result));
    const primary = primaryUserOf(store, user, result);
    if ('refused' in primary) throw new errors.AccessDenied(primary.refused);
    if (result.outcome === 'denied') throw new errors.AccessDenied(result.denied?.reason ?? 'Access denied');
    if (result.outcome === 'redirected' && login.refresh) throw new errors.AccessDenied(`The ${result.redirect?.action ?? ''} Action redirects, which a refresh-token exchange cannot do`);
    if (login.grantId) recordLoginOutcome(store, login.grantId, result);
    return result;
  }

  const configuration: Configuration = {
    adapter: stateAdapter(store, (id) => {
      const client = store.state.clients.find((candidate) => candidate.client_id === id);
      return client && (oidcClient(client) as Record<string, unknown>);
    }) as unknown as Configuration['adapter'],
    findAccount,
    jwks: { keys: [{ ...privateJwk, kid: store.state.idTokenKey.kid, alg: 'RS256', use: 'sig' } as never] },
    // The session cookie is SameSite=None, as Auth0's `auth0` cookie is: what POST /authorize needs, and what
    // lets an http:// app's silent login reach it.
    cookies: { keys: [store.state.signingSecret], long: { sameSite: 'none' } },
    claims: CLAIMS,
    conformIdTokenClaims: false,
    extraParams: AUTH0_PARAMS,
    extraClientMetadata: { properties: ['web_origins'] },
    clientBasedCORS(_ctx, origin, client) {
      const origins = (client as unknown as { web_origins?: string[] }).web_origins ?? [];
      return origins.some((allowed) => new URL(allowed).origin === origin) || (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin && client.clientAuthMethod === 'none');
    },
    responseTypes: ['code'],
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    routes: ROUTES,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      webMessageResponseMode: { enabled: true, ack: 'individual-draft-01' },
      resourceIndicators: {
        enabled: true,
        // Auth0 names the API with `audience`; spa-js does not repeat it at the token endpoint.
        defaultResource: (ctx) => (typeof ctx.oidc.params?.audience === 'string' ? ctx.oidc.params.audience : undefined) as string,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          const server = findAudience(store, indicator, context.domain());
          if (!server) throw new errors.InvalidTarget(`Service not found: ${indicator}`);
          return resourceServerInfo(server);
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          // Auth0 asks nothing at logout: the form submits itself (and is a button without JavaScript).
          ctx.body = page('Signing out', `<h1>Signing out</h1>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Continue</button><script>document.forms['op.logoutForm'].insertAdjacentHTML('beforeend','<input type=hidden name=logout value=yes>');document.forms['op.logoutForm'].submit()</script>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Signed out', '<h1>Signed out</h1><p>You are signed out of the local tenant.</p>');
        },
      },
    },
    interactions: {
      policy,
      url: (ctx, interaction) => {
        // A redirect Action sends the browser to its site with the login's state; a second factor to its page.
        const pending = ctx.state.pendingLogin as { kind: 'redirect'; action: string; url: string; query: Record<string, string> } | { kind: 'mfa'; email: string } | undefined;
        if (interaction.prompt.name !== 'post_login' || !pending) return interactionUrl(interaction.uid);
        // As long as the interaction it waits in lives.
        const expiresAt = (interaction.exp ?? Math.floor(Date.now() / 1000) + INTERACTION_LIFETIME_S) * 1000;
        if (pending.kind === 'mfa') {
          const user = userById(context, interaction.session?.accountId ?? '');
          store.records.put('pendingLogin', interaction.uid, { kind: 'mfa', email: pending.email, connection: user?.identities[0]?.connection ?? '', attempts: 0, expiresAt } satisfies PendingLogin, expiresAt);
          return `/u/mfa?state=${encodeURIComponent(interaction.uid)}`;
        }
        store.records.put('pendingLogin', interaction.uid, { kind: 'redirect', action: pending.action, expiresAt } satisfies PendingLogin, expiresAt);
        const target = new URL(pending.url);
        for (const [name, value] of Object.entries(pending.query)) target.searchParams.set(name, value);
        target.searchParams.set('state', interaction.uid);
        return target.href;
      },
    },
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      const accountId = oidc.session?.accountId;
      const clientId = oidc.client?.clientId;
      if (!accountId || !clientId) return undefined;
      if (askedOffline(ctx) && oidc.client?.grantTypeAllowed('refresh_token') && !/\boffline_access\b/.test(oidc.params?.scope as string ?? '')) {
        oidc.params!.scope = `${oidc.params?.scope ?? ''} offline_access`.trim();
      }
      // First-party applications are not asked for consent (Auth0's default): the grant covers what was asked.
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
      const grant = (grantId ? await oidc.provider.Grant.find(grantId) : undefined) ?? new oidc.provider.Grant({ accountId, clientId });
      const scopes = [...oidc.requestParamOIDCScopes];
      if (scopes.length) grant.addOIDCScope(scopes.join(' '));
      const claims = oidc.requestParamClaims ? [...oidc.requestParamClaims] : [];
      if (claims.length) grant.addOIDCClaims(claims);
      const asked = oidc.requestParamScopes;
      for (const indicator of Object.keys(oidc.resourceServers ?? {})) {
        const server = findAudience(store, indicator, context.domain());
        const allowed = server ? grantableScopes(store, server, accountId, asked) : [];
        if (allowed.length) grant.addResourceScope(indicator, allowed.join(' '));
      }
      await grant.save();
      return grant;
    },
    rotateRefreshToken: () => true,
    // OpenID Connect's authorization endpoint takes POST as well as GET (Core §3.1.2.1).
    enableHttpPostMethods: true,
    // The Actions' access-token claims, for the grant's latest login (restricted names already left out).
    // At a refresh-token exchange, post-login runs first (oidc-provider has no other hook there: the
    // access token is minted before the ID token, so both carry what the Actions set now).
    extraTokenClaims: async (ctx, token) => {
      const grantId = (token as { grantId?: string }).grantId;
      const refresh = ctx?.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'refresh_token' && token.kind === 'AccessToken';
      if (refresh) await postLogin(ctx, { accountId: (token as { accountId?: string }).accountId, grantId, refresh: true });
      return grantId ? store.records.get<LoginOutcome>('loginOutcome', grantId)?.accessTokenClaims : undefined;
    },
    formats: {
      customizers: {
        // Auth0's access-token profile: typ JWT, azp, no client_id or jti; the OpenID scopes granted are
        // listed beside the API's, and with openid the token reaches /userinfo too.
        jwt: (ctx, token, jwt) => {
          const { client_id: clientId, jti: _jti, ...payload } = jwt.payload as Record<string, unknown>;
          rememberGrantOf(store, payload, clientId, (token as { grantId?: string }).grantId);
          const source = ctx?.oidc.entities.AuthorizationCode ?? ctx?.oidc.entities.RefreshToken;
          // Auth0's own grants (grants.ts) have no code or refresh token to read the OpenID scopes from.
          const granted = source?.scope ?? (typeof ctx?.state.grantedOidcScope === 'string' ? ctx.state.grantedOidcScope : '');
          const openid = String(granted).split(' ').filter((scope) => scope in CLAIMS || scope === 'offline_access');
          const scopes = [...new Set([...openid, ...String(payload.scope ?? '').split(' ').filter(Boolean)])];
          const audience = payload.aud;
          jwt.header = { typ: 'JWT' };
          jwt.payload = {
            ...payload,
            scope: scopes.join(' '),
            azp: clientId,
            aud: scopes.includes('openid') && typeof audience === 'string' ? [audience, `${issuer}userinfo`] : audience,
          };
        },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage('Something went wrong', `${String(out.error)}: ${String(out.error_description ?? '')}`);
    },
    ttl: {
      AccessToken: 86_400,
      AuthorizationCode: 60,
      IdToken: 36_000,
      Interaction: INTERACTION_LIFETIME_S,
      Session: SESSION_LIFETIME_S,
      Grant: GRANT_LIFETIME_S,
      RefreshToken: 30 * 86_400,
    },
  };

  const provider = new Provider(issuer, configuration);
  registerAuth0Grants(provider, context, errors, findAccount);

  provider.use(async (ctx, next) => {
    ctx.set({ ...BASE_HEADERS, ...PAGE_HEADERS });
    if (ctx.path.startsWith(ROUTES.authorization)) {
      const scope = ctx.path === ROUTES.authorization ? ctx.query.scope : undefined;
      if (typeof scope === 'string' && scope.split(' ').includes('offline_access')) ctx.state.offlineAccess = true;
      await next();
      allowWebMessageFraming(ctx as KoaContextWithOIDC);
      return;
    }
    if (ctx.path === '/.well-known/openid-configuration') {
      await next();
      if (ctx.status === 200 && typeof ctx.body === 'object' && ctx.body !== null) {
        const body = ctx.body as Record<string, unknown>;
        ctx.body = { ...body, ...AUTH0_DISCOVERY, claims_supported: [...new Set([...AUTH0_DISCOVERY.claims_supported, ...((body.claims_supported as string[] | undefined) ?? [])])] };
      }
      return;
    }
    if (ctx.path === ROUTES.token) {
      await next();
      auth0TokenError(ctx as KoaContextWithOIDC);
      return;
    }
    await next();
    // A method oidc-provider has no route for (GET /oauth/token): answered in JSON as every other refusal.
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 405;
      ctx.body = { error: 'invalid_request', error_description: `${ctx.method} is not supported on ${ctx.path}` };
    }
  });
  // A 5xx from oidc-provider is a bug of this tenant: say what failed (messages carry no secret).
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) => console.error('local tenant: login side error', error));
  provider.on('interaction.started', (ctx: KoaContextWithOIDC) => {
    const interaction = ctx.oidc.entities.Interaction;
    if (!interaction?.uid) return;
    const expiresAt = (interaction.exp ?? Math.floor(Date.now() / 1000) + INTERACTION_LIFETIME_S) * 1000;
    bindInteraction(store, ctx.cookies, interaction.uid, expiresAt);
    if (ctx.state.offlineAccess === true) store.records.put('offlineAccess', interaction.uid, true, expiresAt);
  });

  // Custom claims of the grant's latest login: into the ID token (restricted names left out, as Auth0 does).
  const originalPayload = provider.IdToken.prototype.payload;
  provider.IdToken.prototype.payload = async function payload(this: InstanceType<typeof provider.IdToken> & { ctx?: KoaContextWithOIDC }) {
    const claims = (await originalPayload.call(this)) as Record<string, unknown>;
    const entities = this.ctx?.oidc.entities;
    const grantId = entities?.AuthorizationCode?.grantId ?? entities?.RefreshToken?.grantId ?? entities?.Grant?.jti;
    const outcome = grantId ? store.records.get<LoginOutcome>('loginOutcome', grantId) : undefined;
    return outcome ? { ...claims, ...outcome.idTokenClaims } : claims;
  } as typeof originalPayload;

  const callback = provider.callback();
  return { provider, handle: (request, response) => callback(request, response) };
}
