import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildActions, BUNDLE_BUDGET_BYTES, verifyBundle } from '../scripts/lib/build-actions';
import { ACTION_ENTRIES } from '../scripts/lib/action-entries';
import { ProjectError } from '../scripts/lib/errors';
import { scriptCommand } from '../scripts/lib/script-command';
import { copySample, samplePolicyText } from './support/sample';


/** A folder holding a copy of the sample (its tenant.yaml optionally edited), so builds don't touch the project's build/. */
function tenantCopy(edit: (text: string) => string = (text) => text): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'root-attributes-build-'));
  const file = copySample(dir);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return file;
}

function runBuild(tenant: string, ...args: string[]) {
  return spawnSync(...scriptCommand('build.ts', ['--tenant', tenant, ...args]), { encoding: 'utf8', cwd: path.dirname(tenant) });
}

describe('npm run build', () => {
  it('prints both bundle sizes within the budget, and each bundle require()s to its trigger handler', () => {
    const tenant = tenantCopy();
    const result = runBuild(tenant);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const entry of ACTION_ENTRIES) {
      const line = result.stdout.split('\n').find((l) => l.startsWith(`build/actions/${entry.bundle}.js`));
      expect(line).toMatch(new RegExp(`\\d+\\.\\d KB .*exports ${entry.handler}$`));
      const file = path.join(path.dirname(tenant), 'build', 'actions', `${entry.bundle}.js`);
      expect(readFileSync(file).length).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
      const loaded = require(file) as Record<string, unknown>;
      expect(typeof loaded[entry.handler]).toBe('function');
    }
  });

  it('writes the bundles inside tenant.yaml\'s folder, where a0deploy resolves code paths', async () => {
    const tenant = tenantCopy();
    const result = await buildActions({ tenantPath: tenant });
    for (const action of result.actions) expect(action.file.startsWith(path.join(path.dirname(tenant), 'build', 'actions'))).toBe(true);
  });

  it('inlines the connection table derived from tenant.yaml and needs only Node built-ins', async () => {
    const tenant = tenantCopy();
    const result = await buildActions({ tenantPath: tenant });
    expect(result.table).toEqual({
      'Username-Password-Authentication': { strategy: 'auth0', kind: 'database', sync: null },
      'google-oauth2': { strategy: 'google-oauth2', kind: 'social', sync: 'on_first_login' },
      'corp-oidc': { strategy: 'oidc', kind: 'enterprise', sync: 'on_each_login' },
      email: { strategy: 'email', kind: 'passwordless', sync: null },
    });
    for (const action of result.actions) {
      const code = readFileSync(action.file, 'utf8');
      expect(code).toContain('"corp-oidc":["enterprise","on_each_login"]');
      const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(required.length).toBeGreaterThan(0);
      for (const id of required) expect(builtinModules.includes(String(id).replace(/^node:/, ''))).toBe(true);
    }
  });

  it('builds the same bytes from the same inputs', async () => {
    const tenant = tenantCopy();
    const first = await buildActions({ tenantPath: tenant });
    const bytes = first.actions.map((action) => readFileSync(action.file, 'utf8'));
    const second = await buildActions({ tenantPath: tenant });
    expect(second.actions.map((action) => readFileSync(action.file, 'utf8'))).toEqual(bytes);
  });

  it('refuses a sync value Auth0 would not accept, pointing at its line and column', () => {
    const tenant = tenantCopy((text) => text.replace('set_user_root_attributes: on_first_login', 'set_user_root_attributes: on_first_logon'));
    const result = runBuild(tenant);
    expect(result.status).toBe(2);
    const line = readFileSync(tenant, 'utf8').split('\n').findIndex((l) => l.includes('on_first_logon')) + 1;
    expect(result.stderr).toContain(`tenant.yaml:${line}:33 connection "google-oauth2": set_user_root_attributes is not a value Auth0 accepts`);
    expect(result.stderr).toContain('hint: use on_each_login, on_first_login or never_on_login');
  });

  it('refuses broken YAML, pointing at the error', () => {
    const tenant = tenantCopy((text) => text.replace('  - name: corp-oidc\n    strategy: oidc', '  - name: corp-oidc\n   strategy: [oidc'));
    const result = runBuild(tenant);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/error tenant-invalid: tenant\.yaml:\d+:\d+ YAML syntax error/);
  });

  it('refuses an unknown option with a usage line', () => {
    const result = runBuild(tenantCopy(), '--tenent', 'x');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: npm run build');
  });

  it('refuses a bundle over the budget', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'root-attributes-bundle-'));
    const file = path.join(dir, 'post-login.js');
    writeFileSync(file, `exports.onExecutePostLogin = async () => {};\n//${'x'.repeat(BUNDLE_BUDGET_BYTES)}`);
    const entry = ACTION_ENTRIES.find((candidate) => candidate.trigger === 'post-login')!;
    expect(() => verifyBundle({ entry, file, bytes: readFileSync(file).length })).toThrow(/over the 20000-byte budget/);
  });

  it('refuses a bundle that does not export its trigger\'s handler', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'root-attributes-bundle-'));
    const file = path.join(dir, 'post-login.js');
    writeFileSync(file, 'exports.onExecutePostLoginTypo = async () => {};');
    const entry = ACTION_ENTRIES.find((candidate) => candidate.trigger === 'post-login')!;
    let thrown: unknown;
    try {
      verifyBundle({ entry, file, bytes: 40 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProjectError);
    expect((thrown as ProjectError).code).toBe('bundle-invalid');
    expect((thrown as ProjectError).message).toContain('does not export onExecutePostLogin');
  });

  it('refuses a bundle carrying a ##KEY## pattern that a0deploy would replace', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'root-attributes-policy-'));
    const policy = path.join(dir, 'policy.ts');
    writeFileSync(policy, samplePolicyText(policy).replace("namespace: 'https://example.com/'", "namespace: 'https://##TENANT##/'"));
    copySample(dir, { policy: false });
    await expect(buildActions({ tenantPath: path.join(dir, 'tenant.yaml'), policyFile: policy })).rejects.toThrow(/contains "##TENANT##"/);
  });
});
