/**
 * Actions with real npm dependencies, deployed by `npm run deploy` through a0deploy to the local tenant,
 * which installs them from the npm registry when it builds each action, then run during real logins:
 * axios against an HTTPS service, ipaddr.js, and the `auth0` SDK against the tenant itself (the example
 * in examples/management-api-name). Each proves it ran by an effect no stand-in could produce.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createPlainServer } from 'node:net';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { PROJECT_ROOT } from '../scripts/lib/build-actions';
import { spawnLocalTenant, type TenantProcess, clientWithScopes, managementApi, raw, type ManagementApi } from '@auth0-root-attributes/local-tenant';
import { workspace, type Workspace } from './support/workspace';
import { dependencyCacheDir } from '../scripts/lib/local-state';

jest.setTimeout(300_000);

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'management-api-name');
const FIXTURE = path.join(__dirname, 'fixtures', 'action-dependencies');
const PASSWORD = 'correct horse battery staple';
const cache = dependencyCacheDir();

let space: Workspace;
let port: number;
let tenant: TenantProcess;
let api: ManagementApi;
let service: Server;
const served: string[] = [];
const value = `fetched-${Date.now()}`;
let env: NodeJS.ProcessEnv;

/** Adds the actions and post-login bindings of `from` to the workspace's tenant.yaml, and copies their code. */
function merge(from: string): void {
  const target = parseDocument(readFileSync(space.tenantPath, 'utf8'));
  const source = parseDocument(readFileSync(path.join(from, 'tenant.yaml'), 'utf8')).toJS() as {
    actions: Array<{ name: string; code: string }>;
    triggers: { 'post-login': Array<{ action_name: string }> };
  };
  const known = new Set((target.get('actions') as { items: Array<{ get(key: string): unknown }> }).items.map((item) => item.get('name')));
  for (const action of source.actions.filter((candidate) => !known.has(candidate.name))) {
    target.addIn(['actions'], action);
    mkdirSync(path.join(space.dir, 'actions'), { recursive: true });
    copyFileSync(path.join(from, action.code), path.join(space.dir, action.code));
  }
  for (const role of (source as { roles?: unknown[] }).roles ?? []) {
    if (!target.has('roles')) target.set('roles', target.createNode([]));
    target.addIn(['roles'], role);
  }
  const bound = new Set((target.getIn(['triggers', 'post-login']) as { items: Array<{ get(key: string): unknown }> }).items.map((item) => item.get('action_name')));
  for (const binding of source.triggers['post-login'].filter((candidate) => !bound.has(candidate.action_name))) target.addIn(['triggers', 'post-login'], binding);
  writeFileSync(space.tenantPath, target.toString());
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createPlainServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as AddressInfo;
      server.close(() => resolve(free));
    });
  });
}

beforeAll(async () => {
  space = workspace();
  merge(EXAMPLE);
  merge(FIXTURE);
  port = await freePort();
  // The tenant's first start makes its CA and the machine-to-machine client the example's Action uses.
  const first = await spawnLocalTenant({ stateDir: space.stateDir, port });
  const copier = await clientWithScopes(first, await managementApi(first), 'Name copier', ['read:users', 'update:users']);
  const grant = first.state().clients.find((client) => client.name === 'Name copier')!;
  expect(copier.token).toBeTruthy();
  await first.close();
  // An HTTPS service for axios, with a certificate the tenant's CA signed (the CA the Actions trust).
  service = createServer({ cert: readFileSync(path.join(space.stateDir, 'server.pem')), key: readFileSync(path.join(space.stateDir, 'server-key.pem')) }, (request, response) => {
    served.push(request.url ?? '');
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ value }));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', () => resolve()));
  env = {
    ACTIONS_DEPENDENCY_CACHE: cache,
    NAME_COPIER_DOMAIN: `127.0.0.1:${port}`,
    NAME_COPIER_CLIENT_ID: grant.client_id,
    NAME_COPIER_CLIENT_SECRET: grant.client_secret,
    CLAIM_URL: `https://127.0.0.1:${(service.address() as AddressInfo).port}/claim`,
  };
});
afterAll(async () => {
  await tenant?.close();
  service?.close();
});

describe('Actions with npm dependencies on the local tenant', () => {
  it('deploys them through a0deploy: each action is built once its dependencies installed', async () => {
    const run = withEnv(env, () => space.deploy());
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('the tenant now matches tenant.yaml');
    expect(run.stdout).not.toContain(env.NAME_COPIER_CLIENT_SECRET);
    tenant = await spawnLocalTenant({ stateDir: space.stateDir, port, dependencyCache: cache });
    api = await managementApi(tenant);
    const { actions } = (await api.call('GET', '/api/v2/actions/actions?per_page=100')).body as { actions: Array<{ name: string; status: string; dependencies: unknown[] }> };
    expect(Object.fromEntries(actions.map((action) => [action.name, action.status]))).toEqual({
      'root-attributes-pre-user-registration': 'built',
      'root-attributes-post-login': 'built',
      'copy-signup-name': 'built',
      'fetch-claim': 'built',
      'ip-range': 'built',
    });
    expect(actions.find((action) => action.name === 'ip-range')?.dependencies).toEqual([{ name: 'ipaddr.js', version: '2.2.0' }]);
    // tenant.yaml's roles, with their permissions.
    const roles = (await api.call('GET', '/api/v2/roles')).body as Array<{ id: string; name: string; description: string }>;
    expect(roles).toEqual([{ id: expect.stringMatching(/^rol_/), name: 'Attribute auditor', description: 'Reads where users\' root attributes came from' }]);
    const permissions = (await api.call('GET', `/api/v2/roles/${roles[0]!.id}/permissions`)).body as Array<Record<string, string>>;
    expect(permissions).toEqual([expect.objectContaining({ permission_name: 'read:attribute-sources', resource_server_identifier: 'https://api.example.com/', resource_server_name: 'Sample API' })]);
  });

  it('runs them at login: axios reached the HTTPS service, ipaddr.js classified the IP, the auth0 SDK changed the name through the Management API', async () => {
    const { client_id: clientId, client_secret: clientSecret } = tenant.state().clients.find((client) => client.name === 'Default App')!;
    const post = (route: string, body: object) => raw(tenant, { method: 'POST', path: route, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const signup = await post('/dbconnections/signup', { client_id: clientId, connection: 'Username-Password-Authentication', email: 'ada@example.com', password: PASSWORD, user_metadata: { full_name: 'Ada Lovelace' } });
    expect(signup.status).toBe(200);
    const login = () => post('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: clientId, client_secret: clientSecret, username: 'ada@example.com', password: PASSWORD, realm: 'Username-Password-Authentication', scope: 'openid profile email' });

    // A role given through the Management API reaches post-login as event.authorization.roles.
    const userId = `auth0|${(signup.body as { _id: string })._id}`;
    const [role] = (await api.call('GET', '/api/v2/roles')).body as Array<{ id: string }>;
    const admin = await clientWithScopes(tenant, api, 'role admin', ['create:role_members', 'read:roles']);
    expect((await admin.call('POST', `/api/v2/users/${encodeURIComponent(userId)}/roles`, { roles: [role!.id] })).status).toBe(204);

    const first = await login();
    expect(first.status).toBe(200);
    const claims = JSON.parse(Buffer.from((first.body as { id_token: string }).id_token.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims['https://test.example/fetched']).toBe(value);
    expect(claims['https://test.example/ip_range']).toBe('ipv4:loopback');
    expect(claims['https://test.example/roles']).toEqual(['Attribute auditor']);
    expect(served).toEqual([`/claim?user=${encodeURIComponent(userId)}`]);

    const [user] = (await api.call('GET', `/api/v2/users-by-email?email=ada%40example.com`)).body as Array<{ user_id: string; name: string; app_metadata: { root_attributes: { attributes: Record<string, { source: string }> } } }>;
    expect(user?.name).toBe('Ada Lovelace');
    expect(user?.app_metadata.root_attributes.attributes.name?.source).not.toBe('management_api');

    expect((await login()).status).toBe(200);
    const after = (await api.call('GET', `/api/v2/users/${encodeURIComponent(userId)}`)).body as { name: string; app_metadata: { root_attributes: { attributes: Record<string, { source: string }> } } };
    expect(after.name).toBe('Ada Lovelace');
    expect(after.app_metadata.root_attributes.attributes.name?.source).toBe('management_api');
  });

  it('fails the build of a dependency version that does not exist, and the deploy says why', async () => {
    await tenant.close();
    writeFileSync(space.tenantPath, readFileSync(space.tenantPath, 'utf8').replace(/version: 2\.2\.0/, 'version: 99.0.0'));
    const run = withEnv(env, () => space.deploy());
    expect(run.status).not.toBe(0);
    // Only the changed dependency differs: the roles, clients and everything else match tenant.yaml.
    expect(run.stdout).toContain('1 change to deploy.');
    expect(run.stdout + run.stderr).toContain('deploy failed: a0deploy exited with code 1: The action \'ip-range\' failed to build: no version of ipaddr.js matches "99.0.0" in the npm registry');
    tenant = await spawnLocalTenant({ stateDir: space.stateDir, port, dependencyCache: cache });
    api = await managementApi(tenant);
    const { actions } = (await api.call('GET', '/api/v2/actions/actions?actionName=ip-range')).body as { actions: Array<{ status: string; build_error?: { message: string }; deployed_version?: { dependencies: unknown[] } }> };
    expect(actions[0]).toMatchObject({ status: 'failed', build_error: { message: 'no version of ipaddr.js matches "99.0.0" in the npm registry' } });
    // The version deployed before stays deployed.
    expect(actions[0]?.deployed_version?.dependencies).toEqual([{ name: 'ipaddr.js', version: '2.2.0' }]);
  });
});

/** Runs `fn` with extra environment variables (the workspace's deploy passes its environment on). */
function withEnv<T>(extra: NodeJS.ProcessEnv, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(extra).map((key) => [key, process.env[key]]));
  Object.assign(process.env, extra);
  try {
    return fn();
  } finally {
    for (const [key, previous] of Object.entries(saved)) {
      if (previous === undefined) delete process.env[key];
      else process.env[key] = previous;
    }
  }
}
