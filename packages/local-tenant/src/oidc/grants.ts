/**
 * Auth0's own grants, registered on oidc-provider so that one token endpoint decides every grant: the
 * provider authenticates the client (its secret, or none for a public client), checks the client's
 * `grant_types`, parses form and JSON bodies alike, and answers errors in one shape; the handlers here
 * prove the user (password, one-time code, the local IdP stand-in), run post-login, and make the tokens
 * with the provider's own models — so the ID token, the access token (an API's JWT with the Actions'
 * claims, or an opaque one for `/userinfo`) and the refresh token are those the code flow makes.
 *
 * client_credentials is here too: its tokens are the ones the Management API accepts (tokens.ts).
 */
import type { Account, default as ProviderType, KoaContextWithOIDC } from 'oidc-provider';
import { MANAGEMENT_API_PATH } from '../scopes';
import { findAudience, findResourceServer } from '../api/resource-servers';
import { passwordlessLogin } from '../api/passwordless';
import { upstreamLogin } from '../api/upstream';
import { BLOCKED_MESSAGE } from '../brute-force';
import { SUSPICIOUS_MESSAGE } from '../throttle';
import { authenticatePassword, failureDescription, findConnection, primaryUserOf, recordLoginOutcome, requestInfo, roleNames, runPostLogin, tenantKind, type LoginContext } from '../login';
import type { StateStore, StoredClient, StoredConnection, StoredResourceServer, StoredUser } from '../state';
import { ACCESS_TOKEN_LIFETIME_S, issueAccessToken } from '../tokens';

type OidcErrors = typeof import('oidc-provider')['errors'];

export const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';
export const PASSWORD = 'password';
export const PASSWORDLESS_OTP = 'http://auth0.com/oauth/grant-type/passwordless/otp';
export const CLIENT_CREDENTIALS = 'client_credentials';
/** LOCAL ONLY: a login through an upstream IdP without its pages (`POST /local/upstream-login`). */
export const LOCAL_UPSTREAM = 'urn:local-tenant:grant-type:upstream-login';

/** The grants this module answers, as a client's `grant_types` names them. */
export const AUTH0_GRANTS = [PASSWORD_REALM, PASSWORD, PASSWORDLESS_OTP, CLIENT_CREDENTIALS] as const;

/** The OpenID scopes an ID token or `/userinfo` answers for; an API's scopes come from the API. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'phone', 'address', 'offline_access']);

/** What `getResourceServerInfo` tells oidc-provider of an API, so its access tokens are the API's JWTs. */
export function resourceServerInfo(server: StoredResourceServer) {
  return {
    scope: server.scopes.map((scope) => scope.value).join(' '),
    audience: server.identifier,
    accessTokenTTL: server.token_lifetime,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: 'RS256' as const } },
  };
}

/**
 * The scopes of an API a user may be granted: those asked for that the API defines, and with RBAC on
 * (`enforce_policies`), only those the user's roles hold — for every grant and the code flow alike.
 */
export function grantableScopes(store: StateStore, server: StoredResourceServer, userId: string, asked: Iterable<string>): string[] {
  const defined = new Set(server.scopes.map((scope) => scope.value));
  const scopes = [...asked].filter((scope) => defined.has(scope));
  if (server.fields.enforce_policies !== true) return scopes;
  const roles = new Set(roleNames(store, userId));
  const held = new Set((store.state.roles ?? []).filter((role) => roles.has(role.name)).flatMap((role) => role.permissions.filter((permission) => permission.resource_server_identifier === server.identifier).map((permission) => permission.permission_name)));
  return scopes.filter((scope) => held.has(scope));
}

/** Auth0's token-endpoint errors: `{ error, error_description }` with its status (oidc-provider's default is 400). */
function oauthError(errors: OidcErrors, status: number, error: string, description: string): Error {
  const failure = new errors.CustomOIDCProviderError(error, description);
  return Object.assign(failure, { status, statusCode: status, expose: true });
}

/** A user whose identity a grant proved, and how. */
interface ProvenLogin {
  user: StoredUser;
  connection: StoredConnection;
  /** `event.authentication.methods[].name` and the access token's `gty`. */
  method: 'pwd' | 'email' | 'federated';
  /** `event.transaction.protocol`. */
  protocol: string;
}

/** The account a subject stands for, as the provider's `findAccount` gives it. */
type FindAccount = (ctx: KoaContextWithOIDC, sub: string) => Promise<Account | undefined>;

export function registerAuth0Grants(provider: ProviderType, context: LoginContext, errors: OidcErrors, findAccount: FindAccount): void {
  const { store } = context;
  const fail = (status: number, error: string, description: string) => oauthError(errors, status, error, description);
  const text = (ctx: KoaContextWithOIDC, name: string) => {
    const value = ctx.oidc.params?.[name];
    return typeof value === 'string' ? value : undefined;
  };
  const storedClient = (ctx: KoaContextWithOIDC): StoredClient => {
    const client = store.state.clients.find((candidate) => candidate.client_id === ctx.oidc.client?.clientId);
    if (!client) throw fail(401, 'access_denied', 'Unauthorized');
    return client;
  };
  const headersOf = (ctx: KoaContextWithOIDC) => ctx.headers as Record<string, string | string[] | undefined>;
  const oidcClientOf = (ctx: KoaContextWithOIDC) => {
    if (!ctx.oidc.client) throw fail(401, 'access_denied', 'Unauthorized');
    return ctx.oidc.client;
  };

  /** The API an `audience` names, with the scopes this login may have of it; Auth0 refuses an audience it does not know. */
  function apiAccess(ctx: KoaContextWithOIDC, user: StoredUser, asked: readonly string[]) {
    const audience = text(ctx, 'audience');
    if (audience === undefined || audience === '') return undefined;
    const server = findAudience(store, audience, context.domain());
    if (!server) throw fail(403, 'access_denied', `Service not found: ${audience}`);
    return { server, scopes: grantableScopes(store, server, user.user_id, asked) };
  }

  /**
   * What every user grant shares once the identity is proven: post-login over the login, then the tokens
   * (or the Actions' denial as `access_denied`), made as oidc-provider makes them for the code flow.
   */
  async function issueUserTokens(ctx: KoaContextWithOIDC, login: ProvenLogin): Promise<void> {
    const client = storedClient(ctx);
    const asked = (text(ctx, 'scope') ?? 'openid').split(' ').filter(Boolean);
    // An unknown audience fails before anything runs, as Auth0 checks it first.
    const api = apiAccess(ctx, login.user, asked);
    if (login.user.blocked) throw fail(401, 'unauthorized', 'user is blocked');
    const result = await runPostLogin(context, {
      user: login.user, connection: login.connection, client,
      request: { ...requestInfo(headersOf(ctx), {}), ip: ctx.ip },
      transaction: { protocol: login.protocol, requested_scopes: asked },
      methods: [{ name: login.method, timestamp: new Date().toISOString() }],
      ...(api ? { resourceServer: { identifier: api.server.identifier } } : {}),
    });
    if (result.outcome === 'failed') throw fail(403, 'access_denied', failureDescription(result));
    if (result.outcome === 'denied') throw fail(403, 'access_denied', result.denied?.reason ?? 'Access denied');
    // These grants have no browser to send anywhere (Auth0: redirects work in interactive logins only).
    if (result.outcome === 'redirected') throw fail(403, 'access_denied', `The ${result.redirect?.action ?? ''} Action redirects, which this grant cannot do`);
    const subject = primaryUserOf(store, login.user, result);
    if ('refused' in subject) throw fail(403, 'access_denied', subject.refused);
    // A second factor asked for: no token until it is done. Auth0 then hands out an `mfa_token` for its MFA API,
    // which the local tenant does not have: the error alone says why (FIDELITY.md).
    if (result.multifactor) throw fail(403, 'mfa_required', 'Multifactor authentication required');

    const oidcScope = asked.filter((scope) => OIDC_SCOPES.has(scope));
    const grant = new provider.Grant({ accountId: subject.user_id, clientId: client.client_id });
    grant.addOIDCScope(oidcScope.join(' '));
    if (api) grant.addResourceScope(api.server.identifier, api.scopes.join(' '));
    const grantId = await grant.save();
    recordLoginOutcome(store, grantId, result);
    ctx.oidc.entity('Grant', grant);
    const account = await findAccount(ctx, subject.user_id);
    if (!account) throw fail(403, 'access_denied', 'the user no longer exists');
    ctx.oidc.entity('Account', account);

    const gty = login.method === 'pwd' ? 'password' : login.method === 'email' ? 'passwordless' : 'federated';
    const at = new provider.AccessToken({ accountId: subject.user_id, client: oidcClientOf(ctx), grantId, gty });
    if (api) {
      at.resourceServer = new provider.ResourceServer(api.server.identifier, resourceServerInfo(api.server));
      at.scope = api.scopes.join(' ');
    } else {
      at.scope = oidcScope.join(' ');
    }
    ctx.state.grantedOidcScope = oidcScope.join(' ');
    ctx.oidc.entity('AccessToken', at);
    const accessToken = await at.save();

    // A refresh token when asked for (offline_access), when the client may use one, and for an API that allows it.
    let refreshToken: string | undefined;
    if (oidcScope.includes('offline_access') && ctx.oidc.client?.grantTypeAllowed('refresh_token') && (!api || api.server.allow_offline_access)) {
      const rt = new provider.RefreshToken({
        accountId: subject.user_id, client: oidcClientOf(ctx), grantId, gty, rotations: 0,
        scope: [...oidcScope, ...(api?.scopes ?? [])].join(' '),
        ...(api ? { resource: api.server.identifier } : {}),
        amr: [login.method], authTime: Math.floor(Date.now() / 1000),
      });
      ctx.oidc.entity('RefreshToken', rt);
      refreshToken = await rt.save();
    }

    let idToken: string | undefined;
    if (oidcScope.includes('openid')) {
      const token = new provider.IdToken({ ...(await account.claims('id_token', oidcScope.join(' '), {}, [])), amr: [login.method], auth_time: Math.floor(Date.now() / 1000) }, { ctx });
      Object.assign(token, { scope: oidcScope.join(' '), mask: {}, rejected: [] });
      idToken = await token.issue({ use: 'idtoken' });
    }
    ctx.body = {
      access_token: accessToken,
      ...(idToken ? { id_token: idToken } : {}),
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope: [...oidcScope, ...(api?.scopes ?? [])].join(' '),
      expires_in: at.expiration,
      token_type: 'Bearer',
    };
  }

  /** password-realm and password: a database user's e-mail (or username) and password. */
  async function passwordGrant(ctx: KoaContextWithOIDC, connection: StoredConnection | undefined): Promise<void> {
    const client = storedClient(ctx);
    if (!connection || tenantKind(connection) !== 'database') throw fail(400, 'invalid_request', 'realm must be a database connection');
    const user = await authenticatePassword(store, connection, text(ctx, 'username'), text(ctx, 'password'), { client, headers: headersOf(ctx), ip: ctx.ip });
    if (user === 'blocked' || user === 'throttled') throw fail(429, 'too_many_attempts', user === 'blocked' ? BLOCKED_MESSAGE : SUSPICIOUS_MESSAGE);
    if (!user) throw fail(403, 'invalid_grant', 'Wrong email or password.');
    await issueUserTokens(ctx, { user, connection, method: 'pwd', protocol: 'oauth2-password' });
  }

  provider.registerGrantType(PASSWORD_REALM, (ctx) => passwordGrant(ctx, findConnection(store, text(ctx, 'realm'))), ['username', 'password', 'realm', 'scope', 'audience']);

  provider.registerGrantType(PASSWORD, (ctx) => {
    // Auth0 uses the tenant's default directory; the local tenant has no tenant settings yet, so its one database connection.
    const databases = store.state.connections.filter((connection) => tenantKind(connection) === 'database');
    if (databases.length !== 1) throw fail(400, 'invalid_request', 'Authorization server not configured with default connection.');
    return passwordGrant(ctx, databases[0]);
  }, ['username', 'password', 'scope', 'audience']);

  provider.registerGrantType(PASSWORDLESS_OTP, async (ctx) => {
    const client = storedClient(ctx);
    const connection = findConnection(store, text(ctx, 'realm'));
    if (!connection || tenantKind(connection) !== 'passwordless') throw fail(400, 'invalid_request', 'realm must be a passwordless connection');
    const email = (text(ctx, 'username') ?? '').trim().toLowerCase();
    const outcome = await passwordlessLogin(context, connection, client, email, text(ctx, 'otp'), headersOf(ctx), ctx.ip);
    if (!outcome.ok) throw fail(outcome.status, outcome.error, outcome.description);
    await issueUserTokens(ctx, { user: outcome.user, connection, method: 'email', protocol: 'oauth2-password' });
  }, ['username', 'otp', 'realm', 'scope', 'audience']);

  provider.registerGrantType(LOCAL_UPSTREAM, async (ctx) => {
    const connection = findConnection(store, text(ctx, 'connection'));
    if (!connection || tenantKind(connection) !== 'upstream') throw fail(400, 'invalid_request', 'connection must name an upstream connection (social, enterprise, or custom DB with an external store)');
    let profile: unknown;
    try {
      profile = JSON.parse(text(ctx, 'profile') ?? '{}');
    } catch {
      throw fail(400, 'invalid_request', 'profile must be a JSON object');
    }
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) throw fail(400, 'invalid_request', 'profile must be a JSON object');
    const outcome = upstreamLogin(context, connection, profile as Record<string, unknown>);
    if (!outcome.ok) throw fail(outcome.status, outcome.error, outcome.description);
    await issueUserTokens(ctx, { user: outcome.user, connection, method: 'federated', protocol: 'oidc-basic-profile' });
  }, ['connection', 'profile', 'scope', 'audience']);

  provider.registerGrantType(CLIENT_CREDENTIALS, async (ctx) => {
    const client = storedClient(ctx);
    const issuer = provider.issuer;
    const management = `${issuer}${MANAGEMENT_API_PATH}`;
    const audience = text(ctx, 'audience') || management;
    // The tenant's own Management API is stored as `api/v2/`, whatever the port; other APIs by identifier.
    const api = audience === management ? undefined : findResourceServer(store, audience);
    if (audience !== management && !api) throw fail(403, 'access_denied', `Service not enabled within domain: ${audience}`);
    const grant = store.state.clientGrants.find((candidate) => candidate.client_id === client.client_id && candidate.audience === (api ? audience : MANAGEMENT_API_PATH));
    if (!grant) throw fail(403, 'access_denied', `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API.`);
    // A `scope` parameter asks for part of what the grant allows (Auth0 ignores what it does not).
    const asked = text(ctx, 'scope');
    const wanted = asked === undefined ? undefined : new Set(asked.split(' '));
    const scope = grant.scope.filter((name) => wanted === undefined || wanted.has(name)).join(' ');
    const lifetime = api?.token_lifetime ?? ACCESS_TOKEN_LIFETIME_S;
    const accessToken = await issueAccessToken(store.state, { iss: issuer, sub: `${client.client_id}@clients`, aud: audience, azp: client.client_id, scope, gty: 'client-credentials' }, lifetime);
    ctx.body = { access_token: accessToken, scope, expires_in: lifetime, token_type: 'Bearer' };
  }, ['audience', 'scope']);
}
