/**
 * Secrets never leak, and a failing a0deploy is reported: secret values set in the environment must not
 * appear in any output of a full deploy, a login and an audit; when a0deploy fails, its message reaches
 * the user and the exit code is not zero.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SAMPLE } from './support/sample';
import { runScript } from './support/project-copy';
import { workspace } from './support/workspace';

jest.setTimeout(240_000);

const SECRETS = {
  GOOGLE_CLIENT_ID: 'leakcheck-google-id-5f1e',
  GOOGLE_CLIENT_SECRET: 'leakcheck-google-secret-9a7c',
  CORP_OIDC_CLIENT_ID: 'leakcheck-corp-id-31d0',
  CORP_OIDC_CLIENT_SECRET: 'leakcheck-corp-secret-77b2',
  AUDIT_KEY: 'leakcheck-action-secret-c0de',
};

/** tenant.yaml with a secret on the post-login Action too. */
function withActionSecret(text: string): string {
  return text.replace("    secrets: []\n    supported_triggers:\n      - id: post-login", "    secrets:\n      - name: AUDIT_KEY\n        value: '##AUDIT_KEY##'\n    supported_triggers:\n      - id: post-login");
}

function run(space: ReturnType<typeof workspace>, script: string, args: string[], env: NodeJS.ProcessEnv) {
  const result = runScript(script, args, { cwd: space.dir, env: { ...env, LOCAL_TENANT_DIR: space.stateDir } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

it('prints no secret value in a full deploy, a login and an audit', () => {
  const space = workspace(SAMPLE, { env: SECRETS });
  writeFileSync(space.tenantPath, withActionSecret(readFileSync(space.tenantPath, 'utf8')));
  const deployed = space.deploy();
  expect(deployed.status).toBe(0);
  const profile = path.join(space.dir, 'profile.json');
  writeFileSync(profile, JSON.stringify({ user_id: 'leak-1', name: 'Leak Check', picture: 'https://lh3.googleusercontent.com/a/l' }));
  const login = run(space, 'simulate.ts', ['--connection', 'google-oauth2', '--profile', profile, '--tenant', space.tenantPath], SECRETS);
  expect(login.status).toBe(0);
  const audit = run(space, 'audit.ts', ['--tenant', space.tenantPath], SECRETS);
  const json = run(space, 'audit.ts', ['--json', '--tenant', space.tenantPath], SECRETS);
  const plan = run(space, 'deploy.ts', ['--plan', '--json', '--tenant', space.tenantPath], SECRETS);
  const everything = [deployed.stdout, deployed.stderr, login.output, audit.output, json.output, plan.output].join('\n');
  expect(everything).toContain('a0deploy: ');
  for (const value of Object.values(SECRETS)) expect(everything).not.toContain(value);
});

it('reports a failing a0deploy with its message and a non-zero exit code', () => {
  const huge = `leakcheck-${'x'.repeat(5_000)}`;
  const space = workspace(SAMPLE, { env: { ...SECRETS, AUDIT_KEY: huge } });
  writeFileSync(space.tenantPath, withActionSecret(readFileSync(space.tenantPath, 'utf8')));
  const deployed = space.deploy();
  expect(deployed.status).toBe(1);
  // The local tenant refuses a secret over Auth0's 4096 characters, as Auth0 does; a0deploy says so.
  expect(deployed.stdout).toMatch(/a0deploy: .*String is too long \(5010 chars\), maximum 4096/);
  expect(deployed.stderr).toContain('deploy failed: a0deploy exited with code 1');
  expect(deployed.stdout + deployed.stderr).not.toContain(huge.slice(0, 40));
});
