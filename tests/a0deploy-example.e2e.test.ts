/**
 * A team's whole tenant.yaml, as nobody here wrote it: auth0-deploy-cli's own example (37 sections,
 * tests/fixtures/a0deploy-example, ORIGIN.md says what was adapted) deployed by the real a0deploy to a fresh
 * local tenant, exported with no exclusions, and the export deployed again — changing nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { managementApi, protectedRoutes, spawnLocalTenant, type ManagementApi, type TenantProcess } from '@auth0-root-attributes/local-tenant';
import { a0deployBin } from '../scripts/deploy/a0deploy';

jest.setTimeout(600_000);

const EXAMPLE = path.join(__dirname, 'fixtures', 'a0deploy-example');

let tenant: TenantProcess;
let api: ManagementApi;
let deployClient: { client_id: string; client_secret: string };

beforeAll(async () => {
  tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'a0deploy-example-')) });
  api = await managementApi(tenant);
  // A deploy client with every scope the tenant's routes take: what deploying every section needs.
  const scopes = [...new Set(protectedRoutes().flatMap((route) => route.scopes))];
  deployClient = (await api.call('POST', '/api/v2/clients', { name: 'whole-tenant deploy', app_type: 'non_interactive' })).body as typeof deployClient;
  expect((await api.call('POST', '/api/v2/client-grants', { client_id: deployClient.client_id, audience: `https://${tenant.domain}/api/v2/`, scope: scopes })).status).toBe(201);
  // What the test reads, it reads as that client.
  api = await managementApi(tenant, { clientId: deployClient.client_id, clientSecret: deployClient.client_secret });
});
afterAll(() => tenant?.close());

/** A value for every placeholder the example uses. */
function mappings(): Record<string, unknown> {
  const names = [...readFileSync(path.join(EXAMPLE, 'tenant.yaml'), 'utf8').matchAll(/##([A-Z0-9_]+)##/g)].map((match) => match[1] ?? '');
  return { ...Object.fromEntries(names.map((name) => [name, `x-${name.toLowerCase()}`])), ENV: 'dev', AUTH0_DOMAIN: tenant.domain };
}

/**
 * What a team sets for the placeholders a0deploy's export writes in place of secrets it does not export (its
 * "keyword preservation"): the values the example had.
 */
const EXPORTED_SECRETS = { SMTP_USER: 'smtp_user', CONNECTIONS_WAAD_SECRET: 'some_client_secret', CONNECTIONS_GOOGLE_APPS_SECRET: 'some_client_secret' };

/** Runs the real a0deploy against the tenant; its output, without colours. */
function a0deploy(args: string[]): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'a0deploy-example-config-'));
  const config = path.join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ AUTH0_DOMAIN: tenant.domain, AUTH0_CLIENT_ID: deployClient.client_id, AUTH0_CLIENT_SECRET: deployClient.client_secret, AUTH0_KEYWORD_REPLACE_MAPPINGS: { ...mappings(), ...EXPORTED_SECRETS }, AUTH0_ALLOW_DELETE: false }), { mode: 0o600 });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [a0deployBin(), ...args, '-c', config, '--env=false'], { env: { ...process.env, NODE_EXTRA_CA_CERTS: tenant.caPath, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output: output.replace(/\u001b\[[0-9;]*m/g, '') }));
  });
}

/**
 * What an a0deploy import changes whatever it imports, left out of the comparison: times, and the version of
 * every Action (a0deploy deploys each Action again on every run — why `npm run deploy` skips a0deploy when
 * nothing changed). a0deploy's export sorts attack protection's lists, which the tenant keeps as sent.
 */
const COMPARABLE = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (key, item: unknown) => {
    if (['created_at', 'updated_at', 'last_login', 'deployed_version', 'versions'].includes(key)) return undefined;
    if (['shields', 'allowlist', 'admin_notification_frequency'].includes(key) && Array.isArray(item)) return [...item].sort();
    return item;
  }));

/** What the tenant holds of the example's sections, as the Management API serves it. */
async function snapshot(): Promise<Record<string, unknown>> {
  const paths = [
    '/api/v2/tenants/settings', '/api/v2/clients?is_global=false', '/api/v2/connections', '/api/v2/resource-servers', '/api/v2/client-grants', '/api/v2/roles',
    '/api/v2/organizations', '/api/v2/forms', '/api/v2/flows', '/api/v2/log-streams', '/api/v2/custom-domains', '/api/v2/prompts', '/api/v2/emails/provider',
    '/api/v2/attack-protection/brute-force-protection', '/api/v2/attack-protection/suspicious-ip-throttling', '/api/v2/attack-protection/breached-password-detection',
    '/api/v2/guardian/factors', '/api/v2/guardian/policies', '/api/v2/actions/actions', '/api/v2/network-acls', '/api/v2/self-service-profiles', '/api/v2/event-streams',
  ];
  const answers = await Promise.all(paths.map(async (route) => [route, COMPARABLE((await api.call('GET', route)).body)] as const));
  return Object.fromEntries(answers);
}

describe("a0deploy's own example", () => {
  let exported: string;

  it('is imported whole: every section is accepted and served back', async () => {
    const run = await a0deploy(['import', '-i', path.join(EXAMPLE, 'tenant.yaml')]);
    expect({ code: run.code, tail: run.output.split('\n').slice(-5).join('\n') }).toMatchObject({ code: 0, tail: expect.stringContaining('Import Successful') });
    // A second run resolves what the first could not yet (references to resources it created later in the run).
    expect((await a0deploy(['import', '-i', path.join(EXAMPLE, 'tenant.yaml')])).code).toBe(0);
    expect((await api.call('GET', '/api/v2/tenants/settings')).body).toMatchObject({ friendly_name: 'Auth0 Deploy Example' });
    expect(((await api.call('GET', '/api/v2/organizations')).body as Array<{ name: string }>).map((org) => org.name)).toContain('my-organization');
    expect(((await api.call('GET', '/api/v2/forms')).body as Array<{ name: string }>).map((form) => form.name)).toContain('New Kyc form');
    // The login page went into the global client, not into one of the example's apps.
    const global = ((await api.call('GET', '/api/v2/clients?is_global=true')).body as Array<Record<string, unknown>>)[0];
    expect(global).toMatchObject({ global: true, custom_login_page: expect.stringContaining('Env is "dev"') });
    const apps = (await api.call('GET', '/api/v2/clients?is_global=false')).body as Array<Record<string, unknown>>;
    expect(apps.filter((app) => app.custom_login_page !== undefined)).toEqual([]);
  });

  it('is exported with no exclusions, and deploying the export changes nothing', async () => {
    exported = mkdtempSync(path.join(tmpdir(), 'a0deploy-example-export-'));
    const exportRun = await a0deploy(['export', '-f', 'yaml', '-o', exported]);
    expect({ code: exportRun.code, tail: exportRun.output.split('\n').slice(-3).join('\n') }).toMatchObject({ code: 0, tail: expect.stringContaining('Export Successful') });
    const before = await snapshot();
    const again = await a0deploy(['import', '-i', path.join(exported, 'tenant.yaml')]);
    expect({ code: again.code, tail: again.output.split('\n').slice(-40).join('\n') }).toMatchObject({ code: 0, tail: expect.stringContaining('Import Successful') });
    expect(await snapshot()).toEqual(before);
  });
});
