/**
 * Declared npm dependencies in the Actions runtime: installed from the registry into the shared cache,
 * resolved by `require` (CommonJS, subpaths, and an ESM-only package through Node's require(esm)), and
 * nothing else resolvable; the `auth0` SDK's AuthenticationClient and ManagementClient reaching a local
 * tenant over HTTPS (its CA trusted inside the runtime) for the user calls Actions make.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { installDependencies, type DeclaredDependency, ActionsRuntime, type DeployedAction } from '@auth0-root-attributes/actions-runtime';
import { spawnLocalTenant, type TenantProcess, clientWithScopes, managementApi } from '@auth0-root-attributes/local-tenant';
import { dependencyCacheDir } from '../scripts/lib/local-state';

jest.setTimeout(180_000);

const DEPENDENCIES: DeclaredDependency[] = [
  { name: 'auth0', version: '4.37.0' },
  { name: 'ipaddr.js', version: '2.2.0' },
  { name: 'nanoid', version: '5.1.12' },
];
const cache = dependencyCacheDir();
let tenant: TenantProcess;
let runtime: ActionsRuntime;

beforeAll(async () => {
  const installed = await installDependencies(cache, DEPENDENCIES);
  if (!installed.ok) throw new Error(installed.reason);
  tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'runtime-dependencies-')) });
  runtime = new ActionsRuntime({ workers: 1, dependencyCache: cache, caPath: tenant.caPath, timeoutMs: 20_000 });
});
afterAll(async () => {
  await runtime?.close();
  await tenant?.close();
});

const action = (name: string, body: string, extra: Partial<DeployedAction> = {}): DeployedAction => ({
  name,
  code: `exports.onExecutePostLogin = async (event, api) => {\n${body}\n};`,
  secrets: {},
  dependencies: DEPENDENCIES,
  ...extra,
});
const event = { user: { user_id: 'auth0|1', app_metadata: {}, user_metadata: {} }, request: { ip: '10.1.2.3' } };

it('resolves declared packages — CommonJS, ESM-only through require(esm) — and nothing undeclared', async () => {
  const result = await runtime.run({
    trigger: 'post-login',
    event,
    actions: [action('packages', [
      "const ipaddr = require('ipaddr.js');",
      "const { nanoid } = require('nanoid');",
      "let undeclared; try { require('axios'); } catch (e) { undeclared = e.message; }",
      "api.user.setAppMetadata('packages', { range: ipaddr.parse(event.request.ip).range(), id: nanoid(10).length, undeclared });",
    ].join('\n'), { dependencies: DEPENDENCIES.filter((dependency) => dependency.name !== 'auth0') })],
  });
  expect(result.failure).toBeUndefined();
  expect(result.appMetadata).toEqual({ packages: { range: 'private', id: 10, undeclared: "Cannot find module 'axios'" } });
});

it('reaches the local tenant with the auth0 SDK: client credentials, user search, users by e-mail, delete', async () => {
  const api = await managementApi(tenant);
  await api.call('POST', '/api/v2/connections', { name: 'db', strategy: 'auth0', options: {} });
  for (const email of ['keep@example.com', 'gone@example.com']) {
    expect((await api.call('POST', '/api/v2/users', { connection: 'db', email, password: 'a long enough password', app_metadata: { plan: email.startsWith('gone') ? 'trial' : 'gold' } })).status).toBe(201);
  }
  await clientWithScopes(tenant, api, 'Action M2M', ['read:users', 'delete:users']);
  const m2m = tenant.state().clients.find((client) => client.name === 'Action M2M')!;
  const secrets = { DOMAIN: tenant.domain, CLIENT_ID: m2m.client_id, CLIENT_SECRET: m2m.client_secret };
  const result = await runtime.run({
    trigger: 'post-login',
    event,
    actions: [action('sdk', [
      "const { AuthenticationClient, ManagementClient } = require('auth0');",
      'const auth = new AuthenticationClient({ domain: event.secrets.DOMAIN, clientId: event.secrets.CLIENT_ID, clientSecret: event.secrets.CLIENT_SECRET });',
      "const grant = await auth.oauth.clientCredentialsGrant({ audience: `https://${event.secrets.DOMAIN}/api/v2/` });",
      'const management = new ManagementClient({ domain: event.secrets.DOMAIN, clientId: event.secrets.CLIENT_ID, clientSecret: event.secrets.CLIENT_SECRET });',
      "const trials = (await management.users.getAll({ q: 'app_metadata.plan:\"trial\"', search_engine: 'v3' })).data.map((user) => user.email);",
      "const byEmail = (await management.usersByEmail.getByEmail({ email: 'KEEP@example.com' })).data.map((user) => user.email);",
      "const gone = (await management.users.getAll({ q: 'email:\"gone@example.com\"' })).data[0];",
      'await management.users.delete({ id: gone.user_id });',
      "api.user.setAppMetadata('sdk', { tokenType: grant.data.token_type, trials, byEmail });",
    ].join('\n'), { secrets })],
  });
  expect(result.failure).toBeUndefined();
  expect(result.appMetadata).toEqual({ sdk: { tokenType: 'Bearer', trials: ['gone@example.com'], byEmail: ['keep@example.com'] } });
  // The delete really happened on the tenant.
  const left = (await api.call('GET', '/api/v2/users')).body as Array<{ email: string }>;
  expect(left.map((user) => user.email)).toEqual(['keep@example.com']);
});
