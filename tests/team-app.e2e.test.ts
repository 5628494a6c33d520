/**
 * The README's way to try a team's own app against the local tenant: add it under `clients:` in tenant.yaml,
 * `npm run deploy`, read its secret from the Management API (a token with `read:client_keys`, which the local
 * CLI client holds) — and an unmodified express-openid-connect app signs in with it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pageOf, UserAgent } from '@auth0-root-attributes/local-tenant';
import { deployedWorkspace } from './support/deployed';
import { startRelyingParty, type RelyingParty } from './support/rp/relying-party';
import { withSpaceTenant } from './support/space-cli';
import type { Workspace } from './support/workspace';

jest.setTimeout(240_000);

const PASSWORD = 'correct horse battery staple';
const NOWHERE = 'https://nowhere.invalid/';
const APP = 'Team web app';

let space: Workspace;
let webApp: RelyingParty;
let baseURL: string;

beforeAll(async () => {
  space = await deployedWorkspace();
  webApp = await startRelyingParty('eoc-app.ts', path.join(space.stateDir, 'ca.pem'));
  ({ baseURL } = await webApp.call<{ baseURL: string }>('listen', { certPath: path.join(space.stateDir, 'server.pem'), keyPath: path.join(space.stateDir, 'server-key.pem') }));
  const entry = [
    'clients:',
    `  - name: ${APP}`,
    '    app_type: regular_web',
    '    token_endpoint_auth_method: client_secret_post',
    '    grant_types: [authorization_code, refresh_token]',
    `    callbacks: ['${baseURL}/callback']`,
    `    allowed_logout_urls: ['${baseURL}']`,
    '',
  ].join('\n');
  writeFileSync(space.tenantPath, readFileSync(space.tenantPath, 'utf8').replace('clients:\n', entry));
});
afterAll(async () => {
  await webApp?.close();
});

describe("a team's regular web app added under clients:", () => {
  it('is created by npm run deploy, and signs in with express-openid-connect using the secret the Management API hands out', async () => {
    const deploy = space.deploy();
    expect(deploy.status).toBe(0);
    expect(deploy.stdout).toContain(`+ ${APP}  create`);

    await withSpaceTenant(space, async (api, tenant) => {
      const listed = (await api.call('GET', '/api/v2/clients?fields=client_id,name&include_fields=true')).body as Array<{ client_id: string; name: string }>;
      const clientId = listed.find((client) => client.name === APP)?.client_id ?? '';
      const read = await api.call('GET', `/api/v2/clients/${clientId}`);
      const { client_secret: clientSecret } = read.body as { client_secret?: string };
      expect(clientSecret).toMatch(/^[\w-]{32,}$/);

      const signup = await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', email: 'ana@example.com', password: PASSWORD, name: 'Ana Silva' });
      expect(signup.status).toBe(201);
      await webApp.call('configure', { issuer: `https://${tenant.domain}/`, clientId, clientSecret });

      const browser = new UserAgent(tenant.ca);
      const loginPage = pageOf(await browser.open(`${baseURL}/`, NOWHERE));
      expect(loginPage.body).toContain(`Log in to continue to ${APP}`);
      const home = pageOf(await browser.submit(loginPage, NOWHERE, { username: 'ana@example.com', password: PASSWORD }, 'Continue'));
      expect(home.url).toBe(`${baseURL}/`);
      expect((JSON.parse(home.body) as { claims: Record<string, unknown> }).claims).toMatchObject({ iss: `https://${tenant.domain}/`, aud: clientId, email: 'ana@example.com' });

      // With a wrong secret (another tenant's, an old one) the login itself goes through, the code exchange does not.
      await webApp.call('configure', { issuer: `https://${tenant.domain}/`, clientId, clientSecret: `${clientSecret ?? ''}-not-it` });
      const other = new UserAgent(tenant.ca);
      const again = pageOf(await other.open(`${baseURL}/`, NOWHERE));
      const refused = await other.submit(again, NOWHERE, { username: 'ana@example.com', password: PASSWORD }, 'Continue');
      // The tenant refuses the code exchange, and express-openid-connect shows its error at the callback.
      expect(new URL(pageOf(refused).url).pathname).toBe('/callback');
      expect(pageOf(refused).body).toContain('BadRequestError: server responded with an error');
    });
  });
});
