/**
 * The login side under attack: each finding of an independent probe, reproduced against a running tenant
 * over HTTPS, and shown fixed — oversized attributes, huge usernames, a session that owed a second factor,
 * one-time codes, framing, idle connections, forms posted from another browser, and the smaller ones.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { arrivedAt as arrived, clientWithScopes, formsOf, managementApi, pageOf, raw, spawnLocalTenant, UserAgent, type ManagementApi, type Step, type TenantProcess } from '../src/index';
import Database from 'better-sqlite3';
import { openState } from '../src/state';
import { UNKNOWN_KEPT } from '../src/brute-force';
import { stateAdapter } from '../src/oidc/adapter';

jest.setTimeout(180_000);

const PASSWORD = 'correct horse battery staple';
const ONE = 'https://one.example/callback';
const TWO = 'https://two.example/callback';
const SPA = 'https://spa.example';
const ELSEWHERE = 'https://elsewhere.example/terms';

let tenant: TenantProcess;
let api: ManagementApi;
let one: { client_id: string; client_secret: string };
let two: { client_id: string; client_secret: string };
let spa: { client_id: string };

const fresh = (name: string) => mkdtempSync(path.join(tmpdir(), `${name}-`));

async function deployAction(name: string, trigger: 'post-login' | 'pre-user-registration', code: string): Promise<void> {
  const created = await api.call('POST', '/api/v2/actions/actions', { name, code, supported_triggers: [{ id: trigger, version: trigger === 'post-login' ? 'v3' : 'v2' }] });
  expect(created.status).toBe(201);
  await api.call('POST', `/api/v2/actions/actions/${(created.body as { id: string }).id}/deploy`);
}

async function createApp(body: Record<string, unknown>) {
  const created = await api.call('POST', '/api/v2/clients', body);
  expect(created.status).toBe(201);
  return created.body as { client_id: string; client_secret: string };
}

beforeAll(async () => {
  tenant = await spawnLocalTenant({ stateDir: fresh('under-attack') });
  api = await managementApi(tenant);
  await api.call('POST', '/api/v2/connections', { name: 'db', strategy: 'auth0', options: {} });
  await api.call('POST', '/api/v2/connections', { name: 'email', strategy: 'email', options: {} });
  await api.call('POST', '/api/v2/connections', { name: 'google-oauth2', strategy: 'google-oauth2', options: {} });
  await deployAction('second-factor', 'post-login', "exports.onExecutePostLogin = async (event, api) => { if (event.user.app_metadata.mfa === true) api.multifactor.enable('any'); };");
  await deployAction('terms', 'post-login', `exports.onExecutePostLogin = async (event, api) => { if (event.user.app_metadata.terms === true) api.redirect.sendUserTo('${ELSEWHERE}'); };
exports.onContinuePostLogin = async (event, api) => { api.user.setAppMetadata('continued_with', event.request.query.answer ?? null); };`);
  // A rule that would hold a worker for 19 s on a long name: an oversized signup must never reach it.
  await deployAction('slow-on-long-names', 'pre-user-registration', "exports.onExecutePreUserRegistration = async (event) => { if ((event.user.name ?? '').length > 150) await new Promise((resolve) => setTimeout(resolve, 19000)); };");
  await api.call('PATCH', '/api/v2/actions/triggers/post-login/bindings', { bindings: [{ ref: { type: 'action_name', value: 'second-factor' } }, { ref: { type: 'action_name', value: 'terms' } }] });
  await api.call('PATCH', '/api/v2/actions/triggers/pre-user-registration/bindings', { bindings: [{ ref: { type: 'action_name', value: 'slow-on-long-names' } }] });
  const grants = ['authorization_code', 'refresh_token', 'http://auth0.com/oauth/grant-type/password-realm', 'http://auth0.com/oauth/grant-type/passwordless/otp'];
  one = await createApp({ name: 'App one', app_type: 'regular_web', callbacks: [ONE], grant_types: grants, token_endpoint_auth_method: 'client_secret_post' });
  two = await createApp({ name: 'App two', app_type: 'regular_web', callbacks: [TWO], grant_types: grants, token_endpoint_auth_method: 'client_secret_post' });
  spa = await createApp({ name: 'SPA', app_type: 'spa', callbacks: [`${SPA}/`], web_origins: [SPA], grant_types: ['authorization_code'], token_endpoint_auth_method: 'none' });
  await api.call('POST', '/api/v2/resource-servers', { name: 'API', identifier: 'https://api.example', scopes: [{ value: 'read:things' }] });
});
afterAll(() => tenant?.close());

const authorizeUrl = (client: { client_id: string }, redirect: string, params: Record<string, string> = {}) =>
  `https://${tenant.domain}/authorize?${new URLSearchParams({ client_id: client.client_id, response_type: 'code', redirect_uri: redirect, scope: 'openid profile', state: 'st', nonce: 'n', ...params }).toString()}`;

/** The app's URL a step arrived at, parsed. */
const arrivedAt = (step: Step) => new URL(arrived(step));

const json = (route: string, body: unknown) => raw(tenant, { method: 'POST', path: route, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const passwordLogin = (username: string, password = PASSWORD) =>
  json('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: one.client_id, client_secret: one.client_secret, username, password, realm: 'db', scope: 'openid' });

async function createUser(email: string, appMetadata: Record<string, unknown> = {}): Promise<string> {
  const created = await api.call('POST', '/api/v2/users', { connection: 'db', email, password: PASSWORD, app_metadata: appMetadata });
  expect(created.status).toBe(201);
  return (created.body as { user_id: string }).user_id;
}

async function latestCode(email: string, purpose: 'mfa' | 'passwordless'): Promise<string> {
  const outbox = (await api.call('GET', `/local/outbox?email=${encodeURIComponent(email)}`)).body as { messages: Array<{ code: string; purpose: string }> };
  return outbox.messages.filter((message) => message.purpose === purpose).at(-1)?.code ?? '';
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

const stateSize = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('tenant.db')).reduce((total, name) => total + statSync(path.join(dir, name)).size, 0);

/** How long the planted Action holds a signup that reaches it: what "refused before the Action" is told apart from. */
const ACTION_HOLD_MS = 19_000;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

describe('1. oversized root attributes', () => {
  it('refuses four 234 KB signups with 400 before any Action runs, while a normal login completes', async () => {
    await createUser('steady@example.com');
    const name = 'n'.repeat(234_000);
    const signup = (i: number) => timed(() => json('/dbconnections/signup', { client_id: one.client_id, connection: 'db', email: `big-${i}@example.com`, password: PASSWORD, name }));
    const [login, ...signups] = await Promise.all([timed(() => passwordLogin('steady@example.com')), signup(1), signup(2), signup(3), signup(4)]);
    for (const { value, ms } of signups) {
      expect(value).toMatchObject({ status: 400, body: { code: 'invalid_signup', description: 'Payload validation error: String is too long (234000 chars), maximum 150 (name)' } });
      // Refused before the Action, which would have held it 19 s: far below that, however loaded the machine.
      expect(ms).toBeLessThan(ACTION_HOLD_MS / 2);
    }
    expect(login.value.status).toBe(200);
    expect(login.ms).toBeLessThan(ACTION_HOLD_MS / 2);
    expect(tenant.state().users.some((user) => user.email?.startsWith('big-'))).toBe(false);
  });

  it('holds every other edge to the same limits: the Management API, the stand-in, import', async () => {
    expect(await api.call('POST', '/api/v2/users', { connection: 'db', email: 'long@example.com', password: PASSWORD, nickname: 'x'.repeat(351) })).toMatchObject({ status: 400, body: { message: 'Payload validation error: String is too long (351 chars), maximum 350 (nickname)' } });
    const id = await createUser('patched@example.com');
    expect((await api.call('PATCH', `/api/v2/users/${encodeURIComponent(id)}`, { given_name: 'g'.repeat(151) })).status).toBe(400);
    const standIn = await json('/local/upstream-login', { client_id: one.client_id, client_secret: one.client_secret, connection: 'google-oauth2', profile: { user_id: 'u'.repeat(900_000) } });
    expect(standIn).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: expect.stringContaining('maximum 255 (user_id)') } });
    const named = await json('/local/upstream-login', { client_id: one.client_id, client_secret: one.client_secret, connection: 'google-oauth2', profile: { user_id: 'g-1', family_name: 'f'.repeat(151) } });
    expect(named.status).toBe(400);
    expect(tenant.state().users.some((user) => user.identities.some((identity) => identity.connection === 'google-oauth2'))).toBe(false);
  });
});

describe('2. failed logins with huge usernames', () => {
  it('1,000 failed logins with 900 KB usernames grow the state by under 1 MB and keep no count a later login would look up', async () => {
    const dir = tenant.stateDir;
    await createUser('quick@example.com');
    expect((await passwordLogin('quick@example.com')).status).toBe(200);
    const size = stateSize(dir);
    const username = `${'u'.repeat(900_000)}@example.com`;
    for (let batch = 0; batch < 1_000; batch += 20) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => passwordLogin(username, 'wrong')));
      for (const answer of answers) expect(answer.status).toBe(403);
    }
    expect(stateSize(dir) - size).toBeLessThan(1_000_000);
    // Longer than any identifier a user can have: no count kept, so a later login has nothing more to read.
    const database = new Database(path.join(dir, 'tenant.db'), { readonly: true });
    expect(database.prepare('SELECT count(*) AS n FROM attempts').get()).toEqual({ n: 0 });
    database.close();
    expect((await passwordLogin('quick@example.com')).status).toBe(200);
    // Nothing was kept of them, so nothing needs removing; a block of any identifier a user can have is removable.
    const admin = await clientWithScopes(tenant, api, 'blocks', ['read:users', 'update:users']);
    expect((await admin.call('GET', `/api/v2/user-blocks?identifier=${encodeURIComponent('quick@example.com')}`)).body).toEqual({ blocked_for: [] });
    expect((await admin.call('DELETE', `/api/v2/user-blocks?identifier=${'a'.repeat(250)}`)).status).toBe(204);
  });

  it('keeps the counts of identifiers no user has for the newest thousand only', () => {
    const store = openState(fresh('attempts'));
    store.attempts.put({ connection: 'db', identifier: 'real@example.com', ip: '10.0.0.1', failures: 3 }, true);
    for (let i = 0; i < UNKNOWN_KEPT + 200; i++) store.attempts.put({ connection: 'db', identifier: `nobody-${i}@example.com`, ip: '10.0.0.1', failures: 1 }, false);
    expect(store.attempts.ofIdentifier('nobody-0@example.com')).toEqual([]);
    expect(store.attempts.ofIdentifier(`nobody-${UNKNOWN_KEPT + 199}@example.com`)).toHaveLength(1);
    expect(store.attempts.get('db', 'real@example.com', '10.0.0.1')).toMatchObject({ failures: 3 });
    store.close();
  });

  it('throttles an IP after 100 failed logins across identifiers, as suspicious IP throttling does, until an administrator lifts it', async () => {
    const throttled = await spawnLocalTenant({ stateDir: fresh('throttled') });
    try {
      const admin = await managementApi(throttled);
      await admin.call('POST', '/api/v2/connections', { name: 'db', strategy: 'auth0', options: {} });
      await admin.call('POST', '/api/v2/users', { connection: 'db', email: 'owner@example.com', password: PASSWORD });
      const app = throttled.state().clients.find((client) => client.name === 'Default App')!;
      const login = (username: string, password: string) => raw(throttled, { method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: app.client_id, client_secret: app.client_secret, username, password, realm: 'db', scope: 'openid' }) });
      for (let batch = 0; batch < 100; batch += 10) {
        const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => login(`guess-${batch + i}@example.com`, 'guess')));
        for (const answer of answers) expect(answer.status).toBe(403);
      }
      expect(await login('owner@example.com', PASSWORD)).toMatchObject({ status: 429, body: { error: 'too_many_attempts', error_description: expect.stringContaining('suspicious login behavior') } });
      const ops = await clientWithScopes(throttled, admin, 'ops', ['read:anomaly_blocks', 'delete:anomaly_blocks', 'read:logs']);
      expect((await ops.call('GET', '/api/v2/anomaly/blocks/ips/127.0.0.1')).status).toBe(200);
      expect((await ops.call('GET', '/api/v2/logs?q=type%3Alimit_mu')).body).toEqual([expect.objectContaining({ type: 'limit_mu' })]);
      expect((await ops.call('DELETE', '/api/v2/anomaly/blocks/ips/127.0.0.1')).status).toBe(204);
      expect((await login('owner@example.com', PASSWORD)).status).toBe(200);
      // Signups: 50 at once from one IP, then one more every 1.2 s.
      const signups = await Promise.all(Array.from({ length: 51 }, (_, i) => raw(throttled, { method: 'POST', path: '/dbconnections/signup', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: app.client_id, connection: 'db', email: `s${i}@example.com`, password: PASSWORD }) })));
      expect(signups.filter((answer) => answer.status === 200)).toHaveLength(50);
      expect(signups.find((answer) => answer.status !== 200)).toMatchObject({ status: 429, body: { code: 'too_many_attempts' } });
    } finally {
      await throttled.close();
    }
  });
});

describe('3. a login stopped at the second factor', () => {
  it('is no session: another app gets login_required, not a code; after too many wrong codes the password is asked again; guessing stops at 10 per user', async () => {
    await createUser('second@example.com', { mfa: true });
    const browser = new UserAgent(tenant.ca);
    const logIn = async () => {
      const login = pageOf(await browser.open(authorizeUrl(one, ONE), ONE));
      expect(login.url).toContain('/u/login?state=');
      const mfa = pageOf(await browser.submit(login, ONE, { username: 'second@example.com', password: PASSWORD }));
      expect(mfa.url).toContain('/u/mfa?state=');
      return mfa;
    };
    let mfa = await logIn();
    // Another app, silently: no code, the login is owed.
    const silent = arrivedAt(await browser.open(authorizeUrl(two, TWO, { prompt: 'none' }), TWO));
    expect(silent.searchParams.get('code')).toBeNull();
    expect(silent.searchParams.get('error')).toBe('login_required');
    // Five wrong codes end this login.
    for (let i = 0; i < 4; i++) mfa = pageOf(await browser.submit(mfa, ONE, { code: wrong(await latestCode('second@example.com', 'mfa')) }));
    expect(arrivedAt(await browser.submit(mfa, ONE, { code: wrong(await latestCode('second@example.com', 'mfa')) })).searchParams.get('error')).toBe('access_denied');
    // The next authorization asks for the password again, not straight for a code.
    mfa = await logIn();
    for (let i = 0; i < 4; i++) mfa = pageOf(await browser.submit(mfa, ONE, { code: wrong(await latestCode('second@example.com', 'mfa')) }));
    arrivedAt(await browser.submit(mfa, ONE, { code: wrong(await latestCode('second@example.com', 'mfa')) }));
    // Ten wrong codes for this user: even the right one is refused for now.
    mfa = await logIn();
    const refused = pageOf(await browser.submit(mfa, ONE, { code: await latestCode('second@example.com', 'mfa') }));
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('Too many wrong codes');
  });

  it('gives no tokens through a grant without a browser either: mfa_required', async () => {
    await createUser('grant-mfa@example.com', { mfa: true });
    expect(await passwordLogin('grant-mfa@example.com')).toMatchObject({ status: 403, body: { error: 'mfa_required' } });
  });
});

describe('4. one-time codes', () => {
  it('keeps a superseded code dead through a flood of starts for other addresses, which the per-IP limit stops', async () => {
    const start = (email: string) => json('/passwordless/start', { client_id: one.client_id, connection: 'email', email, send: 'code' });
    const otp = (otpCode: string) => json('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp', client_id: one.client_id, client_secret: one.client_secret, username: 'victim@example.com', otp: otpCode, realm: 'email', scope: 'openid' });
    expect((await start('victim@example.com')).status).toBe(200);
    const superseded = await latestCode('victim@example.com', 'passwordless');
    expect((await start('victim@example.com')).status).toBe(200);
    const live = await latestCode('victim@example.com', 'passwordless');
    const flood = await Promise.all(Array.from({ length: 1_000 }, (_, i) => start(`other-${i}@example.com`)));
    expect(flood.filter((answer) => answer.status === 200).length).toBeLessThanOrEqual(48);
    expect(flood.find((answer) => answer.status === 429)).toMatchObject({ body: { error: 'too_many_requests' } });
    if (superseded !== live) expect((await otp(superseded)).status).toBe(403);
    expect((await otp(live)).status).toBe(200);
    if (superseded !== live) expect((await otp(superseded)).status).toBe(403);
  });
});

describe('5. framing', () => {
  const FRAMING = { 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'", 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' };

  it('every hosted page refuses to be framed by another origin, and none is cached', async () => {
    const browser = new UserAgent(tenant.ca);
    const login = pageOf(await browser.open(authorizeUrl(one, ONE), ONE));
    const state = new URL(login.url).searchParams.get('state') ?? '';
    const pages = [
      login,
      pageOf(await browser.open(`https://${tenant.domain}/u/signup?state=${state}`, ONE)),
      pageOf(await browser.open(`https://${tenant.domain}/u/upstream?state=${state}&connection=google-oauth2`, ONE)),
      pageOf(await browser.submit(login, ONE, { email: 'framed@example.com' }, 'Email me a code')),
      pageOf(await browser.open(`https://${tenant.domain}/u/login?state=expired`, ONE)),
      pageOf(await browser.open(`https://${tenant.domain}/authorize?client_id=nobody&response_type=code`, ONE)),
      pageOf(await browser.open(`https://${tenant.domain}/v2/logout`, ONE)),
    ];
    for (const page of pages) expect(page.headers).toMatchObject(FRAMING);
  });

  it('lets only the application\'s own web origins frame the web_message answer of a silent login', async () => {
    const silent = new URL(authorizeUrl(spa, `${SPA}/`, { prompt: 'none', response_mode: 'web_message', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }));
    const answer = await raw(tenant, { method: 'GET', path: `${silent.pathname}${silent.search}` });
    expect(String(answer.body)).toContain('authorization_response');
    expect(answer.headers['x-frame-options']).toBeUndefined();
    expect(answer.headers['content-security-policy']).toBe(`frame-ancestors ${SPA}`);
  });
});

describe('6. bounded storage and idle connections', () => {
  it('closes a connection that never starts TLS, and one that never sends a request, within the server\'s timeouts', async () => {
    const closedAfter = (open: () => import('node:net').Socket) =>
      new Promise<number>((resolve) => {
        const started = Date.now();
        const socket = open();
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(Date.now() - started));
      });
    const [bare, idle] = await Promise.all([
      closedAfter(() => tcpConnect(tenant.port, '127.0.0.1')),
      closedAfter(() => tlsConnect({ host: '127.0.0.1', port: tenant.port, ca: tenant.ca, servername: 'localhost' })),
    ]);
    // The TLS handshake has 5 s; a connection that completed it has 10 s to start a request.
    expect(bare).toBeLessThan(7_000);
    expect(idle).toBeLessThan(13_000);
  });

  it('keeps a connection open between requests long enough for Node\'s clients to reuse it', async () => {
    // Node's agent and undici give a socket back one second before the server's `Keep-Alive: timeout=N`
    // runs out, and not at all when that leaves nothing: a hint of 1 s made every request a new TLS handshake.
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const hints: string[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        httpsRequest({ host: '127.0.0.1', port: tenant.port, path: '/.well-known/jwks.json', ca: tenant.ca, servername: 'localhost', agent }, (response) => {
          sockets.add(response.socket);
          hints.push(String(response.headers['keep-alive']));
          response.resume();
          response.on('end', resolve);
        }).on('error', reject).end();
      });
    }
    agent.destroy();
    expect(Number(/timeout=(\d+)/.exec(hints[0] ?? '')?.[1])).toBeGreaterThanOrEqual(2);
    expect(sockets.size).toBe(1);
  });

  it('keeps at most its cap of logins waiting at the hosted pages, dropping the oldest', async () => {
    const store = openState(fresh('interactions'));
    const Adapter = stateAdapter(store, () => undefined, 50);
    const interactions = new Adapter('Interaction');
    for (let i = 0; i < 120; i++) await interactions.upsert(`uid-${i}`, { uid: `uid-${i}` }, 3_600 + i);
    expect(store.oidc.count('Interaction')).toBeLessThanOrEqual(50);
    expect(store.oidc.get('Interaction', 'uid-119')).toBeDefined();
    expect(store.oidc.get('Interaction', 'uid-0')).toBeUndefined();
    store.close();
  });
});

describe('7. forms bound to the browser that started the login', () => {
  it('refuses a page, a form and /continue from another browser, and a form without its token', async () => {
    await createUser('victim-form@example.com');
    await createUser('attacker@example.com');
    const victim = new UserAgent(tenant.ca);
    const attacker = new UserAgent(tenant.ca);
    const login = pageOf(await victim.open(authorizeUrl(one, ONE), ONE));
    expect(pageOf(await attacker.open(login.url, ONE)).status).toBe(403);
    const [form] = formsOf(login);
    const posted = pageOf(await attacker.open(form!.action, ONE, { method: 'POST', form: { ...form!.fields, username: 'attacker@example.com', password: PASSWORD } }));
    expect(posted.status).toBe(403);
    const { form_token: _token, ...untokened } = form!.fields;
    expect(pageOf(await victim.open(form!.action, ONE, { method: 'POST', form: { ...untokened, username: 'victim-form@example.com', password: PASSWORD } })).status).toBe(403);
    expect(arrivedAt(await victim.submit(login, ONE, { username: 'victim-form@example.com', password: PASSWORD })).searchParams.get('code')).toBeTruthy();
  });

  it('resumes a redirect Action at /continue only for the browser that left for it', async () => {
    await createUser('terms@example.com', { terms: true });
    const browser = new UserAgent(tenant.ca);
    const login = pageOf(await browser.open(authorizeUrl(one, ONE), ONE));
    const away = arrivedAt(await browser.submit(login, ELSEWHERE, { username: 'terms@example.com', password: PASSWORD }));
    const state = away.searchParams.get('state') ?? '';
    expect(state).not.toBe('');
    const attacker = new UserAgent(tenant.ca);
    expect(pageOf(await attacker.open(`https://${tenant.domain}/continue?state=${state}&answer=forged`, ONE)).status).toBe(403);
    expect(arrivedAt(await browser.open(`https://${tenant.domain}/continue?state=${state}&answer=yes`, ONE)).searchParams.get('code')).toBeTruthy();
    expect(tenant.state().users.find((user) => user.email === 'terms@example.com')?.app_metadata).toMatchObject({ continued_with: 'yes' });
  });
});

describe('8. the smaller findings', () => {
  async function codeFor(email: string, params: Record<string, string> = {}): Promise<string> {
    const browser = new UserAgent(tenant.ca);
    const login = pageOf(await browser.open(authorizeUrl(one, ONE, params), ONE));
    return arrivedAt(await browser.submit(login, ONE, { username: email, password: PASSWORD })).searchParams.get('code') ?? '';
  }
  const exchange = (code: string) => raw(tenant, { method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: ONE, client_id: one.client_id, client_secret: one.client_secret }).toString() });
  const userinfo = (token: string) => raw(tenant, { method: 'GET', path: '/userinfo', headers: { authorization: `Bearer ${token}` } });

  it('/userinfo refuses a JWT access token once a replayed code revoked its grant, and any token of a blocked user', async () => {
    const id = await createUser('replayed@example.com');
    const code = await codeFor('replayed@example.com', { audience: 'https://api.example' });
    const first = await exchange(code);
    const token = (first.body as { access_token: string }).access_token;
    expect(token.split('.')).toHaveLength(3);
    expect((await userinfo(token)).status).toBe(200);
    expect((await exchange(code)).status).toBe(400);
    expect((await userinfo(token)).status).toBe(401);

    const fresh = (await exchange(await codeFor('replayed@example.com', { audience: 'https://api.example' }))).body as { access_token: string };
    const opaque = (await exchange(await codeFor('replayed@example.com'))).body as { access_token: string };
    expect((await userinfo(fresh.access_token)).status).toBe(200);
    expect((await userinfo(opaque.access_token)).status).toBe(200);
    await api.call('PATCH', `/api/v2/users/${encodeURIComponent(id)}`, { blocked: true });
    expect((await userinfo(fresh.access_token)).status).toBe(401);
    expect((await userinfo(opaque.access_token)).status).toBe(401);
  });

  it('takes POST /authorize as OpenID Connect asks', async () => {
    const body = new URL(authorizeUrl(one, ONE)).searchParams.toString();
    const answer = await raw(tenant, { method: 'POST', path: '/authorize', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toMatch(/^\/u\/login\?state=/);
  });

  it('creates the database and its -wal and -shm files readable by their owner alone', () => {
    const files = readdirSync(tenant.stateDir).filter((name) => name.startsWith('tenant.db'));
    expect(files).toEqual(expect.arrayContaining(['tenant.db', 'tenant.db-wal', 'tenant.db-shm']));
    for (const name of files) expect(statSync(path.join(tenant.stateDir, name)).mode & 0o077).toBe(0);
  });
});
