/**
 * A login on the local tenant, step by step, in the order they happen — where the hosted pages end, where
 * each trigger's Actions run, where tokens are made — each naming the module (under src/) and the function,
 * route or callback that performs it. oidc-provider's own steps are in its `lib/actions/authorization/`.
 * This list is read by people; test/login-steps.test.ts checks that every name in it is still in its file.
 */
export interface LoginStep {
  /** A stable id. */
  id: string;
  /** What happens, for a person reading the login. */
  does: string;
  /** Where: a module under src/ and a name it declares (function, route path, callback). */
  by: Array<{ file: string; name: string }>;
}

/** An interactive login: the authorization code flow through the hosted pages (an app's "Log in"). */
export const CODE_FLOW: readonly LoginStep[] = [
  {
    id: 'authorize',
    does: 'The app sends the browser to /authorize; oidc-provider checks the client, its redirect_uri, PKCE and the response mode, and keeps Auth0\'s own parameters (audience, connection, screen_hint).',
    by: [{ file: 'oidc/provider.ts', name: 'createOidc' }, { file: 'oidc/provider.ts', name: 'AUTH0_PARAMS' }],
  },
  {
    id: 'login-page',
    does: 'Without a session (or with one that still owes a second factor), the login prompt sends the browser to the hosted login page (or straight to the signup page, or to one connection\'s page). The interaction is bound to the browser\'s device cookie: only that browser gets its pages, and every form carries a token.',
    by: [{ file: 'oidc/provider.ts', name: 'interactionUrl' }, { file: 'oidc/provider.ts', name: 'mfa_pending' }, { file: 'pages/binding.ts', name: 'bindInteraction' }, { file: 'pages/routes.ts', name: 'loginPage' }],
  },
  {
    id: 'authenticate',
    does: 'The user proves who they are, every value held to Auth0\'s length limits first: a password (brute-force protection per identifier and IP, suspicious IP throttling across identifiers), a signup (pre-user-registration Actions run before the user exists), the stand-in page of an upstream IdP (the connection\'s sync setting applies), or a one-time code (pre-user-registration at a first passwordless login).',
    by: [
      { file: 'limits.ts', name: 'attributeOverLimit' },
      { file: 'login.ts', name: 'authenticatePassword' },
      { file: 'throttle.ts', name: 'loginThrottled' },
      { file: 'api/signup.ts', name: 'signUp' },
      { file: 'api/upstream.ts', name: 'upstreamLogin' },
      { file: 'api/passwordless.ts', name: 'passwordlessLogin' },
    ],
  },
  {
    id: 'session',
    does: 'The hosted pages end: the interaction finishes with the account and how it was proven (amr), and oidc-provider makes the session.',
    by: [{ file: 'pages/routes.ts', name: 'finish' }],
  },
  {
    id: 'consent',
    does: 'First-party apps are not asked for consent (Auth0\'s default): the grant covers the OpenID scopes asked and the API scopes the audience defines.',
    by: [{ file: 'oidc/provider.ts', name: 'loadExistingGrant' }],
  },
  {
    id: 'post-login',
    does: 'The post-login Actions run once per authorization, in binding order, in the Actions runtime; the metadata they wrote is merged into the user and the login is logged. A deny ends the login with access_denied in the response mode.',
    by: [{ file: 'oidc/provider.ts', name: 'post_login' }, { file: 'login.ts', name: 'runPostLogin' }, { file: 'login.ts', name: 'runTrigger' }],
  },
  {
    id: 'post-login-redirect',
    does: 'An Action that redirects sends the browser to its site; /continue resumes the flow at its onContinuePostLogin.',
    by: [{ file: 'oidc/provider.ts', name: 'pendingLogin' }, { file: 'pages/routes.ts', name: '/continue' }],
  },
  {
    id: 'second-factor',
    does: 'An Action that asks for a second factor sends the browser to the code page; until the code is right the session counts for no app (any authorization on it asks for the login again), and wrong codes are limited per user.',
    by: [{ file: 'pages/routes.ts', name: '/u/mfa' }],
  },
  {
    id: 'code',
    does: 'oidc-provider sends the authorization code to the app\'s redirect_uri, in the request\'s response mode.',
    by: [{ file: 'oidc/provider.ts', name: 'responseTypes' }],
  },
  {
    id: 'token-endpoint',
    does: 'The app exchanges the code at /oauth/token: a JSON body is read as a form, oidc-provider authenticates the client and checks its grant_types, and refusals are answered in Auth0\'s words.',
    by: [{ file: 'server.ts', name: 'isTokenRequest' }, { file: 'oidc/token-endpoint.ts', name: 'asTokenRequest' }, { file: 'oidc/provider.ts', name: 'auth0TokenError' }],
  },
  {
    id: 'tokens',
    does: 'The ID token carries the profile claims of the scopes granted and the Actions\' ID-token claims; an API\'s access token is a JWT shaped like Auth0\'s with the Actions\' access-token claims.',
    by: [{ file: 'oidc/provider.ts', name: 'IdToken.prototype.payload' }, { file: 'oidc/provider.ts', name: 'extraTokenClaims' }, { file: 'oidc/provider.ts', name: 'customizers' }],
  },
  {
    id: 'refresh',
    does: 'A refresh-token exchange runs post-login again before the new tokens are made (Auth0 runs it there too).',
    by: [{ file: 'oidc/provider.ts', name: 'extraTokenClaims' }],
  },
];

/** A login without a browser: Auth0's own grants at /oauth/token. */
export const TOKEN_GRANTS: readonly LoginStep[] = [
  {
    id: 'client',
    does: 'oidc-provider authenticates the client and checks that its grant_types list the grant.',
    by: [{ file: 'oidc/provider.ts', name: 'oidcClient' }, { file: 'oidc/provider.ts', name: 'auth0TokenError' }],
  },
  {
    id: 'authenticate',
    does: 'The grant proves the user: password-realm and password by the password, passwordless/otp by the one-time code (the user made at the first login after pre-user-registration), the local upstream grant by the IdP\'s profile.',
    by: [{ file: 'oidc/grants.ts', name: 'passwordGrant' }, { file: 'oidc/grants.ts', name: 'PASSWORDLESS_OTP' }, { file: 'oidc/grants.ts', name: 'LOCAL_UPSTREAM' }],
  },
  {
    id: 'audience',
    does: 'An audience must name an API of the tenant; only the scopes it defines (and, with RBAC, the user\'s roles hold) are granted.',
    by: [{ file: 'oidc/grants.ts', name: 'apiAccess' }],
  },
  {
    id: 'post-login',
    does: 'The post-login Actions run as in the code flow; a deny answers 403 access_denied.',
    by: [{ file: 'oidc/grants.ts', name: 'issueUserTokens' }, { file: 'login.ts', name: 'runPostLogin' }],
  },
  {
    id: 'tokens',
    does: 'The tokens are made with oidc-provider\'s models, as the code flow makes them: a grant, the access token, a refresh token with offline_access, the ID token.',
    by: [{ file: 'oidc/grants.ts', name: 'issueUserTokens' }],
  },
  {
    id: 'client-credentials',
    does: 'client_credentials gives an app a token for an API its client grant names (or the Management API), with the scopes that grant holds.',
    by: [{ file: 'oidc/grants.ts', name: 'CLIENT_CREDENTIALS' }],
  },
];
