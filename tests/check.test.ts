import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RULES } from '../scripts/check/index';
import { buildActions } from '../scripts/lib/build-actions';
import { scriptCommand } from '../scripts/lib/script-command';
import { copySample, sampleTenantText } from './support/sample';

const SHIPPED = sampleTenantText();

/** The sample (its tenant.yaml edited) in a fresh folder with its bundles built, as a team's checkout after `npm run build`. */
async function checkout(edit: (text: string) => string = (text) => text): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'root-attributes-cli-'));
  const tenantPath = copySample(dir);
  await buildActions({ tenantPath });
  writeFileSync(tenantPath, edit(SHIPPED));
  return tenantPath;
}

function check(tenantPath: string, ...args: string[]) {
  const result = spawnSync(...scriptCommand('check.ts', ['--tenant', 'tenant.yaml', ...args]), {
    cwd: path.dirname(tenantPath),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('npm run check', () => {
  it('passes the sample tenant.yaml and its policy', async () => {
    const tenant = await checkout();
    expect(check(tenant)).toEqual({ status: 0, stdout: 'tenant.yaml and actions/policy.ts: no problems found\n', stderr: '' });
  });
});

describe('as a new user meets it', () => {
  it('answers a typo in a sync value with one finding that suggests the right value', async () => {
    const tenant = await checkout((text) => text.replace('set_user_root_attributes: on_first_login', 'set_user_root_attributes: on_first_logon'));
    const result = check(tenant);
    const line = lineOf(readFileSync(tenant, 'utf8'), 'on_first_logon');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(
      `tenant.yaml:${line}:33 error sync-invalid set_user_root_attributes of "google-oauth2" is "on_first_logon", which Auth0 does not accept\n` +
        '  hint: did you mean on_first_login? (one of on_each_login, on_first_login, never_on_login)\n' +
        '\n1 error, 0 warnings in tenant.yaml and actions/policy.ts\n',
    );
  });

  it('answers a database connection moved under connections: with one finding that says where it belongs', async () => {
    const tenant = await checkout((text) => {
      const database = text.slice(text.indexOf('databases:\n'), text.indexOf('connections:\n'));
      const entry = database.replace('databases:\n', '');
      return text.replace(database, '').replace('connections:\n', `connections:\n${entry}`);
    });
    const result = check(tenant);
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^tenant\.yaml:\d+:\d+ error database-in-connections database connection "Username-Password-Authentication" is under connections:/);
    expect(lines[1]).toBe('  hint: move this connection from `connections:` to `databases:`');
    expect(lines.filter((line) => /^tenant\.yaml|\.ts:\d/.test(line))).toHaveLength(1);
  });

  it('answers a literal secret with one finding that never prints the secret', async () => {
    const tenant = await checkout((text) => text.replace("client_secret: '##GOOGLE_CLIENT_SECRET##'", 'client_secret: GOCSPX-n0t-a-placeholder'));
    const result = check(tenant);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('error secret-literal options.client_secret of "google-oauth2" holds a literal secret (its value is not printed)');
    expect(result.stdout).toContain("hint: replace the value with a placeholder such as '##GOOGLE_OAUTH2_CLIENT_SECRET##'");
    expect(result.stdout.match(/ error /g)).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain('GOCSPX');
  });
});

describe('what a0deploy and Auth0 accept', () => {
  it('is no finding — a database without a strategy, a resource_server client, the Token Vault grant, a password policy, Auth0\'s @@password@@ macro — and the secrets a strategy\'s schema names are', async () => {
    const tenant = await checkout((text) =>
      text
        .replace('  - name: Username-Password-Authentication\n    strategy: auth0\n', '  - name: Username-Password-Authentication\n')
        .replace('clients:\n', [
          'clients:',
          '  - name: Orders API client',
          '    app_type: resource_server',
          '  - name: Vault app',
          '    app_type: regular_web',
          '    grant_types: [authorization_code, "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"]',
          '',
        ].join('\n'))
        .replace('connections:\n', [
          'connections:',
          '  - name: sms',
          '    strategy: sms',
          '    options:',
          '      twilio_sid: AC0123',
          '      twilio_token: a-literal-token-value',
          '      template: \'Your Acme code is "@@password@@"\'',
          '      syntax: md_with_macros',
          '      passwordPolicy: good',
          '',
        ].join('\n')),
    );
    await buildActions({ tenantPath: tenant });
    const result = check(tenant);
    const errors = result.stdout.split('\n').filter((line) => / error /.test(line));
    expect(errors).toEqual([expect.stringContaining('error secret-literal options.twilio_token of "sms" holds a literal secret (its value is not printed)')]);
    expect(result.stdout + result.stderr).not.toContain('a-literal-token-value');
    expect(result.stdout).not.toMatch(/password/i);
  });
});

describe('a bundle that is a symbolic link', () => {
  it('is reported as outside the folder and never run by check; build replaces the link and leaves its target alone', async () => {
    const tenantPath = await checkout();
    const dir = path.dirname(tenantPath);
    const outside = path.join(mkdtempSync(path.join(tmpdir(), 'outside-')), 'payload.js');
    const marker = path.join(path.dirname(outside), 'ran');
    const payload = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes'); exports.onExecutePostLogin = async () => {};\n`;
    writeFileSync(outside, payload);
    const bundle = path.join(dir, 'build', 'actions', 'post-login.js');
    rmSync(bundle);
    symlinkSync(outside, bundle);
    const run = check(tenantPath);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('action-code-outside the code of "root-attributes-post-login" is outside tenant.yaml\'s folder');
    expect(existsSync(marker)).toBe(false);
    await buildActions({ tenantPath });
    expect(lstatSync(bundle).isSymbolicLink()).toBe(false);
    expect(readFileSync(outside, 'utf8')).toBe(payload);
    expect(check(tenantPath).status).toBe(0);
  });
});

describe('output and exit codes', () => {
  it('prints findings as JSON with --json', async () => {
    const tenant = await checkout((text) => text.replace('runtime: node22', 'runtime: node18'));
    const result = check(tenant, '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { findings: unknown[]; errors: number; warnings: number };
    expect(report).toMatchObject({ errors: 0, warnings: 1 });
    expect(report.findings).toEqual([
      {
        code: 'action-runtime-deprecated',
        severity: 'warning',
        message: '"root-attributes-pre-user-registration" runs on node18; Auth0 recommends node22',
        hint: 'set `runtime: node22`',
        location: { file: 'tenant.yaml', line: lineOf(readFileSync(tenant, 'utf8'), 'node18'), col: 14 },
      },
    ]);
  });

  it('exits 0 with warnings only, and prints no colour codes when not on a terminal', async () => {
    const result = check(await checkout((text) => text.replace('runtime: node22', 'runtime: node18')));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('warning action-runtime-deprecated');
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('exits 2 when tenant.yaml cannot be read at all', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'root-attributes-cli-'));
    const result = check(path.join(dir, 'tenant.yaml'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('cannot read tenant.yaml: ENOENT');
  });

  it('exits 2 when the policy module cannot be loaded', async () => {
    const tenant = await checkout();
    const policy = path.join(path.dirname(tenant), 'broken-policy.ts');
    writeFileSync(policy, 'export default definePolicy({ namespace: ');
    const result = check(tenant, '--policy', policy);
    expect(result.status).toBe(2);
    // The compiler's message at the line and column, not "Transform failed with 1 error:".
    expect(result.stderr).toMatch(/^error policy-unreadable: (\S+\/)?broken-policy\.ts:1:\d+ the policy module does not compile: Unexpected end of file\n  hint: fix the syntax there/m);
  });

  it('exits 2 on an unknown option, with the usage', async () => {
    const result = check(await checkout(), '--jsn');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: npm run check -- [--env NAME|all] [--tenant PATH] [--policy PATH] [--json]');
  });

  it('builds first on a fresh clone, saying so, and asks for a build when one bundle is missing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'root-attributes-cli-'));
    copySample(dir);
    const fresh = check(path.join(dir, 'tenant.yaml'));
    expect(fresh.stdout).toMatch(/^no bundles yet in build\/actions: built them first \(npm run build\)$/m);
    expect(fresh.stdout).not.toContain('action-bundle-missing');
    unlinkSync(path.join(dir, 'build', 'actions', 'post-login.js'));
    const result = check(path.join(dir, 'tenant.yaml'));
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain('no bundles yet');
    expect(result.stdout).toContain('error action-bundle-missing the bundle of "root-attributes-post-login" does not exist: build/actions/post-login.js');
    expect(result.stdout).toContain('hint: run `npm run build`, or correct the path');
  });

  it.each([
    ['an empty file', ''],
    ['a scalar', 'just text\n'],
    ['null sections', 'actions:\ntriggers:\ndatabases:\nconnections:\n'],
    ['items of the wrong kind', 'actions: [1, "x", [2]]\nconnections: [null, {name: 3}]\ntriggers: {post-login: [1, {action_name: 2}]}\n'],
  ])('answers %s with located findings, never a crash', (_label, text) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'root-attributes-cli-'));
    writeFileSync(path.join(dir, 'tenant.yaml'), text);
    const result = check(path.join(dir, 'tenant.yaml'), '--json');
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as { findings: Array<{ code: string; location: { line: number } }> };
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.map((finding) => finding.code)).not.toContain('checker-error');
    for (const finding of report.findings) expect(finding.location.line).toBeGreaterThanOrEqual(1);
  });
});

describe('the rules', () => {
  it('each have a unique stable id, a description and a hint', () => {
    const ids = RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
      expect(rule.description.length).toBeGreaterThan(20);
      expect(rule.hint.length).toBeGreaterThan(5);
    }
  });
});

describe('a team\'s own Actions beside ours', () => {
  it('loads a bundle with declared npm dependencies to find its handler, and reports an undeclared one', async () => {
    const tenant = await checkout((text) =>
      text.replace(
        '\ntriggers:\n',
        [
          '  - name: team-sync',
          '    code: ./team/sync.js',
          '    runtime: node22',
          '    dependencies:',
          '      - name: auth0',
          '        version: 4.9.0',
          '    supported_triggers:',
          '      - id: post-user-registration',
          '        version: v2',
          '    deployed: true',
          '  - name: team-undeclared',
          '    code: ./team/undeclared.js',
          '    supported_triggers:',
          '      - id: post-change-password',
          '        version: v2',
          '',
          'triggers:',
          '',
        ].join('\n').replace(/^/, '\n'),
      ),
    );
    const dir = path.dirname(tenant);
    mkdirSync(path.join(dir, 'team'));
    writeFileSync(path.join(dir, 'team', 'sync.js'), "const { ManagementClient } = require('auth0');\nconst client = new ManagementClient({ domain: 'x' });\nexports.onExecutePostUserRegistration = async () => { await client.users.get(); };\n");
    writeFileSync(path.join(dir, 'team', 'undeclared.js'), "const axios = require('axios');\nexports.onExecutePostChangePassword = async () => axios.get('x');\n");
    const result = check(tenant, '--json');
    const report = JSON.parse(result.stdout) as { findings: Array<{ code: string; message: string }> };
    expect(report.findings.map((finding) => [finding.code, finding.message])).toEqual([
      ['action-handler-missing', 'the bundle of "team-undeclared" fails to load: Error'],
    ]);
  });
});

describe('findings that a0deploy and Auth0 would not refuse', () => {
  it('warn — not err — of an upstream connection the policy does not name that leaves its sync setting unstated, and err for one it names', async () => {
    const tenant = await checkout((text) =>
      text
        .replace('connections:\n', 'connections:\n  - name: partner-oidc\n    strategy: oidc\n    options:\n      client_secret: \'##PARTNER_SECRET##\'\n\n')
        .replace("      set_user_root_attributes: on_first_login\n", ''),
    );
    const result = check(tenant);
    const findings = result.stdout.split('\n').filter((line) => / sync-missing /.test(line));
    expect(findings).toEqual([
      expect.stringMatching(/ warning sync-missing upstream connection "partner-oidc" does not state set_user_root_attributes, so it syncs on_each_login \(the policy does not name it, so nothing requires a setting\)$/),
      expect.stringMatching(/ error sync-missing upstream connection "google-oauth2" does not state set_user_root_attributes, so it syncs on_each_login$/),
    ]);
    expect(result.status).toBe(1);
  });

  it('warns of a placeholder YAML reads as a comment, and counts it as used', async () => {
    const tenant = await checkout((text) => text.replace("client_secret: '##GOOGLE_CLIENT_SECRET##'", 'client_secret: ##GOOGLE_CLIENT_SECRET##'));
    const line = lineOf(readFileSync(tenant, 'utf8'), 'client_secret: ##GOOGLE_CLIENT_SECRET##');
    const result = check(tenant, '--json');
    const findings = (JSON.parse(result.stdout) as { findings: Array<{ code: string; severity: string; message: string; location: { line: number; col: number } }> }).findings;
    expect(findings.find((finding) => finding.code === 'placeholder-unquoted')).toEqual(expect.objectContaining({
      severity: 'warning',
      message: '##GOOGLE_CLIENT_SECRET## is not quoted, so YAML reads it as a comment: the value is empty unless a0deploy replaces the placeholder first',
      location: expect.objectContaining({ line, col: 22 }),
    }));
  });
});
