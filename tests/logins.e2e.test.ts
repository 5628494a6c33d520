/**
 * Logins through the Actions that the real a0deploy deployed to the local tenant, over HTTPS, with
 * Auth0's semantics (docs/design.md §4): signups run pre-user-registration, logins run post-login, the upstream
 * login applies each connection's sync setting, and ID tokens verify against the served JWKS.
 */
import { Agent } from 'node:https';
import * as path from 'node:path';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { spawnLocalTenant, type TenantProcess as LocalTenant, clientWithScopes, managementApi, raw, type ManagementApi } from '@auth0-root-attributes/local-tenant';
import { workspace } from './support/workspace';

jest.setTimeout(240_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'logins');
const SOURCES = 'https://example.com/root_attribute_sources';
const VIOLATIONS = 'https://example.com/root_attribute_violations';
const PASSWORD = 'correct horse battery staple';

let tenant: LocalTenant;
let api: ManagementApi;
let clientId: string;
let clientSecret: string;
let verify: (token: string) => Promise<JWTPayload>;

beforeAll(async () => {
  const space = workspace(FIXTURE, { policy: path.join(FIXTURE, 'policy.ts') });
  const deployed = space.deploy();
  if (deployed.status !== 0) throw new Error(`deploy failed:\n${deployed.stdout}\n${deployed.stderr}`);
  tenant = await spawnLocalTenant({ stateDir: space.stateDir });
  api = await managementApi(tenant);
  ({ client_id: clientId, client_secret: clientSecret } = tenant.state().clients.find((client) => client.name === 'Default App')!);
  const jwks = createRemoteJWKSet(new URL(`https://${tenant.domain}/.well-known/jwks.json`), { agent: new Agent({ ca: tenant.ca }) });
  verify = async (token) => (await jwtVerify(token, jwks, { issuer: `https://${tenant.domain}/`, audience: clientId, algorithms: ['RS256'] })).payload;
});
afterAll(() => tenant?.close());

const post = (route: string, body: object) => raw(tenant, { method: 'POST', path: route, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const signup = (body: object) => post('/dbconnections/signup', { client_id: clientId, connection: 'Username-Password-Authentication', password: PASSWORD, ...body });
const passwordLogin = (email: string, password = PASSWORD) =>
  post('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: clientId, client_secret: clientSecret, username: email, password, realm: 'Username-Password-Authentication', scope: 'openid profile email' });
const upstream = (connection: string, profile: object) => post('/local/upstream-login', { client_id: clientId, client_secret: clientSecret, connection, profile });
const idToken = async (answer: { status: number; body: unknown }) => {
  expect(answer.status).toBe(200);
  return verify((answer.body as { id_token: string }).id_token);
};
const userOf = async (id: string) => (await api.call('GET', `/api/v2/users/${encodeURIComponent(id)}`)).body as Record<string, unknown> & { app_metadata: { root_attributes?: { attributes: Record<string, { source: string }> } } };

describe('the discovery document and keys', () => {
  it('serves openid-configuration and a JWKS with the RS256 key', async () => {
    const discovery = await raw(tenant, { method: 'GET', path: '/.well-known/openid-configuration' });
    expect(discovery.body).toMatchObject({ issuer: `https://${tenant.domain}/`, jwks_uri: `https://${tenant.domain}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ['RS256'] });
    const keys = (await raw(tenant, { method: 'GET', path: '/.well-known/jwks.json' })).body as { keys: Array<Record<string, unknown>> };
    expect(keys.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) })]);
    expect(keys.keys[0]).not.toHaveProperty('d');
  });
});

describe('database signup and login', () => {
  it('runs pre-user-registration before the user exists and creates the user with its provenance stamp', async () => {
    const answer = await signup({ email: 'ada@example.com', name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace' });
    expect(answer).toMatchObject({ status: 200, body: { email: 'ada@example.com', given_name: 'Ada', email_verified: false } });
    const [user] = (await api.call('GET', '/api/v2/users?q=identities.connection:"Username-Password-Authentication"')).body as Array<{ user_id: string; app_metadata: Record<string, unknown> }>;
    expect(user?.app_metadata.root_attributes).toMatchObject({ attributes: { name: { source: 'signup' }, given_name: { source: 'signup' } } });
  });

  it('answers a denial with the Action\'s message for the user, and creates nobody', async () => {
    const answer = await signup({ email: 'spam@example.com', name: 'Cheap pills at pills.biz' });
    expect(answer).toMatchObject({ status: 400, body: { code: 'extensibility_error', description: "Your name can't contain a web address." } });
    const users = (await api.call('GET', '/api/v2/users')).body as Array<{ email: string }>;
    expect(users.map((u) => u.email)).not.toContain('spam@example.com');
  });

  it('answers 409 for an existing user', async () => {
    expect(await signup({ email: 'ada@example.com', name: 'Ada Again' })).toMatchObject({ status: 409, body: { code: 'user_exists' } });
  });

  it('logs in with the password-realm grant; the ID token verifies against the JWKS and carries the claims the Actions set', async () => {
    const claims = await idToken(await passwordLogin('ada@example.com'));
    expect(claims).toMatchObject({ sub: expect.stringMatching(/^auth0\|/), name: 'Ada Lovelace', email: 'ada@example.com' });
    // Auth0 filled nickname and picture at creation: the signup created them.
    expect(claims[SOURCES]).toEqual({ name: 'signup', given_name: 'signup', family_name: 'signup', nickname: 'signup', picture: 'signup' });
    expect(await passwordLogin('ada@example.com', 'wrong password!')).toMatchObject({ status: 403, body: { error: 'invalid_grant' } });
  });
});

describe('upstream logins apply the connection\'s sync setting', () => {
  it('on_first_login: creates the user with the IdP\'s values once, then keeps them; a Management API change is recorded at the next login', async () => {
    const first = await idToken(await upstream('google-oauth2', { user_id: 'g-1', email: 'grace@example.com', name: 'Grace Hopper', given_name: 'Grace', family_name: 'Hopper', picture: 'https://lh3.googleusercontent.com/a/grace' }));
    expect(first[SOURCES]).toEqual({ name: 'idp', given_name: 'idp', family_name: 'idp', picture: 'idp' });
    const patched = await api.call('PATCH', '/api/v2/users/google-oauth2%7Cg-1', { picture: 'https://lh3.googleusercontent.com/a/grace-new' });
    expect(patched.status).toBe(200);
    const second = await idToken(await upstream('google-oauth2', { user_id: 'g-1', name: 'Changed At Google', picture: 'https://lh3.googleusercontent.com/a/other' }));
    expect(second).toMatchObject({ name: 'Grace Hopper', picture: 'https://lh3.googleusercontent.com/a/grace-new' });
    expect(second[SOURCES]).toMatchObject({ name: 'idp', picture: 'management_api' });
  });

  it('on_each_login: overwrites the synced attributes at every login and attributes the change to the IdP', async () => {
    await idToken(await upstream('corp-oidc', { user_id: 'e-1', email: 'edsger@corp.example', name: 'Edsger Dijkstra', given_name: 'Edsger', family_name: 'Dijkstra' }));
    const again = await idToken(await upstream('corp-oidc', { user_id: 'e-1', name: 'Edsger W. Dijkstra', given_name: 'Edsger', family_name: 'Dijkstra' }));
    expect(again.name).toBe('Edsger W. Dijkstra');
    expect(again[SOURCES]).toMatchObject({ name: 'idp' });
    expect((await userOf('oidc|corp-oidc|e-1')).name).toBe('Edsger W. Dijkstra');
  });

  it('on_each_login: refuses a Management API PATCH of a synced attribute with Auth0\'s message; on_first_login accepts it', async () => {
    const refused = await api.call('PATCH', '/api/v2/users/oidc%7Ccorp-oidc%7Ce-1', { name: 'Someone Else', family_name: 'Else' });
    expect(refused).toMatchObject({
      status: 400,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        errorCode: 'operation_not_supported',
        message: "The following user attributes cannot be updated: name, family_name. The connection (corp-oidc) must either be a database connection (using the Auth0 store), a passwordless connection (email or sms) or has disabled 'Sync user profile attributes at each login'. For more information, see https://auth0.com/docs/dashboard/guides/connections/configure-connection-sync",
      },
    });
    expect((await api.call('PATCH', '/api/v2/users/oidc%7Ccorp-oidc%7Ce-1', { user_metadata: { theme: 'dark' } })).status).toBe(200);
    expect((await api.call('PATCH', '/api/v2/users/google-oauth2%7Cg-1', { name: 'Grace B. Hopper' })).status).toBe(200);
  });

  it('never_on_login: creates no user at login', async () => {
    const answer = await upstream('github', { user_id: 'gh-1', name: 'Linus' });
    expect(answer).toMatchObject({ status: 401, body: { error: 'access_denied' } });
    const users = (await api.call('GET', '/api/v2/users?q=identities.connection:"github"')).body as unknown[];
    expect(users).toEqual([]);
  });

  it('flags a picture from a host the policy does not allow, in the ID token', async () => {
    const claims = await idToken(await upstream('corp-oidc', { user_id: 'e-2', name: 'Barbara Liskov', given_name: 'Barbara', family_name: 'Liskov', picture: 'https://tracker.example/b.gif' }));
    expect(claims[VIOLATIONS]).toEqual(['picture.host-not-allowed']);
  });
});

describe('passwordless email', () => {
  it('creates the user at the first login after a start-and-verify, with sources from the signup it was', async () => {
    const started = await post('/passwordless/start', { client_id: clientId, connection: 'email', email: 'kat@example.com', send: 'code' });
    expect(started).toMatchObject({ status: 200, body: { email: 'kat@example.com' } });
    const outbox = (await api.call('GET', '/local/outbox?email=kat%40example.com')).body as { messages: Array<{ code: string }> };
    const code = outbox.messages.at(-1)?.code ?? '';
    expect(code).toMatch(/^\d{6}$/);
    const wrong = await post('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp', client_id: clientId, client_secret: clientSecret, username: 'kat@example.com', otp: '000000' === code ? '111111' : '000000', realm: 'email', scope: 'openid profile email' });
    expect(wrong).toMatchObject({ status: 403, body: { error: 'invalid_grant' } });
    const claims = await idToken(await post('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp', client_id: clientId, client_secret: clientSecret, username: 'kat@example.com', otp: code, realm: 'email', scope: 'openid profile email' }));
    expect(claims).toMatchObject({ email: 'kat@example.com', email_verified: true });
    expect(claims[SOURCES]).toMatchObject({ name: 'signup', nickname: 'signup' });
    const users = (await api.call('GET', '/api/v2/users?q=identities.connection:"email"')).body as Array<{ logins_count: number }>;
    expect(users).toHaveLength(1);
    expect(users[0]?.logins_count).toBe(1);
  });
});

describe('the Management API users endpoints', () => {
  it('create, list with paging, get, update within Auth0\'s lengths, delete', async () => {
    const created = await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', email: 'mgmt@example.com', password: PASSWORD, name: 'Made By API' });
    expect(created).toMatchObject({ status: 201, body: { email: 'mgmt@example.com', name: 'Made By API', identities: [{ connection: 'Username-Password-Authentication', provider: 'auth0' }] } });
    expect(created.body).not.toHaveProperty('password_hash');
    const id = encodeURIComponent((created.body as { user_id: string }).user_id);
    const pageOne = (await api.call('GET', '/api/v2/users?page=0&per_page=2&include_totals=true')).body as { users: unknown[]; total: number; start: number; limit: number };
    expect(pageOne).toMatchObject({ start: 0, limit: 2 });
    expect(pageOne.users).toHaveLength(2);
    expect(pageOne.total).toBeGreaterThanOrEqual(5);
    expect(await api.call('PATCH', `/api/v2/users/${id}`, { name: 'x'.repeat(151) })).toMatchObject({ status: 400 });
    expect(await api.call('PATCH', `/api/v2/users/${id}`, { app_metadata: { 'a.b': 1 } })).toMatchObject({ status: 400 });
    const updated = await api.call('PATCH', `/api/v2/users/${id}`, { nickname: 'api', user_metadata: { a: 1, b: 2 } });
    expect(updated.body).toMatchObject({ nickname: 'api', user_metadata: { a: 1, b: 2 } });
    const merged = await api.call('PATCH', `/api/v2/users/${id}`, { user_metadata: { b: null, c: 3 } });
    expect((merged.body as { user_metadata: object }).user_metadata).toEqual({ a: 1, c: 3 });
    // The CLI client is not granted delete:users (the project never deletes users); a client that is may.
    expect(await api.call('DELETE', `/api/v2/users/${id}`)).toMatchObject({ status: 403, body: { errorCode: 'insufficient_scope', message: 'Insufficient scope, expected any of: delete:users' } });
    const admin = await clientWithScopes(tenant, api, 'user admin', ['delete:users']);
    expect((await admin.call('DELETE', `/api/v2/users/${id}`)).status).toBe(204);
    expect((await api.call('GET', `/api/v2/users/${id}`)).status).toBe(404);
  });
});
