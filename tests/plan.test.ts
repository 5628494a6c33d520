/**
 * The plan on its own: what it compares (what a0deploy writes, against what the tenant keeps) and how it
 * lists the sections it does not model. The deploys that prove it end to end are in deploy.e2e and
 * a0deploy-example.e2e.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cimdKey, type TenantModel } from '../scripts/deploy/model';
import { computePlan, covers, formatPlan, formatPlanMarkdown, sectionDigests } from '../scripts/deploy/plan';
import { runScript } from './support/project-copy';

const empty: TenantModel = { actions: [], triggers: {}, connections: [] };

/** One of a0deploy's own steps, run in a child process (tests/support/a0deploy-view.ts). */
function viewed<T>(call: string, ...args: unknown[]): T {
  const run = runScript(path.join(__dirname, 'support', 'a0deploy-view.ts'), [JSON.stringify({ call, args })], { cwd: __dirname });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as T;
}
const clientAsSent = (client: Record<string, unknown>) => viewed<Record<string, unknown>>('clientAsSent', client);
const loadAsDeployCli = (tenantPath: string, mappings: Record<string, string>) => viewed<Record<string, unknown>>('load', tenantPath, mappings);

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'plan-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return path.join(dir, 'tenant.yaml');
}

describe('covers: what tenant.yaml sets, held by the tenant', () => {
  it('holds where the tenant adds defaults beside the keys tenant.yaml writes, and not where a value differs', () => {
    expect(covers({ alg: 'RS256' }, { alg: 'RS256', lifetime_in_seconds: 36000, secret_encoded: false })).toBe(true);
    expect(covers({ alg: 'HS256' }, { alg: 'RS256', lifetime_in_seconds: 36000 })).toBe(false);
    expect(covers([{ name: 'a' }], [{ name: 'a', id: 'x' }])).toBe(true);
    expect(covers(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(covers(['a'], ['a', 'b'])).toBe(false);
    expect(covers({}, undefined)).toBe(true);
    expect(covers([], undefined)).toBe(true);
    expect(covers(null, undefined)).toBe(true);
    expect(covers(false, undefined)).toBe(false);
    expect(covers(3600, '3600')).toBe(false);
  });
});

describe('an application as a0deploy writes it', () => {
  it('renames the deprecated fields, and leaves out what a0deploy never writes on an update', () => {
    const sent = clientAsSent({
      name: 'App', cross_origin_auth: true, oidc_backchannel_logout: { backchannel_logout_urls: ['https://a.example/'] },
      jwt_configuration: { alg: 'RS256', secret_encoded: false }, token_vault_privileged_access: { ip_allowlist: ['10.0.0.1'] },
      signing_keys: [{ cert: 'x' }], client_authentication_methods: { private_key_jwt: { credentials: [] } }, token_endpoint_auth_method: 'private_key_jwt',
    });
    expect(sent).toEqual({ name: 'App', cross_origin_authentication: true, oidc_logout: { backchannel_logout_urls: ['https://a.example/'] }, jwt_configuration: { alg: 'RS256' } });
  });

  it('updates a client registered by metadata document on its editable fields only', () => {
    const sent = clientAsSent({ name: 'MCP', external_client_id: 'https://mcp.example/client.json', app_type: 'regular_web', grant_types: ['authorization_code'], callbacks: ['https://mcp.example/cb'] });
    expect(sent).toEqual({ name: 'MCP', external_client_id: 'https://mcp.example/client.json', app_type: 'regular_web', grant_types: ['authorization_code'] });
  });
});

describe('the plan of applications and APIs', () => {
  const desired = (yaml: string) => viewed<TenantModel>('desired', folder({ 'tenant.yaml': yaml }));

  it('matches a client registered by metadata document by its URL, whatever Auth0 named it', () => {
    const model = desired('clients:\n  - name: My CIMD Client\n    external_client_id: https://mcp.example/client.json\n    app_type: regular_web\n    grant_types: [authorization_code]\n');
    const live: TenantModel = { ...empty, clients: [{ name: 'https://mcp.example/client.json', key: cimdKey('https://mcp.example/client.json'), fields: { app_type: 'regular_web', grant_types: ['authorization_code'], callbacks: [] } }] };
    expect(computePlan('t', model, live, { allowDelete: true }).items).toEqual([]);
    const changed: TenantModel = { ...live, clients: [{ ...live.clients![0]!, fields: { app_type: 'regular_web', grant_types: ['authorization_code', 'refresh_token'] } }] };
    expect(computePlan('t', model, changed, { allowDelete: true }).items).toEqual([expect.objectContaining({ name: 'My CIMD Client', change: 'update', details: ['grant_types changed'] })]);
  });

  it('compares a system API on the fields a0deploy writes to it, and never offers to delete one', () => {
    const model = desired('resourceServers:\n  - name: Auth0 My Account API\n    identifier: https://t.example/me/\n    token_lifetime: 600\n    scopes: [{ value: read:me }]\n');
    const live: TenantModel = { ...empty, apis: [
      { name: 'https://t.example/me/', system: true, fields: { name: 'Auth0 My Account API', token_lifetime: 600, scopes: [{ value: 'read:me' }, { value: 'update:me' }] } },
      { name: 'https://t.example/api/v2/', system: true, fields: { name: 'Auth0 Management API' } },
    ] };
    expect(computePlan('t', model, live, { allowDelete: true }).items).toEqual([]);
    const longer: TenantModel = { ...live, apis: [{ ...live.apis![0]!, fields: { ...live.apis![0]!.fields, token_lifetime: 1200 } }, live.apis![1]!] };
    expect(computePlan('t', model, longer, { allowDelete: true }).items).toEqual([expect.objectContaining({ change: 'update', details: ['token_lifetime changed'] })]);
  });

  it('leaves the deploy client alone, as a0deploy does, when an export names it', () => {
    const model = desired('clients:\n  - name: Deploy CLI\n    app_type: non_interactive\n');
    const live: TenantModel = { ...empty, clients: [{ name: 'Deploy CLI', untouched: true, fields: { app_type: 'spa' } }] };
    expect(computePlan('t', model, live, { allowDelete: true }).items).toEqual([]);
    expect(computePlan('t', model, { ...empty, clients: [] }, { allowDelete: true }).items).toEqual([expect.objectContaining({ name: 'Deploy CLI', change: 'create' })]);
  });
});

describe('the sections the plan does not model', () => {
  it('digests each as a0deploy loads it, the files it names filled in, with keyword replacement', () => {
    const tenantPath = folder({
      'tenant.yaml': 'tenant:\n  friendly_name: "##NAME##"\nemailTemplates:\n  - template: welcome_email\n    enabled: true\n    body: ./emails/welcome.html\n',
      'emails/welcome.html': '<p>Welcome to ##NAME##</p>',
    });
    const loaded = loadAsDeployCli(tenantPath, { NAME: 'Acme' });
    expect(loaded.tenant).toEqual({ friendly_name: 'Acme' });
    expect(loaded.emailTemplates).toEqual([{ template: 'welcome_email', enabled: true, body: '<p>Welcome to Acme</p>' }]);
    expect(sectionDigests({ tenant: loaded.tenant })).not.toEqual(sectionDigests({ tenant: loadAsDeployCli(tenantPath, { NAME: 'Other' }).tenant }));
  });

  it('lists each as new, changed or unchanged against the ledger, and counts only the first two as changes', () => {
    const sections = sectionDigests({ tenant: { friendly_name: 'A' }, prompts: { identifier_first: true }, branding: { colors: {} } });
    const ledger = { ...sectionDigests({ tenant: { friendly_name: 'A' }, prompts: { identifier_first: false } }) };
    const plan = computePlan('the tenant', empty, empty, { allowDelete: false, ledger, sections });
    expect(plan.sections).toEqual([{ name: 'tenant', state: 'unchanged' }, { name: 'prompts', state: 'changed' }, { name: 'branding', state: 'new' }]);
    expect(plan.changes).toBe(2);
    const text = formatPlan(plan);
    expect(text).toContain('    = tenant  unchanged');
    expect(text).toContain('    ~ prompts  send (changed since the last deploy)');
    expect(text).toContain('    + branding  send (not deployed here from this checkout before)');
    expect(text).toContain('2 changes to deploy.');
    expect(formatPlanMarkdown(plan)).toContain('- unchanged: `tenant`');
    const settled = computePlan('the tenant', empty, empty, { allowDelete: false, ledger: sections, sections });
    expect(formatPlan(settled)).toContain('Nothing to deploy: the tenant matches tenant.yaml');
  });
});

describe('what a plan says changes for people', () => {
  const connection = (sync: 'on_each_login' | 'on_first_login' | 'never_on_login') => ({ name: 'google-oauth2', strategy: 'google-oauth2', section: 'connections' as const, sync, syncExplicit: true, options: {}, fields: {} });

  it('spells out a sync change, an Action that stops running, and how many users have no record yet', () => {
    const desired: TenantModel = { actions: [], triggers: { 'post-login': [{ action: 'root-attributes-post-login', displayName: undefined }] }, connections: [connection('on_first_login')] };
    const live: TenantModel = {
      actions: [],
      triggers: { 'post-login': [{ action: 'team-claims', displayName: undefined }, { action: 'root-attributes-post-login', displayName: undefined }] },
      connections: [connection('on_each_login')],
    };
    const plan = { ...computePlan('the tenant', desired, live, { allowDelete: false }), users: { users: 50_000, recorded: 1_200, at: '2026-12-01T00:00:00.000Z' } };
    const text = formatPlan(plan);
    expect(text).toContain("set_user_root_attributes on_each_login → on_first_login — the IdP will no longer update these users' names and pictures after their first login");
    expect(text).toContain('stops running at post-login: team-claims (not bound in tenant.yaml)');
    expect(text).toContain('users: 48,800 of 50,000 have no provenance record yet (audit of 2026-12-01T00:00:00.000Z)');
    expect(text).toContain('npm run users -- backfill gives them one now');
    expect(formatPlanMarkdown(plan)).toContain('Users: 48,800 of 50,000 have no provenance record yet');
    expect(formatPlan({ ...plan, users: { users: 3, recorded: 3, at: 'then' } })).toContain('users: every one of the 3 has a provenance record (audit of then)');
  });

  it('says what on_each_login and never_on_login do to the users', () => {
    const toEach = formatPlan(computePlan('t', { ...empty, connections: [connection('on_each_login')] }, { ...empty, connections: [connection('on_first_login')] }, { allowDelete: false }));
    expect(toEach).toContain('Auth0 will refuse Management API changes of them');
    const toNever = formatPlan(computePlan('t', { ...empty, connections: [connection('never_on_login')] }, { ...empty, connections: [connection('on_first_login')] }, { allowDelete: false }));
    expect(toNever).toContain('the connection will no longer create users at login');
  });
});
