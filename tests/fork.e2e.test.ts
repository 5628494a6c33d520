/**
 * A fork as the README describes it, in a temporary folder: corp-oidc changed to on_first_login in both
 * tenant.yaml and the policy (with management_api allowed), and a third Action of the team's own — TypeScript,
 * with an npm dependency and a secret, and a test beside it. Then `npm run check`, `npm start` and that
 * test, as the team runs them: all pass, and the story follows the fork.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument, type YAMLSeq } from 'yaml';
import { PROJECT_ROOT } from '../scripts/lib/build-actions';
import { forkCopy as fork, runAsync } from './support/project-copy';

jest.setTimeout(600_000);

describe('a fork: sync mode changed in both files, a third Action with a dependency and its own test', () => {
  let dir: string;
  const env = () => ({ LOCAL_TENANT_DIR: path.join(dir, '.local', 'tenant'), ACTIONS_DEPENDENCY_CACHE: path.join(PROJECT_ROOT, '.local', 'action-dependencies'), CLAIM_NAMESPACE: 'https://example.com/' });

  beforeAll(() => {
    dir = fork();
    // corp-oidc: on_first_login in tenant.yaml and the policy, the Management API allowed to change its users.
    const tenantFile = path.join(dir, 'tenant.yaml');
    const tenant = parseDocument(readFileSync(tenantFile, 'utf8'));
    const connections = tenant.get('connections') as YAMLSeq;
    const corp = connections.items.findIndex((item) => (item as { get(key: string): unknown }).get('name') === 'corp-oidc');
    tenant.setIn(['connections', corp, 'options', 'set_user_root_attributes'], 'on_first_login');
    // The team's Action, from the README's example: its source and test into actions/, its entry into tenant.yaml.
    const example = path.join(PROJECT_ROOT, 'examples', 'team-action');
    for (const file of ['network-claim.ts', 'network-claim.test.ts']) cpSync(path.join(example, 'actions', file), path.join(dir, 'actions', file));
    const snippet = parseDocument(readFileSync(path.join(example, 'tenant.yaml'), 'utf8'));
    (tenant.get('actions') as YAMLSeq).add((snippet.get('actions') as YAMLSeq).items[0]);
    (tenant.getIn(['triggers', 'post-login']) as YAMLSeq).add((snippet.getIn(['triggers', 'post-login']) as YAMLSeq).items[0]);
    writeFileSync(tenantFile, tenant.toString());
    const policyFile = path.join(dir, 'actions', 'policy.ts');
    const policy = readFileSync(policyFile, 'utf8');
    const changed = policy.replace("sync: 'on_each_login',\n      sources: ['idp'],", "sync: 'on_first_login',\n      sources: ['idp', 'management_api'],");
    expect(changed).not.toBe(policy);
    writeFileSync(policyFile, changed);
  });

  it('npm run check is clean', async () => {
    const check = await runAsync('npm', ['run', '-s', 'check'], { cwd: dir, env: env() });
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain('no bundles yet in build/actions: built them first (npm run build)');
    expect(check.stdout).toContain('tenant.yaml and actions/policy.ts: no problems found');
    expect(check.status).toBe(0);
  });

  it('npm start tells the fork\'s story: the third Action deployed and run, the steps it has no connection for skipped with the reason', async () => {
    const start = await runAsync('npm', ['start'], { cwd: dir, env: env(), timeoutMs: 400_000 });
    expect(start.stderr).not.toMatch(/\n\s+at /);
    expect(start.status).toBe(0);
    const out = start.stdout;
    expect(out).toMatch(/deployed 14 changes to the local tenant/);
    expect(out).toContain('c. A user\'s first login through google-oauth2, on its stand-in page (google-oauth2 syncs on_first_login)');
    expect(out).toContain('e. and f. skipped: no social or enterprise connection in tenant.yaml syncs on_each_login');
    expect(out).not.toContain('corp-oidc syncs on_each_login');
    expect(out).not.toContain('unexpectedly');
    // The team's Action ran in every login after the project's: its claim is in each verified ID token.
    expect(out.match(/https:\/\/example\.com\/network "loopback"/g)).toHaveLength(4);
    expect(out).toContain('Done.');
  });

  it('jest finds the test beside the team\'s Action and it passes, from source and as the bundle', async () => {
    const test = await runAsync('npx', ['jest', 'actions/network-claim.test.ts'], { cwd: dir, env: env() });
    expect(test.stderr).toMatch(/Tests: +4 passed, 4 total/);
    expect(test.stderr).toContain('network-claim (source)');
    expect(test.stderr).toContain('network-claim (bundle)');
    expect(test.status).toBe(0);
  });
});

describe('a fork without a regular web app', () => {
  it('npm start says plainly what the story needs, before it starts anything, without a stack trace', async () => {
    const dir = fork();
    const tenantFile = path.join(dir, 'tenant.yaml');
    const tenant = parseDocument(readFileSync(tenantFile, 'utf8'));
    const clients = tenant.get('clients') as YAMLSeq;
    clients.items = clients.items.filter((item) => (item as { get(key: string): unknown }).get('app_type') !== 'regular_web');
    writeFileSync(tenantFile, tenant.toString());
    const start = await runAsync('npm', ['start'], { cwd: dir, env: { LOCAL_TENANT_DIR: path.join(dir, '.local', 'tenant') }, timeoutMs: 120_000 });
    expect(start.status).toBe(2);
    expect(start.stderr).toContain('error usage: npm start signs users in through a regular web app of tenant.yaml, and this tenant.yaml has none');
    expect(start.stderr).toContain('nothing was started');
    expect(start.stderr).not.toMatch(/\n\s+at /);
    expect(start.stdout).not.toContain('2. Start a fresh local tenant');
  });
});

describe('the README\'s fork edits: namespace and metadata key, a new connection in tenant.yaml and the policy, denial at login, an environment removed', () => {
  let dir: string;

  beforeAll(() => {
    dir = fork({ tests: true });
    const tenantFile = path.join(dir, 'tenant.yaml');
    const tenant = parseDocument(readFileSync(tenantFile, 'utf8'));
    (tenant.get('connections') as YAMLSeq).add(tenant.createNode({
      name: 'github',
      strategy: 'github',
      options: { client_id: '##GITHUB_CLIENT_ID##', client_secret: '##GITHUB_CLIENT_SECRET##', set_user_root_attributes: 'on_first_login' },
    }));
    writeFileSync(tenantFile, tenant.toString());
    const policyFile = path.join(dir, 'actions', 'policy.ts');
    const policy = readFileSync(policyFile, 'utf8');
    const edited = policy
      .replace("namespace: 'https://example.com/'", "namespace: 'https://acme.example/'")
      .replace("metadataKey: 'root_attributes'", "metadataKey: 'acme_provenance'")
      .replace("login: { required: 'flag', values: 'flag', sources: 'flag' }", "login: { required: 'flag', values: 'flag', sources: 'deny' }")
      .replace('    email: {', "    github: {\n      sync: 'on_first_login',\n      sources: ['idp', 'unknown'],\n    },\n    email: {");
    expect(edited.match(/acme|deny'|github/g)?.length).toBeGreaterThanOrEqual(4);
    writeFileSync(policyFile, edited);
    rmSync(path.join(dir, 'environments', 'staging.yaml'));
  });

  it('npm run test:unit stays green, and the new connection has its scenarios', async () => {
    const unit = await runAsync('npm', ['run', 'test:unit', '--', '--verbose'], { cwd: dir, timeoutMs: 500_000 });
    expect(unit.stderr).toMatch(/Tests: +\d+ passed, \d+ total/);
    expect(unit.stderr).not.toContain('✕');
    expect(unit.stderr).toContain('✓ github: a login whose attributes come from idp (first-login) does what the policy says');
    expect(unit.stderr).toContain('✓ corp-oidc: a login whose attributes come from unknown (recorded) does what the policy says');
    expect(unit.status).toBe(0);
  });

  it('fails, naming the connection and the source, when the Actions no longer do what the policy says', async () => {
    // A change to the Actions that stops them denying: the policy denies corp-oidc a value of unknown source.
    const enforceFile = path.join(dir, 'actions', 'lib', 'enforce.ts');
    const enforce = readFileSync(enforceFile, 'utf8');
    writeFileSync(enforceFile, enforce.replace("if (mode === 'deny') denied ??= code;", "if (mode === 'deny') flagged.push(code);"));
    const scenarios = await runAsync('npx', ['jest', 'tests/fork-scenarios.test.ts', '--selectProjects', 'unit'], { cwd: dir, timeoutMs: 300_000 });
    writeFileSync(enforceFile, enforce);
    expect(scenarios.status).toBe(1);
    expect(scenarios.stderr).toContain('● the fork\'s policy and tenant.yaml (as written) › source › corp-oidc: a login whose attributes come from unknown (recorded) does what the policy says');
    expect(scenarios.stderr).toContain('● the fork\'s policy and tenant.yaml (as written) › bundle › corp-oidc: a login whose attributes come from unknown (recorded) does what the policy says');
  });
});
