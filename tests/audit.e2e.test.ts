/**
 * `npm run audit` and `npm run users` against a seeded local tenant: a copy of one real deploy
 * (tests/support/deployed.ts), then drift and users planted through the Management API. The audit must
 * find each planted problem and nothing else; refusals must come before any request.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type TenantProcess as LocalTenant, type ManagementApi } from '@auth0-root-attributes/local-tenant';
import { deployedWorkspace } from './support/deployed';
import type { Workspace } from './support/workspace';
import { defaultAppOf, defaultClientOf, postJson, spaceCli, withSpaceTenant } from './support/space-cli';

jest.setTimeout(240_000);

let space: Workspace;

const cli = (script: string, args: string[], env: NodeJS.ProcessEnv = {}) => spaceCli(space, script, args, env);

const withTenant = <T>(fn: (api: ManagementApi, tenant: LocalTenant) => Promise<T>) => withSpaceTenant(space, fn);

const post = postJson;
const clientOf = defaultClientOf;

beforeAll(async () => {
  space = await deployedWorkspace();
  await withTenant(async (api, tenant) => {
    const client = clientOf(tenant);
    // Users that keep to the policy.
    await post(tenant, '/local/upstream-login', { client_id: client, client_secret: defaultAppOf(tenant).client_secret, connection: 'google-oauth2', profile: { user_id: 'good-1', name: 'Good One', picture: 'https://lh3.googleusercontent.com/a/1' } });
    await post(tenant, '/dbconnections/signup', { client_id: client, connection: 'Username-Password-Authentication', email: 'fine@example.com', password: 'a long enough password', name: 'Fine Person' });
    // Planted: two signups the pre-user-registration Action denies, one that is refused before it.
    for (const email of ['spam1@example.com', 'spam2@example.com']) await post(tenant, '/dbconnections/signup', { client_id: client, connection: 'Username-Password-Authentication', email, password: 'a long enough password', name: 'Visit www.spam.example.com' });
    await post(tenant, '/dbconnections/signup', { client_id: client, connection: 'Username-Password-Authentication', email: 'weak@example.com', password: 'short' });
    // Planted: a user with no provenance record whose name breaks a value rule.
    await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', email: 'norecord@example.com', password: 'a long enough password', name: 'Visit www.spam.example.com' });
    // Planted: a record edited by hand to claim a source corp-oidc does not allow.
    await post(tenant, '/local/upstream-login', { client_id: client, client_secret: defaultAppOf(tenant).client_secret, connection: 'corp-oidc', profile: { user_id: 'tampered', name: 'Tam Pered', given_name: 'Tam', family_name: 'Pered' } });
    const user = tenant.state().users.find((candidate) => candidate.user_id === 'oidc|corp-oidc|tampered')!;
    const record = structuredClone(user.app_metadata.root_attributes) as { attributes: { name: { source: string } } };
    record.attributes.name.source = 'management_api';
    await api.call('PATCH', '/api/v2/users/oidc%7Ccorp-oidc%7Ctampered', { app_metadata: { root_attributes: record } });
    // Planted drift: a connection reset to the default, and an action edited on the tenant.
    const google = tenant.state().connections.find((connection) => connection.name === 'google-oauth2')!;
    const { set_user_root_attributes: _sync, ...options } = google.options;
    await api.call('PATCH', `/api/v2/connections/${google.id}`, { options });
    const action = tenant.state().actions.find((candidate) => candidate.name === 'root-attributes-post-login')!;
    await api.call('PATCH', `/api/v2/actions/actions/${action.id}`, { code: `${action.code}\n// edited in the dashboard` });
  });
});

describe('npm run audit', () => {
  it('finds each planted drift and each planted violation, and nothing else', () => {
    const run = cli('audit.ts', ['--json']);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { denials: unknown; drift: Array<{ kind: string; name: string; problem: string }>; users: { users: number; withoutRecord: number; violations: number; examples: Array<{ user_id: string; code: string }>; sources: Record<string, Record<string, Record<string, number>>> }; broken: boolean };
    expect(report.drift).toEqual([
      { kind: 'action', name: 'root-attributes-post-login', problem: expect.stringMatching(/^code on the tenant \(sha256 \w{12}\) is not the built bundle \(\w{12}\)$/) },
      { kind: 'action', name: 'root-attributes-post-login', problem: 'has changes that are not deployed' },
      { kind: 'connection', name: 'google-oauth2', problem: 'syncs on_each_login on the tenant; tenant.yaml says on_first_login' },
    ]);
    expect(report.users.users).toBe(4);
    expect(report.users.withoutRecord).toBe(1);
    expect(report.users.examples.map((v) => `${v.user_id} ${v.code}`).sort()).toEqual([
      expect.stringMatching(/^auth0\|\w+ name\.web-address$/),
      'oidc|corp-oidc|tampered name.source-not-allowed',
    ]);
    expect(report.users.violations).toBe(2);
    expect(report.users.sources['google-oauth2']?.picture).toEqual({ idp: 1 });
    expect(report.users.sources['corp-oidc']?.name).toEqual({ management_api: 1 });
    // The denials of the period, from the tenant's logs: counts by reason, nothing else of the events.
    expect(report.denials).toEqual({ from: expect.any(String), to: expect.any(String), truncated: false, logins: {}, signups: { 'name.web-address': 2, 'Password is too weak: use 12 to 72 characters.': 1 } });
    expect(report.broken).toBe(true);
  });

  it('prints a report a person reads at a glance, and Markdown for a CI summary', () => {
    const text = cli('audit.ts', []);
    expect(text.stdout).toContain('Tenant against tenant.yaml: 3 differences');
    expect(text.stdout).toMatch(/Username-Password-Authentication +name +1 +1/);
    expect(text.stdout).toContain('without a provenance record: 1');
    expect(text.stdout).toContain('Result: the tenant breaks the policy (exit code 1).');
    expect(text.stdout).not.toContain('spam.example.com');
    expect(text.stdout).toMatch(/Denied logins and signups by reason \(\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\)\n.*\n.*\n  signup +name\.web-address +2/);
    const markdown = cli('audit.ts', ['--markdown']);
    expect(markdown.stdout).toContain('## Root-attribute audit of');
    expect(markdown.stdout).toContain('| connection | `google-oauth2` | syncs on_each_login on the tenant; tenant.yaml says on_first_login |');
  });

  it('reads users from an export file, gzipped or not', () => {
    const users = [
      { user_id: 'google-oauth2|f1', identities: [{ connection: 'google-oauth2' }], name: 'From File', app_metadata: {} },
      { user_id: 'google-oauth2|f2', identities: [{ connection: 'google-oauth2' }], picture: 'http://insecure.example/p.png', app_metadata: {} },
    ];
    const file = path.join(space.dir, 'export.ndjson.gz');
    writeFileSync(file, gzipSync(`${users.map((user) => JSON.stringify(user)).join('\n')}\nnot json\n`));
    const run = cli('audit.ts', ['--json', '--users-file', file]);
    const report = JSON.parse(run.stdout) as { users: { users: number; unreadable: number; withoutRecord: number; examples: Array<{ code: string }> } };
    expect(report.users.users).toBe(2);
    expect(report.users.unreadable).toBe(1);
    expect(report.users.withoutRecord).toBe(2);
    expect(report.users.examples.map((v) => v.code)).toEqual(['picture.https', 'picture.host-not-allowed']);
  });
});

describe('npm run users', () => {
  const unreachable = { AUTH0_DOMAIN: '127.0.0.1:9', AUTH0_CLIENT_ID: 'x', AUTH0_CLIENT_SECRET: 'y' };

  it('refuses an update on an on_each_login user before any request is sent', () => {
    // The target is a port where nothing listens: any request would fail with a connection error.
    const run = cli('users.ts', ['update', 'oidc|corp-oidc|tampered', '--set', 'name=Someone Else'], unreachable);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error refused: "corp-oidc" syncs on_each_login');
    expect(run.stderr).not.toContain('ECONNREFUSED');
  });

  it('refuses values that break the value rules, naming the rule', () => {
    const run = cli('users.ts', ['update', 'google-oauth2|good-1', '--set', 'picture=http://evil.example/x.png'], unreachable);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("refused: picture.https: Your profile picture must be an https address.");
  });

  it('refuses an update when the tenant\'s connection syncs on_each_login, even where tenant.yaml says otherwise (drift)', () => {
    const run = cli('users.ts', ['update', 'google-oauth2|good-1', '--set', 'picture=https://lh3.googleusercontent.com/a/new']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error refused: "google-oauth2" syncs on_each_login on the tenant (tenant.yaml says on_first_login)');
  });

  it('updates with the management_api stamp in the same write, which the next login keeps', async () => {
    const userId = await withTenant(async (_api, tenant) => tenant.state().users.find((candidate) => candidate.email === 'fine@example.com')!.user_id);
    const run = cli('users.ts', ['update', userId, '--set', 'name=Fine Person Renamed', '--set', 'nickname=fine']);
    expect(run.stdout).toContain(`updated name, nickname of ${userId} (Username-Password-Authentication); provenance management_api recorded in the same write`);
    await withTenant(async (_api, tenant) => {
      const login = await post(tenant, '/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: clientOf(tenant), client_secret: defaultAppOf(tenant).client_secret, username: 'fine@example.com', password: 'a long enough password', realm: 'Username-Password-Authentication', scope: 'openid' });
      const claims = JSON.parse(Buffer.from((login.body as { id_token: string }).id_token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
      expect(claims['https://example.com/root_attribute_sources']).toMatchObject({ name: 'management_api', nickname: 'management_api', picture: 'signup' });
    });
  });

  it("accepts the user's own e-mail as their name (Auth0's default) and refuses another address, asking the tenant only then", async () => {
    const userId = await withTenant(async (_api, tenant) => tenant.state().users.find((candidate) => candidate.email === 'fine@example.com')!.user_id);
    const other = cli('users.ts', ['update', userId, '--set', 'name=boss@example.com', '--dry-run']);
    expect(other.status).toBe(1);
    expect(other.stdout).toContain("refused: name.email-address: Your name can't contain an email address.");
    const own = cli('users.ts', ['update', userId, '--set', 'name=fine@example.com', '--dry-run']);
    expect(own.status).toBe(0);
    expect(own.stdout).toContain(`dry run: would PATCH ${userId} (Username-Password-Authentication) setting name`);
  });

  it('lists every bad record of an import file with its index and sends nothing', () => {
    const file = path.join(space.dir, 'bad.json');
    writeFileSync(file, JSON.stringify([{ email: 'ok@example.com', name: 'Okay' }, { name: 'No Email' }, { email: 'x@example.com', nickname: 'n', colour: 'red', app_metadata: { loginsCount: 3 } }, { email: 'y@example.com', given_name: '<b>Y</b>' }]));
    const run = cli('users.ts', ['import', file, '--connection', 'Username-Password-Authentication'], unreachable);
    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      'record 2: email is required',
      'record 3: "colour" is not a field of Auth0\'s bulk-import schema',
      'record 3: app_metadata.loginsCount is reserved by Auth0',
      'record 4: given_name.markup: Your first name can\'t contain the characters < or > or code.',
      '4 errors in 3 of 4 records; nothing was sent',
    ]);
  });

  it('refuses to import into a connection imports cannot target', () => {
    const file = path.join(space.dir, 'one.json');
    writeFileSync(file, JSON.stringify([{ email: 'one@example.com' }]));
    const run = cli('users.ts', ['import', file, '--connection', 'corp-oidc'], unreachable);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('imports cannot target "corp-oidc" (enterprise)');
  });

  it('says where a file is not JSON without quoting it', () => {
    const file = path.join(space.dir, 'broken.json');
    writeFileSync(file, '[\n  {"email": "secret-value@example.com" "name": "Ada"}\n]');
    const run = cli('users.ts', ['import', file, '--connection', 'Username-Password-Authentication'], unreachable);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('as JSON: not valid JSON at line 2, column 40');
    expect(`${run.stdout}${run.stderr}`).not.toContain('secret-value');
  });

  it('fails an import record that repeats a user_id, in the file or of a user the tenant has', () => {
    const file = path.join(space.dir, 'repeated.json');
    writeFileSync(file, JSON.stringify([
      { email: 'first-of-two@example.com', user_id: 'repeated-1' },
      { email: 'second-of-two@example.com', user_id: 'repeated-1' },
    ]));
    const run = cli('users.ts', ['import', file, '--connection', 'Username-Password-Authentication']);
    expect(run.stdout).toMatch(/completed: 1 inserted, 0 updated, 1 failed of 2/);
  });

  it('imports good users with provenance import, which the next login keeps', async () => {
    const file = path.join(space.dir, 'good.json');
    writeFileSync(file, JSON.stringify([{ email: 'imported@example.com', name: 'Imported Person', given_name: 'Imported', family_name: 'Person' }]));
    const run = cli('users.ts', ['import', file, '--connection', 'Username-Password-Authentication']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('importing 1 users into "Username-Password-Authentication" with provenance import, updating users the connection already has (upsert; --no-upsert leaves them as they are)');
    expect(run.stdout).toMatch(/job 1\/1 \(job_\w+\): completed: 1 inserted, 0 updated, 0 failed of 1/);
    await withTenant(async (api, tenant) => {
      const user = tenant.state().users.find((candidate) => candidate.email === 'imported@example.com')!;
      expect(user.app_metadata.root_attributes).toMatchObject({ attributes: { name: { source: 'import' } } });
      await api.call('PATCH', `/api/v2/users/${encodeURIComponent(user.user_id)}`, { password: 'a long enough password' });
      const login = await post(tenant, '/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: clientOf(tenant), client_secret: defaultAppOf(tenant).client_secret, username: 'imported@example.com', password: 'a long enough password', realm: 'Username-Password-Authentication', scope: 'openid' });
      const claims = JSON.parse(Buffer.from((login.body as { id_token: string }).id_token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
      expect(claims['https://example.com/root_attribute_sources']).toEqual({ name: 'import', given_name: 'import', family_name: 'import' });
    });
  });
});
