/**
 * Adopting a live tenant as a new team would: a fork (a git clone), `npm run adopt -- --from-export` of a
 * realistic export (tests/fixtures/live-tenant-export: the connection kinds a production tenant has, four apps,
 * two Actions of the team's own, one with an npm dependency, an SMS template with Auth0's @@password@@), then
 * `npm run check` clean, the project's own unit tests green on the adopted files, `npm run deploy` to a local
 * tenant and a second deploy with nothing to do, and the team's Actions still bound after the project's, and running.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { managementApi, raw, spawnLocalTenant } from '@auth0-root-attributes/local-tenant';
import { forkCopy, runAsync } from './support/project-copy';

jest.setTimeout(600_000);

const EXPORT = path.join(__dirname, 'fixtures', 'live-tenant-export');

describe('npm run adopt -- --from-export', () => {
  let dir: string;
  const stateDir = () => path.join(dir, '.local', 'tenant');
  const npm = (...args: string[]) => runAsync('npm', ['run', '-s', ...args], { cwd: dir, env: { LOCAL_TENANT_DIR: stateDir() }, timeoutMs: 400_000 });

  beforeAll(() => {
    dir = forkCopy({ tests: true });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Team', '-c', 'user.email=team@example.com', ...args], { cwd: dir, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'fork');
  });

  it('writes tenant.yaml, the policy and the environment file from the export, and check is clean', async () => {
    const adopted = await npm('adopt', '--', '--from-export', EXPORT, '--domain', 'acme.eu.auth0.com');
    expect({ status: adopted.status, stderr: adopted.stderr }).toEqual({ status: 0, stderr: '' });
    expect(adopted.stdout).toContain("adopted 9 connections, 2 Actions of the tenant's own (block-disposable-emails, enrich-claims, bound after the project's)");
    expect(adopted.stdout).toContain('sync setting written out (on_each_login, as the tenant has it): apple, google-oauth2, acme-partners-saml');
    expect(adopted.stdout).toContain('PRODUCTION_SMS_TWILIO_TOKEN');

    const tenant = readFileSync(path.join(dir, 'tenant.yaml'), 'utf8');
    // Every secret a placeholder, the literal ones of the export included; Auth0's own SMS macro kept as it is.
    expect(tenant).not.toContain('0123456789abcdef0123456789abcdef');
    expect(tenant).not.toContain('BEGIN PRIVATE KEY');
    expect(tenant).toContain('twilio_token: "##SMS_TWILIO_TOKEN##"');
    expect(tenant).toContain("template: 'Your Acme code is @@password@@'");
    expect(tenant).toMatch(/post-login:\n\s+- action_name: root-attributes-post-login\n.*\n\s+- action_name: enrich-claims/);
    const policy = readFileSync(path.join(dir, 'actions', 'policy.ts'), 'utf8');
    expect(policy).toContain("login: { required: 'flag', values: 'flag', sources: 'flag' }");
    // The users the tenant had are never taken for new signups at their first login after adopting.
    expect(policy).toMatch(/\n  adoptedAt: '\d{4}-\d{2}-\d{2}T[\d:.]+Z',\n/);
    expect(policy).toMatch(/"google-oauth2": \{\n\s+sync: 'on_each_login',\n\s+sources: \['idp', 'unknown'\],/);
    expect(readFileSync(path.join(dir, 'environments', 'production.yaml'), 'utf8')).toContain('  SMS_TWILIO_TOKEN: PRODUCTION_SMS_TWILIO_TOKEN');

    const check = await npm('check');
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('tenant.yaml and actions/policy.ts: no problems found');
  });

  it('npm run test:unit is green on the adopted files, with a scenario for every connection they have', async () => {
    const unit = await runAsync('npm', ['run', 'test:unit', '--', '--verbose'], { cwd: dir, env: { LOCAL_TENANT_DIR: stateDir() }, timeoutMs: 500_000 });
    expect(unit.stderr).toMatch(/Tests: +\d+ passed, \d+ total/);
    expect(unit.stderr).not.toContain('✕');
    for (const connection of ['Username-Password-Authentication', 'legacy-users', 'google-oauth2', 'github', 'apple', 'acme-azure', 'acme-partners-saml', 'email', 'sms']) {
      expect(unit.stderr).toContain(`✓ ${connection}: a login whose attributes come from unknown`);
    }
    expect(unit.status).toBe(0);
  });

  it('refuses to overwrite a file changed since, unless told to', async () => {
    const file = path.join(dir, 'tenant.yaml');
    const adopted = readFileSync(file, 'utf8');
    writeFileSync(file, `${adopted}\n# the team's own note\n`);
    const refused = await npm('adopt', '--', '--from-export', EXPORT, '--domain', 'acme.eu.auth0.com');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('adopting would overwrite tenant.yaml, changed since and not committed: nothing was written');
    expect(readFileSync(file, 'utf8')).toContain("the team's own note");
    const policyFile = path.join(dir, 'actions', 'policy.ts');
    const firstPolicy = readFileSync(policyFile, 'utf8');
    const forced = await npm('adopt', '--', '--from-export', EXPORT, '--domain', 'acme.eu.auth0.com', '--force');
    expect(forced.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(adopted);
    // Adopting again keeps the moment of the first adoption.
    expect(readFileSync(policyFile, 'utf8')).toBe(firstPolicy);
  });

  it('deploys to a local tenant, a second deploy has nothing to do, and the team\'s Actions are bound after the project\'s and run', async () => {
    const first = await npm('deploy');
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
    expect(first.stdout).toContain('the tenant now matches tenant.yaml');
    const second = await npm('deploy');
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('Nothing to deploy');

    const tenant = await spawnLocalTenant({ stateDir: stateDir() });
    try {
      const api = await managementApi(tenant);
      const bindings = async (trigger: string) => ((await api.call('GET', `/api/v2/actions/triggers/${trigger}/bindings`)).body as { bindings: Array<{ action: { name: string } }> }).bindings.map((binding) => binding.action.name);
      expect(await bindings('post-login')).toEqual(['root-attributes-post-login', 'enrich-claims']);
      expect(await bindings('pre-user-registration')).toEqual(['root-attributes-pre-user-registration', 'block-disposable-emails']);
      const actions = (await api.call('GET', '/api/v2/actions/actions')).body as { actions: Array<{ name: string; dependencies: Array<{ name: string; version: string }> }> };
      expect(actions.actions.find((action) => action.name === 'enrich-claims')?.dependencies).toEqual([{ name: 'lodash', version: '4.17.21' }]);

      // The team's pre-user-registration Action runs after the project's: a disposable address is refused with its message.
      const web = ((await api.call('GET', '/api/v2/clients?is_global=false')).body as Array<{ name: string; client_id: string }>).find((client) => client.name === 'Acme Web');
      const signup = (email: string) => raw(tenant, { method: 'POST', path: '/dbconnections/signup', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: web?.client_id, connection: 'Username-Password-Authentication', email, password: 'a long enough password' }) });
      expect(await signup('someone@mailinator.com')).toMatchObject({ status: 400, body: { description: 'Please sign up with a permanent e-mail address.' } });
      expect((await signup('someone@acme.example')).status).toBe(200);
    } finally {
      await tenant.close();
    }
  });
});
