/**
 * What a team hits in its first week, each reproduced with the command as a child process (its stdout,
 * stderr and exit code asserted): a literal secret in an environment file is refused by every command
 * before it is used or printed; ordinary failures are one line with what to do, never a stack trace.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawnLocalTenant, type TenantProcess } from '@auth0-root-attributes/local-tenant';
import { projectCopy, runAsync, setDomain } from './support/project-copy';
import { samplePolicyText, sampleTenantText } from './support/sample';

jest.setTimeout(120_000);

const SECRET = 'sk-literal-secret-value-7731';

describe('a literal credential in an environment file', () => {
  let dir: string;
  beforeAll(() => {
    dir = projectCopy();
    const file = path.join(dir, 'environments', 'staging.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('client_secret: AUTH0_STAGING_CLIENT_SECRET', `client_secret: ${SECRET}`));
  });

  it.each([
    ['deploy', ['--env', 'staging', '--plan', '--markdown', '--skip-unconfigured']],
    ['audit', ['--env', 'staging', '--no-users']],
    ['users', ['update', 'auth0|1', '--set', 'name=A Name', '--env', 'staging']],
    ['build', ['--env', 'staging']],
  ])('is refused by npm run %s at its line, never shown, before anything is sent', async (command, args) => {
    const run = await runAsync('npm', ['run', '-s', command, '--', ...args], { cwd: dir, env: { AUTH0_STAGING_CLIENT_ID: 'some-id' } });
    expect(run.status).toBe(2);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(run.stderr).toMatch(/environments\/staging\.yaml:8:\d+ credentials\.client_secret in .*staging\.yaml is not the name of an environment variable/);
    expect(run.stderr).toContain('hint: put the value in an environment variable (a CI secret) and write its name here, e.g. AUTH0_STAGING_CLIENT_SECRET');
  });
});

describe('ordinary failures: one line saying what happened and what to do', () => {
  let dir: string;
  let tenant: TenantProcess;
  const stagingFile = () => path.join(dir, 'environments', 'staging.yaml');
  const oneLine = (stderr: string) => {
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toMatch(/x-ratelimit|content-type|headers/i);
  };
  beforeAll(async () => {
    dir = projectCopy();
    tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'first-week-')) });
  });
  afterAll(() => tenant?.close());
  const env = () => ({ AUTH0_STAGING_CLIENT_ID: tenant.clientId, AUTH0_STAGING_CLIENT_SECRET: tenant.clientSecret, STAGING_GOOGLE_CLIENT_SECRET: 'g', STAGING_CORP_OIDC_CLIENT_SECRET: 'c' });

  it('a tenant that cannot be reached', async () => {
    // A port nothing listens on: the server that had it is closed again.
    const closed = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    writeFileSync(stagingFile(), setDomain(readFileSync(stagingFile(), 'utf8'), `127.0.0.1:${port}`));
    const run = await runAsync('npm', ['run', '-s', 'deploy', '--', '--env', 'staging', '--plan'], { cwd: dir, env: env() });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error unreachable: cannot reach the tenant.*\(ECONNREFUSED\)\n  hint: check the domain/m);
    oneLine(run.stderr);
    expect(run.stdout).not.toContain('{');

    // Machine output on failure: the failure in the format asked for, on stdout, for a script or a job summary.
    const json = await runAsync('npm', ['run', '-s', 'deploy', '--', '--env', 'staging', '--plan', '--json'], { cwd: dir, env: env() });
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, error: { code: 'unreachable', message: expect.stringMatching(/^cannot reach the tenant at 127\.0\.0\.1 \(ECONNREFUSED\)$/), hint: expect.stringContaining('check the domain') } });
    const markdown = await runAsync('npm', ['run', '-s', 'audit', '--', '--env', 'staging', '--no-users', '--markdown'], { cwd: dir, env: env() });
    expect(markdown.status).toBe(2);
    expect(markdown.stdout).toMatch(/^### Failed: unreachable\n\ncannot reach the tenant at 127\.0\.0\.1 \(ECONNREFUSED\)\n\n\*\*Hint:\*\* check the domain/);
    const usage = await runAsync('npm', ['run', '-s', 'check', '--', '--json', '--no-such-flag'], { cwd: dir });
    expect(usage.status).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ ok: false, error: { code: 'usage', message: expect.stringContaining('--no-such-flag'), hint: expect.stringContaining('usage: npm run check') } });
    const located = await runAsync('npm', ['run', '-s', 'check', '--', '--json', '--env', 'nowhere'], { cwd: dir });
    expect(located.status).toBe(2);
    expect(JSON.parse(located.stdout)).toMatchObject({ ok: false, error: { code: expect.any(String), message: expect.stringContaining('nowhere') } });
  });

  it('a certificate nobody told Node to trust, then a user the tenant does not have', async () => {
    writeFileSync(stagingFile(), setDomain(readFileSync(stagingFile(), 'utf8'), tenant.domain));
    const untrusted = await runAsync('npm', ['run', '-s', 'deploy', '--', '--env', 'staging', '--plan'], { cwd: dir, env: env() });
    expect(untrusted.status).toBe(2);
    expect(untrusted.stderr).toMatch(/^error untrusted-certificate: the tenant's certificate is not trusted .*\n  hint: set NODE_EXTRA_CA_CERTS/m);
    oneLine(untrusted.stderr);
    const unknown = await runAsync('npm', ['run', '-s', 'users', '--', 'update', 'auth0|nobody', '--set', 'name=A Name', '--env', 'staging'], { cwd: dir, env: { ...env(), NODE_EXTRA_CA_CERTS: tenant.caPath } });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^error tenant-refused: the tenant answered 404: The user does not exist\. \(inexistent_user\)/m);
    oneLine(unknown.stderr);
  });

  it('a busy port for npm run tenant', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => busy.once('listening', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const run = await runAsync('npm', ['run', '-s', 'tenant', '--', '--port', String(port), '--state', mkdtempSync(path.join(tmpdir(), 'busy-'))], { cwd: dir });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^error port-in-use: port ${port} is in use by another program\\n  hint: stop what listens there, or pass another --port`, 'm'));
      oneLine(run.stderr);
    } finally {
      busy.close();
    }
  });

  it('a gzipped export cut short', async () => {
    const whole = gzipSync(Buffer.from(`${JSON.stringify({ user_id: 'auth0|1', email: 'a@example.com', identities: [{ connection: 'Username-Password-Authentication' }] })}\n`.repeat(2_000)));
    const file = path.join(dir, 'cut.ndjson.gz');
    writeFileSync(file, whole.subarray(0, whole.length >> 1));
    const run = await runAsync('npm', ['run', '-s', 'audit', '--', '--users-file', file], { cwd: dir, env: { LOCAL_TENANT_DIR: mkdtempSync(path.join(tmpdir(), 'cut-')) } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error file-unreadable: a gzip file ended before its end or is damaged/m);
    oneLine(run.stderr);
  });
});

describe('no false pass', () => {
  it('fails an audit whose users file has lines that are not users, naming the lines — a JSON array, junk — and passes none of it off as clean', async () => {
    const dir = projectCopy();
    const stateDir = mkdtempSync(path.join(tmpdir(), 'false-pass-'));
    for (const [name, text, lines] of [
      ['junk.ndjson', 'not json\n{"user_id": 1\n\nstill not json\n', 'lines 1, 2, 4'],
      ['array.json', '[{"user_id": "auth0|1"}]\n', 'line 1'],
    ] as const) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      const run = await runAsync('npm', ['run', '-s', 'audit', '--', '--users-file', file], { cwd: dir, env: { LOCAL_TENANT_DIR: stateDir } });
      expect(run.status).toBe(1);
      expect(run.stdout).toContain(`lines that are not a user: ${lines.split(',').length} (${lines})`);
      expect(run.stdout).toMatch(/Result: the audit is incomplete: \d+ lines? of the users file (is|are) not a user \(exit code 1\)\./);
      expect(run.stdout).not.toContain('keeps to the policy');
    }
  });
});

describe('a policy the check refuses', () => {
  it('is never built into the Actions: build says so in one line, deploy reports the check and sends nothing, neither ends in a stack trace', async () => {
    const dir = projectCopy();
    const policy = path.join(dir, 'incomplete-policy.ts');
    const shipped = samplePolicyText(policy);
    const withoutValues = shipped.replace(/\n  values: \{[\s\S]*?\n  \},/, '');
    expect(withoutValues).not.toBe(shipped);
    writeFileSync(policy, withoutValues);
    const build = await runAsync('npm', ['run', '-s', 'build', '--', '--policy', policy], { cwd: dir });
    expect(build.status).toBe(2);
    expect(build.stderr).toMatch(/^error policy-invalid: incomplete-policy\.ts is not a policy the Actions can run with: values must be a mapping of attribute to rules; nothing was built\n  hint: npm run check points at each problem in the policy\n$/);
    const deploy = await runAsync('npm', ['run', '-s', 'deploy', '--', '--policy', policy], { cwd: dir, env: { LOCAL_TENANT_DIR: mkdtempSync(path.join(tmpdir(), 'incomplete-policy-')) } });
    expect(deploy.status).toBe(1);
    expect(deploy.stderr).toContain('error policy-invalid values must be a mapping of attribute to rules');
    expect(deploy.stderr).toContain('nothing was sent');
    expect(deploy.stdout + deploy.stderr).not.toMatch(/TypeError|\n\s+at /);
  });
});

describe('an export without the fields the audit reads', () => {
  it('is refused, naming the fields and the export job that gives them, instead of passing every user as unmanaged', async () => {
    const dir = projectCopy();
    const file = path.join(dir, 'names-only.ndjson');
    writeFileSync(file, Array.from({ length: 50 }, (_, i) => JSON.stringify({ user_id: `auth0|${i}`, email: `u${i}@example.com`, name: `User ${i}` })).join('\n'));
    const run = await runAsync('npm', ['run', '-s', 'audit', '--', '--users-file', file], { cwd: dir, env: { LOCAL_TENANT_DIR: mkdtempSync(path.join(tmpdir(), 'names-only-')) } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error usage: .*names-only\.ndjson has no user with identities: the audit cannot tell which connection any of its 50 users is on/m);
    expect(run.stderr).toContain('POST /api/v2/jobs/users-exports');
    expect(run.stdout).not.toContain('keeps to the policy');
  });
});

describe('checker and plan details', () => {
  let dir: string;
  const tenantFile = () => path.join(dir, 'tenant.yaml');
  const check = (...args: string[]) => runAsync('npm', ['run', '-s', 'check', '--', ...args], { cwd: dir });
  beforeAll(async () => {
    dir = projectCopy();
    // The copy's bundles, as a clone has them after npm run build.
    expect((await runAsync('npm', ['run', '-s', 'build'], { cwd: dir })).status).toBe(0);
  });
  afterEach(() => writeFileSync(tenantFile(), sampleTenantText()));

  it('reports a set_user_root_attributes beside the options at that key, and the finding that causes others first', async () => {
    const shipped = readFileSync(tenantFile(), 'utf8');
    const misplaced = shipped.replace('      scope: openid profile email\n      set_user_root_attributes: on_each_login\n', '      scope: openid profile email\n    set_user_root_attributes: on_each_login\n');
    expect(misplaced).not.toBe(shipped);
    writeFileSync(tenantFile(), misplaced);
    const line = misplaced.split('\n').findIndex((text) => text === '    set_user_root_attributes: on_each_login') + 1;
    const run = await check();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`tenant.yaml:${line}:5 error sync-missing set_user_root_attributes of "corp-oidc" is beside its options, not in them, where Auth0 ignores it`);
    expect(run.stdout).toContain('hint: move it under the connection\'s options: (options.set_user_root_attributes: on_each_login, what the policy requires)');

    // A misspelt sync value makes the connection's sync unknowable: it prints first, before a finding on an earlier line.
    writeFileSync(tenantFile(), shipped.replace('set_user_root_attributes: on_first_login', 'set_user_root_attributes: on_first_logon').replace("client_secret: '##GOOGLE_CLIENT_SECRET##'", 'client_secret: literal-value'));
    const typo = await check('--json');
    const codes = (JSON.parse(typo.stdout) as { findings: Array<{ code: string }> }).findings.map((finding) => finding.code);
    expect(codes).toEqual(['sync-invalid', 'secret-literal']);
  });

  it('warns — not errs — of a connection the policy only records, and fits its hints to the case', async () => {
    const shipped = readFileSync(tenantFile(), 'utf8');
    const extra = shipped
      .replace('  - name: email\n', '  - name: partner-oidc\n    strategy: oidc\n    options:\n      client_secret: partner-literal\n      set_user_root_attributes: on_first_login\n\n  - name: email\n')
      .replace('    dependencies: []\n    secrets: []\n    supported_triggers:\n      - id: post-login', "    dependencies:\n      - name: axios\n        version: ^1.7.9\n    secrets:\n      - name: apiKey\n        value: literal-key\n    supported_triggers:\n      - id: post-login");
    writeFileSync(tenantFile(), extra);
    const run = await check();
    expect(run.stdout).toMatch(/warning connection-not-in-policy connection "partner-oidc" has no entry in the policy \(it is handled as "record": its sources are recorded, nothing is enforced\)\n  hint: add "partner-oidc" to `connections` in actions\/policy\.ts to enforce its sources/);
    expect(run.stdout).toContain("hint: replace the value with a placeholder such as '##PARTNER_OIDC_CLIENT_SECRET##'");
    expect(run.stdout).toContain("hint: replace the value with a placeholder such as '##API_KEY##'");
    expect(run.stdout).toContain('hint: pin the exact version you tested, e.g. version: 1.7.9');
    expect(run.stdout).not.toContain('4.17.21');
    expect(run.stdout).not.toContain('partner-literal');
  });

  it('catches a bundle built for an environment with its own policy, in a plain check', async () => {
    cpSync(path.join(__dirname, 'fixtures', 'environments', 'environments', 'strict-login.yaml'), path.join(dir, 'environments', 'strict-login.yaml'));
    writeFileSync(tenantFile(), readFileSync(tenantFile(), 'utf8').replace('set_user_root_attributes: on_first_login', "set_user_root_attributes: '##GOOGLE_SYNC##'"));
    const built = await runAsync('npm', ['run', '-s', 'build', '--', '--env', 'strict-login'], { cwd: dir });
    expect(built.status).toBe(0);
    writeFileSync(tenantFile(), sampleTenantText());
    const run = await check();
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/error action-bundle-stale the bundle of "root-attributes-post-login" was built with another policy than actions\/policy\.ts \(a build for an environment\?\)/);
    expect((await runAsync('npm', ['run', '-s', 'build'], { cwd: dir })).status).toBe(0);
    expect((await check()).status).toBe(0);
  });

  it('runs --env all in the promotion order of the CI workflow', async () => {
    rmSync(path.join(dir, 'environments', 'strict-login.yaml'), { force: true });
    const run = await check('--env', 'all');
    expect(run.stdout.split('\n').filter((line) => line.includes('for environment')).map((line) => /for environment (\w+)/.exec(line)?.[1])).toEqual(['development', 'staging', 'production']);
  });

  it('users import says it upserts, and --no-upsert says what it leaves', async () => {
    const file = path.join(dir, 'users.json');
    writeFileSync(file, JSON.stringify([{ email: 'one@example.com' }, { name: 'No Email' }]));
    const bad = await runAsync('npm', ['run', '-s', 'users', '--', 'import', file, '--connection', 'Username-Password-Authentication', '--dry-run'], { cwd: dir });
    expect(bad.stdout).toContain('record 2: email is required');
    writeFileSync(file, JSON.stringify([{ email: 'one@example.com' }]));
    const upsert = await runAsync('npm', ['run', '-s', 'users', '--', 'import', file, '--connection', 'Username-Password-Authentication', '--dry-run'], { cwd: dir });
    expect(upsert.stdout).toContain('updating users the connection already has (upsert; --no-upsert leaves them as they are)');
    const plain = await runAsync('npm', ['run', '-s', 'users', '--', 'import', file, '--connection', 'Username-Password-Authentication', '--dry-run', '--no-upsert'], { cwd: dir });
    expect(plain.stdout).toContain('leaving users the connection already has as they are (--no-upsert: such records fail)');
  });
});
