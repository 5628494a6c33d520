/**
 * `npm start` and `npm run simulate` as a person runs them: child processes, real HTTPS. `npm start` runs in a
 * fork of the project (its own build/ and .local/tenant, so suites beside it keep theirs) and deploys with the
 * real a0deploy; simulate logs in to a copy of one real deploy (tests/support/deployed.ts).
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../scripts/lib/build-actions';
import { deployedWorkspace } from './support/deployed';
import { forkCopy, runScript } from './support/project-copy';

jest.setTimeout(240_000);

function run(script: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const cwd = options.cwd ?? PROJECT_ROOT;
  return runScript(path.join(cwd, 'scripts', script), args, { cwd, env: options.env });
}

describe('npm start', () => {
  it('tells the story end to end and exits 0', () => {
    const result = run('start.ts', [], { cwd: forkCopy() });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/deployed 13 changes to the local tenant/);
    expect(out).toMatch(/a\. A clean signup[\s\S]*→ created auth0\|[0-9a-f]+: name ← signup/);
    expect(out).toContain('as "Sample web app" signs users in');
    expect(out).toContain('→ the page says: "Your name can\'t contain a web address." (400; no user created)');
    expect(out).toContain('"code":"name.web-address"');
    expect(out).toMatch(/c\. A user's first login through google-oauth2[\s\S]*→ created google-oauth2\|104417: name ← idp/);
    expect(out).toMatch(/the next login recorded: .*picture ← management_api/);
    expect(out).toMatch(/"attribute":"name","source":"idp","previous_source":"idp"/);
    expect(out).toContain('→ refused as Auth0 refuses it: 400 operation_not_supported: "The following user attributes cannot be updated: name.');
    expect(out).toMatch(/google-oauth2\|104417 +google-oauth2 +idp +idp +idp +— +management_api/);
    // Six logins by the authorization code flow, each ID token verified against the JWKS.
    expect(out.match(/https:\/\/example\.com\/root_attribute_sources/g)).toHaveLength(6);
    expect(out).toContain('Done.');
    // Attribute values stay out of the report.
    for (const value of ['Ada Lovelace', 'Grace Hopper', 'Edsger', 'lh3.googleusercontent.com/a/grace']) expect(out).not.toContain(value);
  });
});

describe('npm run simulate', () => {
  it('runs one upstream login through the deployed Actions and shows the verified claims', async () => {
    const space = await deployedWorkspace();
    const profile = path.join(space.dir, 'profile.json');
    writeFileSync(profile, JSON.stringify({ user_id: '42', email: 'hedy@corp.example', name: 'Hedy Lamarr', given_name: 'Hedy', family_name: 'Lamarr', picture: 'https://tracker.example/h.png' }));
    const result = run('simulate.ts', ['--connection', 'corp-oidc', '--profile', profile, '--tenant', space.tenantPath], { cwd: PROJECT_ROOT, env: { LOCAL_TENANT_DIR: space.stateDir } });
    expect(result.status).toBe(0);
    // The copy already matches tenant.yaml: nothing is deployed first.
    expect(result.stdout).not.toContain('deployed tenant.yaml to');
    expect(result.stdout).toContain('login through corp-oidc (upstream, syncs on_each_login): 200');
    expect(result.stdout).toContain('https://example.com/root_attribute_violations ["picture.host-not-allowed"]');
    expect(result.stdout).toContain('recorded sources of oidc|corp-oidc|42: name ← idp');
  });

  it('explains what it needs when called without a profile', () => {
    const result = run('simulate.ts', ['--connection', 'corp-oidc']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: npm run simulate -- --connection NAME --profile FILE');
  });
});
