/**
 * End to end: `npm run deploy` as a child process, the real a0deploy as its child, the local tenant over
 * real HTTPS. Nothing is mocked between them. Each a0deploy run takes a while (its schema compilation).
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnLocalTenant, managementApi, type ManagementApi } from '@auth0-root-attributes/local-tenant';
import { runScript } from './support/project-copy';
import { copySample, SAMPLE, samplePolicyText } from './support/sample';

jest.setTimeout(240_000);

const SECRET = 'gs-not-to-be-printed-4821';
const workspace = mkdtempSync(path.join(tmpdir(), 'deploy-e2e-'));
const tenantPath = path.join(workspace, 'tenant.yaml');
const stateDir = path.join(workspace, 'state');
copySample(workspace);

const ENV = { LOCAL_TENANT_DIR: stateDir, GOOGLE_CLIENT_SECRET: SECRET };

function deploy(...args: string[]) {
  const result = runScript('deploy.ts', ['--tenant', tenantPath, ...args], { cwd: workspace, env: ENV });
  return { ...result, output: result.stdout + result.stderr };
}

/** Opens the same local tenant (its state folder) in a process of its own to look at what the deploy left. */
async function inspect<T>(look: (api: ManagementApi, state: Awaited<ReturnType<typeof spawnLocalTenant>>) => Promise<T>): Promise<T> {
  const tenant = await spawnLocalTenant({ stateDir });
  try {
    return await look(await managementApi(tenant), tenant);
  } finally {
    await tenant.close();
  }
}

interface Action {
  name: string;
  code: string;
  all_changes_deployed: boolean;
  deployed_version?: { code: string; number: number };
}

const bundle = (name: string) => readFileSync(path.join(workspace, 'build', 'actions', `${name}.js`), 'utf8');

describe('npm run deploy to the local tenant', () => {
  it('deploys into an empty tenant: both actions with the bundles\' exact code, bindings in order, every connection with its sync setting', async () => {
    const run = deploy();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('deployed 13 changes to the local tenant');
    expect(run.stdout).toContain('a0deploy: ');
    expect(run.stdout).toMatch(/Created \[databases\]: \{"name":"Username-Password-Authentication"/);
    expect(run.output).not.toContain(SECRET);
    // Secrets at rest: the ledger keeps digests, never the IdP secret; what holds secrets is the owner's alone.
    const ledger = readFileSync(path.join(stateDir, 'deployments.json'), 'utf8');
    expect(ledger).not.toContain(SECRET);
    expect(Object.values(JSON.parse(ledger) as Record<string, string>).every((digest) => /^[0-9a-f]{64}$/.test(digest))).toBe(true);
    for (const file of ['deployments.json', 'tenant.db', 'server-key.pem']) {
      expect(existsSync(path.join(stateDir, file))).toBe(true);
      expect({ file, mode: statSync(path.join(stateDir, file)).mode & 0o777 }).toEqual({ file, mode: 0o600 });
    }
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);

    await inspect(async (api, tenant) => {
      const { actions } = (await api.call('GET', '/api/v2/actions/actions?page=0&per_page=100')).body as { actions: Action[] };
      // Both actions and no other, in any order: a0deploy creates them concurrently (as it does connections, below).
      // The order that matters, each trigger's bindings, is checked below.
      expect(actions.map((a) => a.name).sort()).toEqual(['root-attributes-post-login', 'root-attributes-pre-user-registration']);
      for (const [name, file] of [['root-attributes-pre-user-registration', 'pre-user-registration'], ['root-attributes-post-login', 'post-login']] as const) {
        const action = actions.find((candidate) => candidate.name === name)!;
        expect(action.code).toBe(bundle(file));
        expect(action.all_changes_deployed).toBe(true);
        expect(action.deployed_version?.code).toBe(bundle(file));
      }
      for (const [trigger, names] of [['pre-user-registration', ['root-attributes-pre-user-registration']], ['post-login', ['root-attributes-post-login']]] as const) {
        const { bindings } = (await api.call('GET', `/api/v2/actions/triggers/${trigger}/bindings`)).body as { bindings: Array<{ action: { name: string } }> };
        expect(bindings.map((binding) => binding.action.name)).toEqual(names);
      }
      // The applications, the API and the grant tenant.yaml lists, as a0deploy sent them.
      const state = tenant.state();
      const apps = Object.fromEntries(state.clients.map((client) => [client.name, client]));
      expect(apps['Sample single-page app']).toMatchObject({ app_type: 'spa', token_endpoint_auth_method: 'none', callbacks: ['https://127.0.0.1:3000/'], web_origins: ['https://127.0.0.1:3000'] });
      expect(apps['Sample web app']).toMatchObject({ app_type: 'regular_web', grant_types: ['authorization_code', 'refresh_token'], allowed_logout_urls: ['https://127.0.0.1:3001/'] });
      expect(state.resourceServers?.map((api) => [api.identifier, api.scopes.map((scope) => scope.value)])).toEqual([['https://api.example.com/', ['read:attribute-sources']]]);
      expect(state.clientGrants.filter((grant) => grant.audience === 'https://api.example.com/')).toEqual([expect.objectContaining({ client_id: apps['Sample worker']?.client_id, scope: ['read:attribute-sources'] })]);
      const stored = Object.fromEntries(tenant.state().connections.map((c) => [c.name, c]));
      // Every connection, in any order: a0deploy creates them concurrently, so the order they arrive in is its own.
      expect(Object.keys(stored).sort()).toEqual(['Username-Password-Authentication', 'corp-oidc', 'email', 'google-oauth2']);
      expect(stored['Username-Password-Authentication']?.strategy).toBe('auth0');
      expect(stored['google-oauth2']?.options).toMatchObject({ set_user_root_attributes: 'on_first_login', client_secret: SECRET });
      expect(stored['corp-oidc']?.options).toMatchObject({ set_user_root_attributes: 'on_each_login' });
      expect(stored.email?.options).toMatchObject({ email: { body: readFileSync(path.join(SAMPLE, 'connections', 'passwordless-email.html'), 'utf8') } });
      // What Auth0 answers: the default is left out.
      const { connections } = (await api.call('GET', '/api/v2/connections?take=50')).body as { connections: Array<{ name: string; options: Record<string, unknown> }> };
      expect(connections.find((c) => c.name === 'corp-oidc')?.options).not.toHaveProperty('set_user_root_attributes');
    });
  });

  it('has an empty plan the second time, and changes nothing', async () => {
    const versions = async () => inspect(async (api) => ((await api.call('GET', '/api/v2/actions/actions')).body as { actions: Action[] }).actions.map((a) => a.deployed_version?.number));
    const before = await versions();
    const run = deploy();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Nothing to deploy: the tenant matches tenant.yaml, so a0deploy is not run.');
    expect(run.stdout).not.toContain('a0deploy: ');
    expect(await versions()).toEqual(before);
  });

  it('says what the audit says of a connection on the tenant that tenant.yaml lacks: no "matches", and the audit fails on it', async () => {
    const id = await inspect(async (api) => ((await api.call('POST', '/api/v2/connections', { name: 'legacy-db', strategy: 'auth0' })).body as { id: string }).id);
    try {
      const plan = deploy('--plan');
      expect(plan.status).toBe(0);
      expect(plan.stdout).toContain('= legacy-db  kept (deploy --allow-delete deletes it)');
      expect(plan.stdout).toContain('Nothing to deploy, but the tenant does not match tenant.yaml: the tenant also has connection legacy-db, on the tenant but not in tenant.yaml (npm run audit reports this as drift;');
      expect(plan.stdout).not.toContain('the tenant matches tenant.yaml');
      const audit = runScript('audit.ts', ['--tenant', tenantPath, '--no-users', '--json'], { cwd: workspace, env: ENV });
      expect(audit.status).toBe(1);
      expect((JSON.parse(audit.stdout) as { drift: unknown[] }).drift).toEqual([{ kind: 'connection', name: 'legacy-db', problem: 'on the tenant but not in tenant.yaml' }]);
    } finally {
      await inspect(async (api) => expect((await api.call('DELETE', `/api/v2/connections/${id}`)).status).toBe(202));
    }
  });

  it('plans a policy change as a change of the actions that inline the policy, and of nothing else', () => {
    const policyFile = path.join(workspace, 'policy.ts');
    writeFileSync(policyFile, samplePolicyText(policyFile).replace("namespace: 'https://example.com/'", "namespace: 'https://identity.example.org/'"));
    const run = deploy('--plan', '--policy', policyFile);
    expect(run.status).toBe(0);
    const items = run.stdout.split('\n').filter((line) => /^ {4}[+~=-] /.test(line)).map((line) => line.trim());
    // The tenant's own Default App (every Auth0 tenant has one) is not in tenant.yaml: kept, and not a change.
    expect(items).toEqual(['~ root-attributes-pre-user-registration  update', '~ root-attributes-post-login  update', '= Default App  kept (deploy --allow-delete deletes it)']);
    expect(run.stdout).toMatch(/code sha256 [0-9a-f]{12} → [0-9a-f]{12}/);
    expect(run.stdout).toContain('2 changes to deploy.');
  });

  it('shows a connection reset behind the project\'s back as drift, and the next deploy puts it back', async () => {
    await inspect(async (api) => {
      const { connections } = (await api.call('GET', '/api/v2/connections?name=google-oauth2')).body as { connections: Array<{ id: string; options: Record<string, unknown> }> };
      const google = connections[0]!;
      const { set_user_root_attributes: _sync, ...reset } = google.options;
      expect((await api.call('PATCH', `/api/v2/connections/${google.id}`, { options: reset })).status).toBe(200);
    });
    const plan = deploy('--plan');
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('~ google-oauth2  update — drift: changed on the tenant since the last deploy');
    expect(plan.stdout).toContain('set_user_root_attributes on_each_login → on_first_login');
    expect(plan.stdout).not.toContain('(the default)');
    expect(plan.stdout).toContain('1 change to deploy.');

    const run = deploy();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('the tenant now matches tenant.yaml');
    const options = await inspect(async (api) => ((await api.call('GET', '/api/v2/connections?name=google-oauth2')).body as { connections: Array<{ options: Record<string, unknown> }> }).connections[0]?.options);
    expect(options).toMatchObject({ set_user_root_attributes: 'on_first_login' });
  });

  it('deletes what tenant.yaml does not list with --allow-delete — on a fresh tenant, its Default App — and keeps its own client', async () => {
    const plan = deploy('--plan', '--allow-delete');
    expect(plan.status).toBe(0);
    expect(plan.stdout).toMatch(/- Default App {2}delete/);
    const run = deploy('--allow-delete');
    expect({ status: run.status, stderr: run.stderr }).toMatchObject({ status: 0 });
    const names = await inspect(async (api) => ((await api.call('GET', '/api/v2/clients')).body as Array<{ name: string }>).map((client) => client.name));
    expect(names).not.toContain('Default App');
    expect(names).toContain('auth0-root-attributes CLI');
  });

  it('refuses to deploy a tenant.yaml the checker rejects, and sends nothing', () => {
    writeFileSync(tenantPath, readFileSync(tenantPath, 'utf8').replace('set_user_root_attributes: on_first_login', 'set_user_root_attributes: on_first_logon'));
    const run = deploy();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error sync-invalid');
    expect(run.stderr).toMatch(/deploy aborted: npm run check found \d+ errors?; nothing was sent/);
    expect(run.stdout).not.toContain('Plan for');
  });
});
