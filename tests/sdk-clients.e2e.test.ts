/**
 * Two more clients nobody here wrote, against the local tenant over HTTPS, each in a child process with
 * the tenant's CA: an express-openid-connect web app (login through the hosted page, a page showing the
 * ID token's claims, userinfo, logout through /v2/logout) and the `auth0` SDK's AuthenticationClient
 * (the password-realm grant, whose ID token it verifies against the JWKS, and client credentials).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { alertsOf, clientWithScopes, formsOf, managementApi, pageOf, spawnLocalTenant, UserAgent, type ManagementApi, type TenantProcess } from '@auth0-root-attributes/local-tenant';
import { seedProjectTenant } from './support/seed';
import { RelyingPartyError, startRelyingParty, type RelyingParty } from './support/rp/relying-party';

jest.setTimeout(120_000);

const SOURCES = 'https://example.com/root_attribute_sources';
const PASSWORD = 'correct horse battery staple';
const NOWHERE = 'https://nowhere.invalid/';

let tenant: TenantProcess;
let api: ManagementApi;
let webApp: RelyingParty;
let sdk: RelyingParty;
let baseURL: string;
let webClientId: string;

beforeAll(async () => {
  tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'sdk-clients-')) });
  api = await managementApi(tenant);
  await seedProjectTenant(api);
  const signup = await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', email: 'lin@example.com', password: PASSWORD, name: 'Lin Chen', given_name: 'Lin', family_name: 'Chen' });
  expect(signup.status).toBe(201);

  webApp = await startRelyingParty('eoc-app.ts', tenant.caPath);
  ({ baseURL } = await webApp.call<{ baseURL: string }>('listen', { certPath: path.join(tenant.stateDir, 'server.pem'), keyPath: path.join(tenant.stateDir, 'server-key.pem') }));
  const created = await api.call('POST', '/api/v2/clients', {
    name: 'Sample web app', app_type: 'regular_web', callbacks: [`${baseURL}/callback`], allowed_logout_urls: [baseURL],
    grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'client_secret_post',
  });
  const client = created.body as { client_id: string; client_secret: string };
  webClientId = client.client_id;
  await webApp.call('configure', { issuer: `https://${tenant.domain}/`, clientId: client.client_id, clientSecret: client.client_secret });

  sdk = await startRelyingParty('auth0-sdk-client.ts', tenant.caPath);
});
afterAll(async () => {
  await webApp?.close();
  await sdk?.close();
  await tenant?.close();
});

describe('an express-openid-connect web app', () => {
  it('signs in through the hosted login page and shows the claims the Actions put in the ID token', async () => {
    const browser = new UserAgent(tenant.ca);
    const loginPage = pageOf(await browser.open(`${baseURL}/`, NOWHERE));
    expect(new URL(loginPage.url).pathname).toBe('/u/login');
    expect(loginPage.body).toContain('Log in to continue to Sample web app');
    const home = pageOf(await browser.submit(loginPage, NOWHERE, { username: 'lin@example.com', password: PASSWORD }, 'Continue'));
    expect(home.url).toBe(`${baseURL}/`);
    const { claims } = JSON.parse(home.body) as { claims: Record<string, unknown> };
    expect(claims).toMatchObject({ iss: `https://${tenant.domain}/`, aud: webClientId, email: 'lin@example.com', name: 'Lin Chen' });
    // Created by a bare Management API call, without the provenance stamp `users update` adds: unknown (docs/design.md §3).
    expect(claims[SOURCES]).toEqual({ name: 'unknown', given_name: 'unknown', family_name: 'unknown', nickname: 'unknown', picture: 'unknown' });

    const profile = JSON.parse(pageOf(await browser.open(`${baseURL}/profile`, NOWHERE)).body) as Record<string, unknown>;
    expect(profile).toMatchObject({ sub: claims.sub, email: 'lin@example.com' });

    // Logout goes through /v2/logout back to the app, which asks for a login again.
    const confirm = pageOf(await browser.open(`${baseURL}/logout`, NOWHERE));
    expect(formsOf(confirm)[0]?.action).toContain('/oidc/logout');
    const again = pageOf(await browser.submit(confirm, NOWHERE, { logout: 'yes' }));
    expect(new URL(again.url).pathname).toBe('/u/login');
    expect(alertsOf(again)).toEqual([]);
  });
});

describe("the auth0 SDK's AuthenticationClient", () => {
  it('signs in with the password-realm grant and verifies the ID token it gets against the JWKS', async () => {
    const app = await api.call('POST', '/api/v2/clients', { name: 'SDK app', app_type: 'regular_web', grant_types: ['http://auth0.com/oauth/grant-type/password-realm'], callbacks: [] });
    const { client_id: clientId, client_secret: clientSecret } = app.body as { client_id: string; client_secret: string };
    await sdk.call('init', { domain: tenant.domain, clientId, clientSecret });
    const tokens = await sdk.call<{ id_token: string; access_token: string }>('passwordGrant', { username: 'lin@example.com', password: PASSWORD, realm: 'Username-Password-Authentication' });
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: `https://${tenant.domain}/`, aud: clientId, email: 'lin@example.com' });
    expect(claims[SOURCES]).toMatchObject({ name: 'unknown' });
    const wrong = await sdk.call('passwordGrant', { username: 'lin@example.com', password: 'not it', realm: 'Username-Password-Authentication' }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(RelyingPartyError);
    expect((wrong as RelyingPartyError).details).toMatchObject({ error: 'invalid_grant', error_description: 'Wrong email or password.' });
  });

  it('gets a client-credentials token for the Management API with exactly the granted scopes', async () => {
    const made = await api.call('POST', '/api/v2/clients', { name: 'SDK cc', app_type: 'non_interactive' });
    const { client_id: clientId, client_secret: clientSecret } = made.body as { client_id: string; client_secret: string };
    expect((await api.call('POST', '/api/v2/client-grants', { client_id: clientId, audience: `https://${tenant.domain}/api/v2/`, scope: ['read:users'] })).status).toBe(201);
    await sdk.call('init', { domain: tenant.domain, clientId, clientSecret });
    const token = await sdk.call<{ access_token: string; scope: string; token_type: string }>('clientCredentials', { audience: `https://${tenant.domain}/api/v2/` });
    expect(token).toMatchObject({ scope: 'read:users', token_type: 'Bearer' });
    const payload = JSON.parse(Buffer.from(token.access_token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(payload).toMatchObject({ sub: `${clientId}@clients`, gty: 'client-credentials', aud: `https://${tenant.domain}/api/v2/` });
    // What the grant leaves out, the Management API refuses to this client.
    const scoped = await clientWithScopes(tenant, api, 'SDK reader', ['read:users']);
    expect((await scoped.call('GET', '/api/v2/users')).status).toBe(200);
    expect(await scoped.call('PATCH', '/api/v2/users/auth0%7Cnobody', { name: 'x' })).toMatchObject({ status: 403, body: { errorCode: 'insufficient_scope' } });
  });
});
