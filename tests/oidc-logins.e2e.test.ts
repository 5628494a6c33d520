/**
 * Real logins: an application built on the unmodified openid-client (in a child process) signs users in
 * to the local tenant by the authorization code flow with PKCE, the browser side driven over HTTP
 * through the hosted pages. The project's built Actions run inside the flow: their sources reach the
 * app in the ID token, a deny reaches it as `access_denied`, and sessions, refresh tokens, userinfo and
 * logout behave as Auth0's.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { alertsOf, arrivedAt, formsOf, managementApi, pageOf, protectedRoutes, raw, spawnLocalTenant, UserAgent, type ManagementApi, type TenantProcess } from '@auth0-root-attributes/local-tenant';
import { seedProjectTenant } from './support/seed';
import { RelyingPartyError, startRelyingParty, type RelyingParty } from './support/rp/relying-party';

jest.setTimeout(120_000);

const SOURCES = 'https://example.com/root_attribute_sources';
const CALLBACK = 'https://127.0.0.1:4431/callback';
const LOGGED_OUT = 'https://127.0.0.1:4431/signed-out';
const PASSWORD = 'correct horse battery staple';
const APP = 'https://127.0.0.1:4431/';
const TERMS = 'https://127.0.0.1:4431/terms';
const TERMS_SECRET = 'a secret the app and the Action share';

let tenant: TenantProcess;
let api: ManagementApi;
let rp: RelyingParty;
let clientId: string;

interface Tokens {
  tokens: { access_token: string; id_token: string; refresh_token?: string; scope?: string };
  claims: Record<string, unknown>;
}

/** The project's Actions and the shipped connections, and a team's own Actions after them. */
async function seed(): Promise<void> {
  await seedProjectTenant(api, [
    // A team's own Actions beside them: one refuses one user, one checks nicknames at signup.
    { name: 'refuse-mallory', trigger: 'post-login', code: "exports.onExecutePostLogin = async (event, api) => { if (event.user.email === 'mallory@example.com') api.access.deny('Mallory may not sign in here.'); };" },
    { name: 'team-signup-rule', trigger: 'pre-user-registration', code: "exports.onExecutePreUserRegistration = async (event, api) => { if (/[0-9]/.test(event.user.nickname ?? '')) api.validation.error('invalid_nickname', 'Pick a nickname without digits.'); };" },
    // One that stops refresh-token exchanges for a user an admin flagged (post-login runs there too).
    { name: 'refuse-flagged-refresh', trigger: 'post-login', code: "exports.onExecutePostLogin = async (event, api) => { if (event.transaction.protocol === 'oauth2-refresh-token' && event.user.app_metadata.no_refresh) api.access.deny('Refresh is off for this user.'); };" },
    // A terms page on the app's site: a redirect Action with a signed token each way, resumed at /continue.
    {
      name: 'accept-terms',
      trigger: 'post-login',
      secrets: [{ name: 'TERMS_SECRET', value: TERMS_SECRET }],
      code: `
exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.email.startsWith('terms-') || event.user.app_metadata.terms_accepted) return;
  const token = api.redirect.encodeToken({ secret: event.secrets.TERMS_SECRET, payload: { purpose: 'terms' }, expiresInSeconds: 60 });
  api.redirect.sendUserTo('${TERMS}', { query: { session_token: token } });
};
exports.onContinuePostLogin = async (event, api) => {
  const answer = api.redirect.validateToken({ secret: event.secrets.TERMS_SECRET, tokenParameterName: 'answer' });
  api.user.setAppMetadata('terms_accepted', answer.accepted === true);
  api.idToken.setCustomClaim('https://example.com/terms', answer.accepted === true);
};`,
    },
    { name: 'second-factor', trigger: 'post-login', code: "exports.onExecutePostLogin = async (event, api) => { if (event.user.app_metadata.mfa === true) api.multifactor.enable('any'); };" },
    // Claims a team adds: a namespaced one, and one Auth0 restricts (silently left out).
    { name: 'team-claims', trigger: 'post-login', code: "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('https://example.com/team', 'identity'); api.idToken.setCustomClaim('roles', ['admin']); api.accessToken.setCustomClaim('https://example.com/tier', 'gold'); api.accessToken.setCustomClaim('gty', 'forged'); };" },
    { name: 'explode', trigger: 'post-login', code: "exports.onExecutePostLogin = async (event) => { if (event.user.email === 'boom@example.com') throw new Error('the loyalty service is down'); };" },
  ]);
  const app = await api.call('POST', '/api/v2/clients', {
    name: 'Sample web app', app_type: 'regular_web', callbacks: [CALLBACK], allowed_logout_urls: [LOGGED_OUT],
    grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'client_secret_post',
  });
  expect(app.status).toBe(201);
  const created = app.body as { client_id: string; client_secret: string };
  clientId = created.client_id;
  rp = await startRelyingParty('openid-client-rp.ts', tenant.caPath);
  expect(await rp.call('init', { issuer: `https://${tenant.domain}/`, clientId, clientSecret: created.client_secret })).toEqual({ issuer: `https://${tenant.domain}/` });
}

beforeAll(async () => {
  tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'oidc-logins-')) });
  api = await managementApi(tenant);
  await seed();
});
afterAll(async () => {
  await rp?.close();
  await tenant?.close();
});

/** Starts a login at the app: the URL openid-client builds, opened by the browser. */
async function startLogin(browser: UserAgent, params: Record<string, string> = {}) {
  const { url } = await rp.call<{ url: string }>('authorize', { redirectUri: CALLBACK, params });
  return browser.open(url, CALLBACK);
}

const finish = (url: string) => rp.call<Tokens>('callback', { url });

async function callbackError(url: string): Promise<RelyingPartyError> {
  try {
    await finish(url);
  } catch (error) {
    if (error instanceof RelyingPartyError) return error;
    throw error;
  }
  throw new Error('the callback was accepted');
}

async function signUp(browser: UserAgent, fields: Record<string, string>, params: Record<string, string> = {}) {
  const signupPage = pageOf(await startLogin(browser, { screen_hint: 'signup', ...params }));
  expect(signupPage.url).toContain('/u/signup?state=');
  return browser.submit(signupPage, CALLBACK, { password: PASSWORD, ...fields });
}

async function logIn(browser: UserAgent, email: string, extra: Record<string, string> = {}) {
  const loginPage = pageOf(await startLogin(browser, extra));
  return browser.submit(loginPage, CALLBACK, { username: email, password: PASSWORD }, 'Continue');
}

describe('database users through the hosted pages', () => {
  it('signs up on the signup page, then the app gets tokens whose claims record the sources as signup', async () => {
    const browser = new UserAgent(tenant.ca);
    const { claims, tokens } = await finish(arrivedAt(await signUp(browser, { email: 'ada@example.com', given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace' })));
    expect(claims).toMatchObject({ iss: `https://${tenant.domain}/`, aud: clientId, email: 'ada@example.com', name: 'Ada Lovelace', given_name: 'Ada' });
    expect(claims[SOURCES]).toEqual({ name: 'signup', given_name: 'signup', family_name: 'signup', nickname: 'signup', picture: 'signup' });
    // userinfo with the access token the app got
    expect(await rp.call('userinfo', { accessToken: tokens.access_token, sub: claims.sub })).toMatchObject({ sub: claims.sub, email: 'ada@example.com', name: 'Ada Lovelace' });
    // a later login by password, in a new browser
    const again = await finish(arrivedAt(await logIn(new UserAgent(tenant.ca), 'ada@example.com')));
    expect(again.claims.sub).toBe(claims.sub);
    expect(again.claims[SOURCES]).toMatchObject({ name: 'signup' });
  });

  it('keeps a denied signup on the signup page with the Action message, and creates nobody', async () => {
    const browser = new UserAgent(tenant.ca);
    const page = pageOf(await signUp(browser, { email: 'spam@example.com', given_name: 'Buy', family_name: 'Now', name: 'Visit www.cheap-pills.example' }));
    expect(page.status).toBe(400);
    expect(page.url).toContain('/u/signup');
    expect(alertsOf(page).join(' ')).toMatch(/web address/i);
    expect(formsOf(page)[0]?.fields).toMatchObject({ email: 'spam@example.com', given_name: 'Buy' });
    expect(page.body).not.toContain(PASSWORD);
    expect(tenant.state().users.some((user) => user.email === 'spam@example.com')).toBe(false);
  });

  it('shows the message of api.validation.error on the signup page', async () => {
    const page = pageOf(await signUp(new UserAgent(tenant.ca), { email: 'digits@example.com', given_name: 'Dee', family_name: 'Gits', nickname: 'dee42' }));
    expect(page.status).toBe(400);
    expect(alertsOf(page)).toEqual(['Pick a nickname without digits.']);
    expect(tenant.state().users.some((user) => user.email === 'digits@example.com')).toBe(false);
  });

  it('shows a wrong password on the login page, as Auth0 words it', async () => {
    const browser = new UserAgent(tenant.ca);
    const loginPage = pageOf(await startLogin(browser));
    const page = pageOf(await browser.submit(loginPage, CALLBACK, { username: 'ada@example.com', password: 'not the password' }, 'Continue'));
    expect(alertsOf(page)).toEqual(['Wrong email or password.']);
    expect(formsOf(page)[0]?.fields.username).toBe('ada@example.com');
  });

  it('brings a post-login deny to the app as access_denied with the Action reason, and issues nothing', async () => {
    const browser = new UserAgent(tenant.ca);
    await finish(arrivedAt(await signUp(browser, { email: 'mallory-to-be@example.com', given_name: 'Mal', family_name: 'Lory' })));
    // Mallory signs up; the team's Action refuses her at the login that follows the signup.
    const denied = arrivedAt(await signUp(new UserAgent(tenant.ca), { email: 'mallory@example.com', given_name: 'Mallory', family_name: 'Example' }));
    const url = new URL(denied);
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('error_description')).toBe('Mallory may not sign in here.');
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('code')).toBeNull();
    const error = await callbackError(denied);
    expect(error.details).toMatchObject({ error: 'access_denied', error_description: 'Mallory may not sign in here.' });
  });
});

describe('an upstream identity provider, through its stand-in page', () => {
  it('records a first Google login as idp, then a Management API change of the picture as management_api', async () => {
    const browser = new UserAgent(tenant.ca);
    const idpPage = pageOf(await startLogin(browser, { connection: 'google-oauth2' }));
    expect(idpPage.url).toContain('/u/upstream?state=');
    expect(idpPage.body).toContain('on_first_login');
    const first = await finish(arrivedAt(await browser.submit(idpPage, CALLBACK, {
      user_id: '104200000000000000001', email: 'grace@example.com', name: 'Grace Hopper', given_name: 'Grace', family_name: 'Hopper', nickname: 'grace', picture: 'https://lh3.googleusercontent.com/a/grace',
    }, 'Continue as this user')));
    expect(first.claims).toMatchObject({ sub: 'google-oauth2|104200000000000000001', name: 'Grace Hopper' });
    expect(first.claims[SOURCES]).toEqual({ name: 'idp', given_name: 'idp', family_name: 'idp', nickname: 'idp', picture: 'idp' });

    const patched = await api.call('PATCH', `/api/v2/users/${encodeURIComponent('google-oauth2|104200000000000000001')}`, { picture: 'https://lh3.googleusercontent.com/a/grace-2026' });
    expect(patched.status).toBe(200);
    // A new login (prompt=login: the session exists) picks the saved Google user.
    const again = pageOf(await startLogin(browser, { connection: 'google-oauth2', prompt: 'login' }));
    const next = await finish(arrivedAt(await browser.submit(again, CALLBACK, {}, 'grace@example.com')));
    expect(next.claims.picture).toBe('https://lh3.googleusercontent.com/a/grace-2026');
    expect(next.claims[SOURCES]).toMatchObject({ picture: 'management_api', name: 'idp' });
  });
});

describe('sessions', () => {
  it('signs in again silently with prompt=none, refreshes with rotation, and logs out through /v2/logout', async () => {
    const browser = new UserAgent(tenant.ca);
    const first = await finish(arrivedAt(await signUp(browser, { email: 'katherine@example.com', given_name: 'Katherine', family_name: 'Johnson' }, { scope: 'openid profile email offline_access' })));
    expect(first.claims.email).toBe('katherine@example.com');

    // Silent authentication: no page, a code straight back (the post-login Actions run again).
    const silent = await finish(arrivedAt(await startLogin(browser, { prompt: 'none', scope: 'openid profile email offline_access' })));
    expect(silent.claims.sub).toBe(first.claims.sub);
    expect(silent.claims[SOURCES]).toMatchObject({ given_name: 'signup' });
    expect(silent.tokens.refresh_token).toEqual(expect.any(String));

    const refreshed = await rp.call<Tokens>('refresh', { refreshToken: silent.tokens.refresh_token });
    expect(refreshed.tokens.refresh_token).toEqual(expect.any(String));
    expect(refreshed.tokens.refresh_token).not.toBe(silent.tokens.refresh_token);
    expect(refreshed.claims).toMatchObject({ sub: first.claims.sub, email: 'katherine@example.com' });
    // post-login runs at the exchange, as Auth0 runs it: a deny there refuses the refresh, and it is not a login.
    const logins = tenant.state().users.find((user) => user.email === 'katherine@example.com')?.logins_count;
    expect((await api.call('PATCH', `/api/v2/users/${encodeURIComponent(String(first.claims.sub))}`, { app_metadata: { no_refresh: true } })).status).toBe(200);
    await expect(rp.call('refresh', { refreshToken: refreshed.tokens.refresh_token })).rejects.toMatchObject({ details: { error: 'access_denied', error_description: 'Refresh is off for this user.' } });
    expect(tenant.state().users.find((user) => user.email === 'katherine@example.com')?.logins_count).toBe(logins);
    // A rotated-out refresh token is refused.
    await expect(rp.call('refresh', { refreshToken: silent.tokens.refresh_token })).rejects.toMatchObject({ details: { error: 'invalid_grant' } });

    // A returnTo that is not an allowed logout URL is refused; an allowed one ends the session.
    const refused = pageOf(await browser.open(`https://${tenant.domain}/v2/logout?client_id=${clientId}&returnTo=${encodeURIComponent('https://evil.example/')}`, LOGGED_OUT));
    expect(refused.status).toBe(400);
    const logout = await browser.open(`https://${tenant.domain}/v2/logout?client_id=${clientId}&returnTo=${encodeURIComponent(LOGGED_OUT)}&federated`, LOGGED_OUT);
    const signOut = 'page' in logout ? await browser.submit(logout.page, LOGGED_OUT, { logout: 'yes' }) : logout;
    expect(arrivedAt(signOut)).toBe(LOGGED_OUT);

    // After logout, silent authentication fails as login_required, and a login shows the page again.
    const after = new URL(arrivedAt(await startLogin(browser, { prompt: 'none' })));
    expect(after.searchParams.get('error')).toBe('login_required');
    expect(pageOf(await startLogin(browser)).url).toContain('/u/login?state=');
  });

  it('issues an access token shaped like Auth0\'s for an API named by audience, which /userinfo accepts too', async () => {
    const identifier = 'https://api.example.com/orders';
    expect((await api.call('POST', '/api/v2/resource-servers', { name: 'Orders', identifier, scopes: [{ value: 'read:orders', description: 'Read orders' }] })).status).toBe(201);
    const browser = new UserAgent(tenant.ca);
    const loginPage = pageOf(await startLogin(browser, { audience: identifier, scope: 'openid profile email read:orders' }));
    const { tokens, claims } = await finish(arrivedAt(await browser.submit(loginPage, CALLBACK, { username: 'ada@example.com', password: PASSWORD }, 'Continue')));
    const [header, payload] = tokens.access_token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    expect(payload).toMatchObject({ iss: `https://${tenant.domain}/`, sub: claims.sub, aud: [identifier, `https://${tenant.domain}/userinfo`], azp: clientId });
    expect(String(payload?.scope).split(' ')).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'read:orders']));
    expect(payload).not.toHaveProperty('client_id');
    // The Actions' access-token claim is there; the one Auth0 restricts (gty) is not theirs to set.
    expect(payload?.['https://example.com/tier']).toBe('gold');
    expect(payload?.gty).toBeUndefined();
    expect(claims['https://example.com/team']).toBe('identity');
    expect(claims).not.toHaveProperty('roles');
    expect(await rp.call('userinfo', { accessToken: tokens.access_token, sub: claims.sub })).toMatchObject({ sub: claims.sub, email: 'ada@example.com' });
    // An API the tenant does not have is refused at /authorize, as Auth0 refuses it.
    const unknown = new URL(arrivedAt(await startLogin(browser, { audience: 'https://nowhere.example/api' })));
    expect(unknown.searchParams.get('error')).toBe('invalid_target');
  });

  it('refuses a user token on the Management API', async () => {
    const browser = new UserAgent(tenant.ca);
    const { tokens } = await finish(arrivedAt(await logIn(browser, 'ada@example.com')));
    for (const token of [tokens.access_token, tokens.id_token]) {
      for (const route of protectedRoutes()) {
        const answer = await raw(tenant, { method: route.method, path: route.path.replace(/:[a-z]+/g, 'x'), headers: { authorization: `Bearer ${token}` } });
        expect({ route: `${route.method} ${route.path}`, status: answer.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
      }
    }
  });
});

/** The terms site's answer: an HS256 token carrying the login's state, as validateToken expects. */
function termsAnswer(state: string, accepted: boolean): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ state, accepted, exp: Math.floor(Date.now() / 1000) + 60 })}`;
  return `${unsigned}.${createHmac('sha256', TERMS_SECRET).update(unsigned).digest('base64url')}`;
}

async function outboxCode(email: string, purpose: string): Promise<string> {
  const { messages } = (await api.call('GET', `/local/outbox?email=${encodeURIComponent(email)}`)).body as { messages: Array<{ code: string; purpose: string }> };
  const code = messages.filter((message) => message.purpose === purpose).at(-1)?.code;
  if (!code) throw new Error(`no ${purpose} code for ${email}`);
  return code;
}

describe('Actions inside the flow', () => {
  it('sends the browser to a redirect Action site and resumes its onContinuePostLogin at /continue', async () => {
    const browser = new UserAgent(tenant.ca);
    const signupPage = pageOf(await startLogin(browser, { screen_hint: 'signup' }));
    const atTerms = new URL(arrivedAt(await browser.submit(signupPage, APP, { email: 'terms-ok@example.com', password: PASSWORD, given_name: 'Terry', family_name: 'Ok' })));
    expect(atTerms.origin + atTerms.pathname).toBe(TERMS);
    const state = atTerms.searchParams.get('state') ?? '';
    expect(state).not.toBe('');
    // The token the Action encoded names the user, signed with the shared secret.
    const [, body = '', signature] = (atTerms.searchParams.get('session_token') ?? '').split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ purpose: 'terms', sub: expect.stringMatching(/^auth0\|/), iss: tenant.domain });
    expect(signature).toBeTruthy();
    // The user accepts; the site posts back to /continue.
    const back = await browser.open(`https://${tenant.domain}/continue`, CALLBACK, { method: 'POST', form: { state, answer: termsAnswer(state, true) } });
    const { claims: idClaims } = await finish(arrivedAt(back));
    expect(idClaims['https://example.com/terms']).toBe(true);
    expect(tenant.state().users.find((user) => user.email === 'terms-ok@example.com')?.app_metadata).toMatchObject({ terms_accepted: true });
    // A state that was used, or a forged answer, does not continue.
    expect(pageOf(await browser.open(`https://${tenant.domain}/continue?state=${state}`, CALLBACK)).status).toBe(400);
  });

  it('refuses a forged answer at /continue with access_denied, and a redirect under prompt=none with interaction_required', async () => {
    const browser = new UserAgent(tenant.ca);
    const signupPage = pageOf(await startLogin(browser, { screen_hint: 'signup' }));
    const atTerms = new URL(arrivedAt(await browser.submit(signupPage, APP, { email: 'terms-no@example.com', password: PASSWORD, given_name: 'Terry', family_name: 'No' })));
    const silent = new URL(arrivedAt(await startLogin(browser, { prompt: 'none' })));
    expect(silent.searchParams.get('error')).toBe('interaction_required');
    const state = atTerms.searchParams.get('state') ?? '';
    const forged = `${termsAnswer(state, true).slice(0, -4)}AAAA`;
    const denied = new URL(arrivedAt(await browser.open(`https://${tenant.domain}/continue?state=${state}&answer=${forged}`, CALLBACK)));
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('error_description')).toMatch(/signature is invalid/);
  });

  it('asks for a second factor when an Action enables multifactor, with the code in the outbox', async () => {
    const created = await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', email: 'mfa@example.com', password: PASSWORD, app_metadata: { mfa: true } });
    expect(created.status).toBe(201);
    const browser = new UserAgent(tenant.ca);
    const mfaPage = pageOf(await logIn(browser, 'mfa@example.com'));
    expect(mfaPage.url).toContain('/u/mfa?state=');
    expect(mfaPage.body).toContain('m***@example.com');
    const wrong = pageOf(await browser.submit(mfaPage, CALLBACK, { code: '000000' === (await outboxCode('mfa@example.com', 'mfa')) ? '111111' : '000000' }));
    expect(wrong.status).toBe(400);
    expect(alertsOf(wrong)).toEqual(['That code is not right. Check the newest message and try again.']);
    const code = await outboxCode('mfa@example.com', 'mfa');
    const { claims } = await finish(arrivedAt(await browser.submit(wrong, CALLBACK, { code })));
    expect(claims.email).toBe('mfa@example.com');
  });

  it('ends the login with access_denied carrying the message of the one Action that threw, and its name', async () => {
    expect((await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', email: 'boom@example.com', password: PASSWORD })).status).toBe(201);
    const failed = new URL(arrivedAt(await logIn(new UserAgent(tenant.ca), 'boom@example.com')));
    expect(failed.searchParams.get('error')).toBe('access_denied');
    expect(failed.searchParams.get('error_description')).toBe('the loyalty service is down (Action "explode")');
  });

  it('signs in with an e-mailed code from the login page (passwordless), and answers in form_post when asked', async () => {
    const browser = new UserAgent(tenant.ca);
    // connection=email goes straight to the code form, without the password form.
    const loginPage = pageOf(await startLogin(browser, { response_mode: 'form_post', connection: 'email' }));
    expect(formsOf(loginPage).map((form) => form.button)).toEqual(['Email me a code']);
    const codePage = pageOf(await browser.submit(loginPage, CALLBACK, { email: 'pat@example.com' }, 'Email me a code'));
    expect(codePage.body).toContain('p***@example.com');
    const code = await outboxCode('pat@example.com', 'passwordless');
    expect(codePage.body).not.toContain(code);
    // form_post: the tenant answers with a page that posts the code to the app.
    const posting = pageOf(await browser.submit(codePage, CALLBACK, { code }));
    const form = formsOf(posting)[0];
    expect(form?.action).toBe(CALLBACK);
    expect(form?.method).toBe('POST');
    expect(Object.keys(form?.fields ?? {}).sort()).toEqual(['code', 'iss', 'state']);
    // openid-client reads a form_post answer from the parameters the app received.
    const { claims } = await finish(`${CALLBACK}?${new URLSearchParams(form?.fields ?? {}).toString()}`);
    expect(claims).toMatchObject({ email: 'pat@example.com', sub: expect.stringMatching(/^email\|/) });
    expect(claims[SOURCES]).toMatchObject({ name: 'signup' });
  });
});

describe('response modes and re-authentication', () => {
  it('answers prompt=none in web_message mode with a page that posts the code to the app origin', async () => {
    const browser = new UserAgent(tenant.ca);
    await finish(arrivedAt(await logIn(browser, 'ada@example.com')));
    const page = pageOf(await startLogin(browser, { prompt: 'none', response_mode: 'web_message' }));
    expect(page.status).toBe(200);
    // What auth0-spa-js listens for: {type: 'authorization_response', response: {code, state}} from the tenant's origin.
    expect(page.body).toContain('authorization_response');
    expect(page.body).toMatch(/"code":"[\w-]+"/);
    // Posted to the app's registered redirect URI (postMessage takes its origin).
    expect(page.body).toContain(`"redirect_uri":${JSON.stringify(CALLBACK)}`);
  });

  it('asks for the password again when max_age has passed, and shows the login page for prompt=login', async () => {
    const browser = new UserAgent(tenant.ca);
    await finish(arrivedAt(await logIn(browser, 'ada@example.com')));
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // whole seconds: more than max_age=1 has passed
    expect(pageOf(await startLogin(browser, { max_age: '1' })).url).toContain('/u/login?state=');
    expect(pageOf(await startLogin(browser, { prompt: 'login' })).url).toContain('/u/login?state=');
    const { claims } = await finish(arrivedAt(await startLogin(browser, { max_age: '3600' })));
    expect(claims.auth_time).toEqual(expect.any(Number));
  });
});

describe('a restart', () => {
  it('keeps sessions and refresh tokens: silent login and refresh work after the tenant restarts', async () => {
    const browser = new UserAgent(tenant.ca);
    const first = await finish(arrivedAt(await logIn(browser, 'ada@example.com', { scope: 'openid profile email offline_access' })));
    expect(first.tokens.refresh_token).toEqual(expect.any(String));
    const { port, stateDir } = tenant;
    await tenant.close();
    tenant = await spawnLocalTenant({ stateDir, port });
    const silent = await finish(arrivedAt(await startLogin(browser, { prompt: 'none' })));
    expect(silent.claims.sub).toBe(first.claims.sub);
    const refreshed = await rp.call<Tokens>('refresh', { refreshToken: first.tokens.refresh_token });
    expect(refreshed.claims.sub).toBe(first.claims.sub);
  });

  it('ends the session at /oidc/logout, the URL openid-client builds, and returns to the app', async () => {
    const browser = new UserAgent(tenant.ca);
    const { tokens } = await finish(arrivedAt(await logIn(browser, 'ada@example.com')));
    const { url } = await rp.call<{ url: string }>('logoutUrl', { params: { id_token_hint: tokens.id_token, post_logout_redirect_uri: LOGGED_OUT } });
    expect(new URL(url).pathname).toBe('/oidc/logout');
    const confirm = await browser.open(url, LOGGED_OUT);
    const back = 'page' in confirm ? await browser.submit(confirm.page, LOGGED_OUT, { logout: 'yes' }) : confirm;
    expect(arrivedAt(back)).toBe(LOGGED_OUT);
    expect(new URL(arrivedAt(await startLogin(browser, { prompt: 'none' }))).searchParams.get('error')).toBe('login_required');
  });
});
