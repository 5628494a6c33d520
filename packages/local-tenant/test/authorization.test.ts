/**
 * The Management API authorizes as Auth0's does: only client-credentials tokens issued for
 * `https://DOMAIN/api/v2/`, each route only with one of its scopes. A user who signed up — or signed in
 * by password or one-time code, whatever audience they asked for — can neither read nor change anything
 * there, so no user can forge the provenance record in their app_metadata.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { protectedRoutes, spawnLocalTenant, type TenantProcess as LocalTenant, APP_SECRET_SCOPES, DEPLOY_CLIENT_SCOPES, WHOLE_TENANT_SCOPES, managementApi, raw, type ManagementApi } from '../src/index';

// The tenant runs in a process of its own: starting one takes a second or two, more on a busy machine.
jest.setTimeout(60_000);

let tenant: LocalTenant;
let api: ManagementApi;
let appClientId: string;
let appClientSecret: string;
let userId: string;
const PASSWORD = 'a long enough password';

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  path: '/oauth/token',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const json = (method: string, route: string, body: unknown, token?: string) =>
  raw(tenant, {
    method,
    path: route,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

/** Every protected route with its `:params` filled, so each request reaches its route. */
const concrete = (route: string) => route.replace(':trigger', 'post-login').replace(':id', encodeURIComponent(userId)).replace(':file', 'x.json.gz');

beforeAll(async () => {
  tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'authorization-')) });
  api = await managementApi(tenant);
  ({ client_id: appClientId, client_secret: appClientSecret } = tenant.state().clients.find((client) => client.name === 'Default App')!);
  expect((await api.call('POST', '/api/v2/connections', { name: 'db', strategy: 'auth0', options: {} })).status).toBe(201);
  expect((await api.call('PATCH', `/api/v2/connections/${tenant.state().connections[0]!.id}/clients`, [{ client_id: appClientId, status: true }])).status).toBe(204);
  const signup = await json('POST', '/dbconnections/signup', { client_id: appClientId, connection: 'db', email: 'mallory@example.com', password: PASSWORD });
  expect(signup.status).toBe(200);
  userId = tenant.state().users[0]!.user_id;
});
afterAll(() => tenant?.close());

/** The tokens a user can get for themself, each asking for the Management API audience. */
async function userTokens(): Promise<Array<[string, string]>> {
  const audience = `https://${tenant.domain}/api/v2/`;
  const answer = await raw(tenant, form({
    grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: appClientId, client_secret: appClientSecret, username: 'mallory@example.com',
    password: PASSWORD, realm: 'db', scope: 'openid read:users update:users update:users_app_metadata', audience,
  }));
  expect(answer.status).toBe(200);
  const { access_token: accessToken, id_token: idToken } = answer.body as { access_token: string; id_token: string };
  return [['the access token', accessToken], ['the ID token', idToken]];
}

describe('the Management API', () => {
  it('has a scope on every route that needs a token', () => {
    const routes = protectedRoutes();
    expect(routes.length).toBeGreaterThan(25);
    for (const route of routes) expect(route.scopes.length).toBeGreaterThan(0);
  });

  it('refuses a user who signed up on every route, with every token they can get, and their app_metadata stays as it was', async () => {
    const before = (await api.call('GET', `/api/v2/users/${encodeURIComponent(userId)}`)).body as { app_metadata: unknown };
    for (const [what, token] of await userTokens()) {
      for (const route of protectedRoutes()) {
        const writes = route.method === 'PATCH' || route.method === 'POST';
        const answer = await json(route.method, concrete(route.path), writes ? { app_metadata: { forged: true } } : undefined, token);
        expect({ route: `${route.method} ${route.path}`, what, status: answer.status }).toEqual({ route: `${route.method} ${route.path}`, what, status: 401 });
      }
    }
    const after = (await api.call('GET', `/api/v2/users/${encodeURIComponent(userId)}`)).body as { app_metadata: unknown };
    expect(after.app_metadata).toEqual(before.app_metadata);
  });

  it('answers 403 insufficient_scope with Auth0 message when a client token lacks the route scope', async () => {
    const answer = await raw(tenant, form({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, audience: `https://${tenant.domain}/api/v2/`, scope: 'read:users' }));
    expect(answer.body).toMatchObject({ scope: 'read:users' });
    const token = (answer.body as { access_token: string }).access_token;
    expect((await json('GET', '/api/v2/users', undefined, token)).status).toBe(200);
    const patch = await json('PATCH', `/api/v2/users/${encodeURIComponent(userId)}`, { app_metadata: { forged: true } }, token);
    expect(patch).toMatchObject({
      status: 403,
      body: { statusCode: 403, error: 'Forbidden', errorCode: 'insufficient_scope', message: 'Insufficient scope, expected any of: update:users,update:users_app_metadata' },
    });
    expect((await json('GET', '/local/outbox', undefined, token)).body).toMatchObject({ message: 'Insufficient scope, expected any of: read:local_outbox' });
  });

  it('gives the CLI client exactly the scopes its README lists for deploy, audit and users', async () => {
    const answer = await raw(tenant, form({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, audience: `https://${tenant.domain}/api/v2/` }));
    const granted = (answer.body as { scope: string }).scope.split(' ');
    expect(granted.sort()).toEqual([...new Set([...DEPLOY_CLIENT_SCOPES, ...WHOLE_TENANT_SCOPES, ...APP_SECRET_SCOPES, 'read:local_outbox'])].sort());
    const readme = (await import('node:fs')).readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    for (const scope of [...DEPLOY_CLIENT_SCOPES, ...WHOLE_TENANT_SCOPES, ...APP_SECRET_SCOPES]) expect(readme).toContain(`\`${scope}\``);
  });

  it('refuses client credentials for another audience and a token signed by anyone else', async () => {
    const other = await raw(tenant, form({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, audience: 'https://elsewhere.example/api' }));
    expect(other).toMatchObject({ status: 403, body: { error: 'access_denied' } });
    const [header, payload] = api.token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    expect((await json('GET', '/api/v2/users', undefined, forged)).status).toBe(401);
  });
});
