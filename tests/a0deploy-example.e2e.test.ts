/**
 * A team's whole tenant.yaml, as nobody here wrote it: auth0-deploy-cli's own example (36 sections,
 * tests/fixtures/a0deploy-example, ORIGIN.md says what was adapted) deployed with `npm run deploy -- --tenant`
 * to a fresh local tenant — the real a0deploy, as the local CLI client with exactly the README's scopes — then
 * deployed again (nothing to deploy), checked, `--allow-delete`d, exported by a0deploy with no exclusions, and
 * the export checked and deployed: the tenant unchanged.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { managementApi, spawnLocalTenant, type ManagementApi, type TenantProcess } from '@auth0-root-attributes/local-tenant';
import { exportWithA0deploy } from '../scripts/deploy/a0deploy';
import { runScript } from './support/project-copy';
import { workspaceAt } from './support/workspace';

jest.setTimeout(600_000);

const EXAMPLE = path.join(__dirname, 'fixtures', 'a0deploy-example');
const POLICY = path.join(__dirname, 'fixtures', 'a0deploy-example.policy.ts');

const dir = mkdtempSync(path.join(tmpdir(), 'a0deploy-example-'));
cpSync(EXAMPLE, dir, { recursive: true });
const space = workspaceAt(dir, { policy: POLICY });

/**
 * What a team sets for the placeholders a0deploy's export writes in place of the secrets it does not export:
 * the values the first deploy used (the local tenant's stand-ins for the example's own placeholders).
 */
const EXPORTED_SECRETS = { CONNECTIONS_WAAD_SECRET: 'local-myad_waad_client_secret', CONNECTIONS_GOOGLE_APPS_SECRET: 'local-google_workspace_client_secret', SMTP_USER: 'smtp_user' };

/** Opens the tenant the deploys left, in a process of its own, as the CLI client they deployed with. */
async function withTenant<T>(look: (api: ManagementApi, tenant: TenantProcess) => Promise<T>): Promise<T> {
  const tenant = await spawnLocalTenant({ stateDir: space.stateDir });
  try {
    return await look(await managementApi(tenant), tenant);
  } finally {
    await tenant.close();
  }
}

/** `npm run check` of a tenant.yaml with the example's policy. */
const check = (tenantPath: string) => runScript('check.ts', ['--tenant', tenantPath, '--policy', POLICY], { cwd: path.dirname(tenantPath) });

/** The sections a tenant.yaml has, in its order (every one a0deploy knows, in the example). */
const sectionsOf = (tenantPath: string) => [...readFileSync(tenantPath, 'utf8').matchAll(/^([A-Za-z]+):/gm)].map((match) => match[1]);

/**
 * What an a0deploy run changes whatever it deploys, left out of the comparison: times, and the version of
 * every Action (a0deploy deploys each Action again on every run — why `npm run deploy` skips a0deploy when
 * nothing changed). a0deploy's export sorts attack protection's lists, which the tenant keeps as sent.
 */
const COMPARABLE = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (key, item: unknown) => {
    if (['created_at', 'updated_at', 'last_login', 'deployed_version', 'versions'].includes(key)) return undefined;
    if (['shields', 'allowlist', 'admin_notification_frequency'].includes(key) && Array.isArray(item)) return [...item].sort();
    // Each time the tenant is opened it listens on a new port, which the Management API's identifier names.
    if (typeof item === 'string') return item.replace(/^https:\/\/127\.0\.0\.1:\d+\//, 'https://TENANT/');
    return item;
  }));

/** What the tenant holds of the example's sections, as the Management API serves it. */
function snapshot(): Promise<Record<string, unknown>> {
  const paths = [
    '/api/v2/tenants/settings', '/api/v2/clients?is_global=false', '/api/v2/clients?is_global=true', '/api/v2/connections', '/api/v2/resource-servers', '/api/v2/client-grants',
    '/api/v2/roles', '/api/v2/organizations', '/api/v2/forms', '/api/v2/flows', '/api/v2/log-streams', '/api/v2/custom-domains', '/api/v2/prompts', '/api/v2/emails/provider',
    '/api/v2/attack-protection/brute-force-protection', '/api/v2/attack-protection/suspicious-ip-throttling', '/api/v2/attack-protection/breached-password-detection',
    '/api/v2/guardian/factors', '/api/v2/guardian/policies', '/api/v2/actions/actions', '/api/v2/network-acls', '/api/v2/self-service-profiles', '/api/v2/event-streams',
  ];
  return withTenant(async (api) => Object.fromEntries(await Promise.all(paths.map(async (route) => [route, COMPARABLE((await api.call('GET', route)).body)] as const))));
}

/** The real a0deploy's export of the tenant as its CLI client (what `npm run adopt -- --env` runs); its output. */
function exportTenant(to: string): Promise<{ code: number | null; output: string }> {
  return withTenant(async (_api, tenant) => {
    let output = '';
    const run = await exportWithA0deploy({ target: tenant, outputDir: to, onLine: (line) => (output += `${line}\n`) });
    return { code: run.code, output };
  });
}

describe("a0deploy's own example, through npm run deploy", () => {
  it('is deployed whole — every section sent — and a second deploy has nothing to deploy', async () => {
    const first = space.deploy();
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: expect.not.stringContaining('deploy failed') });
    expect(first.stdout).toContain(`with a0deploy (sections ${sectionsOf(space.tenantPath).join(', ')})`);
    expect(first.stdout).toContain('+ attackProtection  send (not deployed here from this checkout before)');
    expect(first.stdout).toMatch(/deployed \d+ changes to the local tenant .*; the tenant now has what tenant\.yaml says, but|the tenant now matches tenant\.yaml/);

    await withTenant(async (api) => {
      expect((await api.call('GET', '/api/v2/tenants/settings')).body).toMatchObject({ friendly_name: 'Auth0 Deploy Example' });
      expect(((await api.call('GET', '/api/v2/organizations')).body as Array<{ name: string }>).map((org) => org.name)).toEqual(['my-organization']);
      expect(((await api.call('GET', '/api/v2/forms')).body as Array<{ name: string }>).map((form) => form.name)).toContain('New Kyc form');
      // The login page went into the global client, not into one of the example's apps.
      const global = ((await api.call('GET', '/api/v2/clients?is_global=true')).body as Array<Record<string, unknown>>)[0];
      expect(global).toMatchObject({ global: true, custom_login_page: expect.stringContaining('Env is "local-env"') });
      const apps = (await api.call('GET', '/api/v2/clients?is_global=false')).body as Array<Record<string, unknown>>;
      expect(apps.filter((app) => app.custom_login_page !== undefined)).toEqual([]);
    });

    const second = space.deploy();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('Nothing to deploy');
    expect(second.stdout).toContain('= attackProtection  unchanged');
    expect(second.stdout).not.toContain('a0deploy: ');
  });

  it('plans a changed file a section loads as that section sent again, and nothing else', () => {
    const template = path.join(dir, 'emails', 'change_email.html');
    const original = readFileSync(template, 'utf8');
    writeFileSync(template, `${original}\n<p>One more line.</p>\n`);
    try {
      const plan = space.deploy('--plan');
      expect(plan.status).toBe(0);
      expect(plan.stdout).toContain('~ emailTemplates  send (changed since the last deploy)');
      expect(plan.stdout).toContain('1 change to deploy.');
    } finally {
      writeFileSync(template, original);
    }
  });

  it('passes npm run check with no error', () => {
    const run = check(space.tenantPath);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^0 errors, \d+ warnings in /m);
  });

  it('with --allow-delete, removes the fresh tenant\'s Default App and keeps the deploy client', async () => {
    const plan = space.deploy('--plan', '--allow-delete');
    expect(plan.stdout).toContain('- Default App  delete');
    const run = space.deploy('--allow-delete');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('the tenant now matches tenant.yaml');
    await withTenant(async (api, tenant) => {
      const names = ((await api.call('GET', '/api/v2/clients?is_global=false')).body as Array<{ name: string; client_id: string }>);
      expect(names.map((client) => client.name)).not.toContain('Default App');
      expect(names.map((client) => client.client_id)).toContain(tenant.clientId);
    });
  });

  it('is exported with no exclusions; the export passes check, and deploying it changes nothing', async () => {
    const exported = mkdtempSync(path.join(tmpdir(), 'a0deploy-example-export-'));
    const run = await exportTenant(exported);
    expect({ code: run.code, tail: run.output.split('\n').slice(-3).join('\n') }).toMatchObject({ code: 0, tail: expect.stringContaining('Export Successful') });
    const exportPath = path.join(exported, 'tenant.yaml');
    const checked = check(exportPath);
    expect(checked.status).toBe(0);
    expect(checked.stdout).toMatch(/^0 errors, \d+ warnings in /m);

    const before = await snapshot();
    const deployExport = () => runScript('deploy.ts', ['--tenant', exportPath, '--policy', POLICY], { cwd: exported, env: { ...EXPORTED_SECRETS, LOCAL_TENANT_DIR: space.stateDir } });
    const deployed = deployExport();
    expect({ status: deployed.status, stderr: deployed.stderr }).toEqual({ status: 0, stderr: expect.not.stringContaining('deploy failed') });
    expect(await snapshot()).toEqual(before);
    const twice = deployExport();
    expect(twice.status).toBe(0);
    expect(twice.stdout).toContain('Nothing to deploy');
  });
});
