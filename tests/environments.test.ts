/**
 * Environments (environments/NAME.yaml): the checks per environment — a corpus in which each file names
 * its findings (`# expect: <severity> <code> <file>:<line>:<col>`) and must produce those and nothing
 * else — builds that differ exactly where two environments' values differ, the shipped environments,
 * and what the commands do with --env before any tenant is reached.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCheck } from '../scripts/check/index';
import { actionFingerprint, buildActions, loadPolicy, tableMarker } from '../scripts/lib/build-actions';
import { environmentNames, readEnvironment } from '../scripts/lib/environments';
import { replaceKeywordsMapped } from '../scripts/lib/keywords';
import { loadActions, postLoginEvent, TARGETS, type ActionsUnderTest } from './kit';
import { scriptCommand } from '../scripts/lib/script-command';
import { copySample, SAMPLE, SAMPLE_TENANT, writeSamplePolicy } from './support/sample';

const FIXTURE = path.join(__dirname, 'fixtures', 'environments');
const PLANTED_SECRETS = ['9fK2-planted-deploy-secret-xQ', 'GOCSPX-planted-google-secret', 'planted-corp-secret/value'];

let dir: string;
let tenantPath: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'environments-'));
  cpSync(FIXTURE, dir, { recursive: true });
  cpSync(path.join(SAMPLE, 'connections'), path.join(dir, 'connections'), { recursive: true });
  writeSamplePolicy(dir);
  tenantPath = path.join(dir, 'tenant.yaml');
  // Bundles exist, so only what an environment gets wrong is found.
  await buildActions({ tenantPath, environment: readEnvironment(tenantPath, 'first-login') });
}, 60_000);

function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const clean: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of ['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET']) delete clean[key];
  const result = spawnSync(...scriptCommand(`${script}.ts`, args), { cwd: dir, env: clean, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}${result.stderr}` };
}

describe('npm run check -- --env NAME: each environment of the corpus gives exactly the findings it names', () => {
  const names = readdirSync(path.join(FIXTURE, 'environments')).map((file) => file.replace(/\.yaml$/, '')).sort();

  test('the corpus has a clean environment and one per kind of mistake', () => {
    expect(names).toEqual(['each-login', 'first-login', 'invalid', 'literal-secret', 'missing', 'policy-mistakes', 'strict-login', 'unused']);
  });

  test.each(names)('%s', (name) => {
    const text = readFileSync(path.join(FIXTURE, 'environments', `${name}.yaml`), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((match) => match[1]).sort();
    const result = runCheck({ tenantPath, environment: readEnvironment(tenantPath, name) });
    const found = result.findings
      .map((finding) => `${finding.severity} ${finding.code} ${path.relative(dir, path.resolve(finding.location.file))}:${finding.location.line}:${finding.location.col}`)
      .sort();
    expect(found).toEqual(expected);
    expect(result.environment).toBe(name);
  });

  test('a missing value names the placeholder and the environment file', () => {
    const result = runCheck({ tenantPath, environment: readEnvironment(tenantPath, 'missing') });
    const corp = result.findings.find((finding) => finding.location.line === 62);
    expect(corp?.message).toBe('CORP_OIDC_CLIENT_ID (used by options.client_id of "corp-oidc") has no value in ' + path.relative(process.cwd(), path.join(dir, 'environments', 'missing.yaml')));
    expect(corp?.hint).toContain('under values:');
  });

  test('an unused value suggests the placeholder it was probably meant for', () => {
    const result = runCheck({ tenantPath, environment: readEnvironment(tenantPath, 'unused') });
    expect(result.findings.map((finding) => finding.message)).toEqual([
      'values.CORP_OIDC_CLIENTID is never used: tenant.yaml has no ##CORP_OIDC_CLIENTID## or @@CORP_OIDC_CLIENTID@@; did you mean CORP_OIDC_CLIENT_ID?',
      'secrets.AUDIT_API_KEY is never used: tenant.yaml has no ##AUDIT_API_KEY## or @@AUDIT_API_KEY@@',
    ]);
  });

  test('a sync setting an environment puts in conflict with the policy points at both files', () => {
    const result = runCheck({ tenantPath, environment: readEnvironment(tenantPath, 'each-login') });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.message).toMatch(/"google-oauth2" syncs on_each_login in tenant.yaml, but the policy requires on_first_login \(GOOGLE_SYNC is set by .*environments\/each-login.yaml:9:16\)$/);
  });

  test('literal secrets are reported without their values, by the command too (exit 1)', () => {
    const result = runCheck({ tenantPath, environment: readEnvironment(tenantPath, 'literal-secret') });
    const text = JSON.stringify(result);
    for (const secret of PLANTED_SECRETS) expect(text).not.toContain(secret);
    const command = run('check', ['--env', 'literal-secret']);
    expect(command.status).toBe(1);
    expect(command.output).toContain('environment-secret-literal');
    for (const secret of PLANTED_SECRETS) expect(command.output).not.toContain(secret);
  });

  test('--env all checks every environment and fails when one has errors', () => {
    const command = run('check', ['--env', 'all', '--json']);
    expect(command.status).toBe(1);
    const results = JSON.parse(command.stdout) as Array<{ environment: string; errors: number }>;
    expect(results.map((result) => [result.environment, result.errors])).toEqual([
      ['each-login', 1], ['first-login', 0], ['invalid', 7], ['literal-secret', 3], ['missing', 2], ['policy-mistakes', 3], ['strict-login', 0], ['unused', 2],
    ]);
  });

  test('an unknown environment is a usage error that lists the ones there are', () => {
    const command = run('check', ['--env', 'stagign']);
    expect(command.status).toBe(2);
    expect(command.stderr).toContain('there is no environment "stagign"');
    expect(command.stderr).toContain('environments: each-login, first-login, invalid, literal-secret, missing, policy-mistakes, strict-login, unused');
  });
});

describe('npm run build -- --env NAME', () => {
  test('two environments with different values build bundles that differ exactly where the values differ', async () => {
    const policy = loadPolicy(path.join(dir, 'actions', 'policy.ts'));
    const built = [];
    for (const name of ['first-login', 'each-login']) {
      const result = await buildActions({ tenantPath, environment: readEnvironment(tenantPath, name), outDir: path.join(dir, 'out', name) });
      built.push({ table: result.table, files: result.actions.map((action) => readFileSync(action.file, 'utf8')) });
    }
    const [first, each] = built as [typeof built[0], typeof built[0]];
    expect(first.table['google-oauth2']?.sync).toBe('on_first_login');
    expect(each.table['google-oauth2']?.sync).toBe('on_each_login');
    first.files.forEach((firstCode, i) => {
      const eachCode = each.files[i] ?? '';
      // What derives from the table (its fingerprints) is set aside; the rest differs in one place only.
      const neutral = (code: string, table: typeof first.table) =>
        code.split(tableMarker(table)).join('MARKER').split(actionFingerprint(policy, table)).join('FINGERPRINT');
      const a = neutral(firstCode, first.table);
      const b = neutral(eachCode, each.table);
      let start = 0;
      while (start < a.length && a[start] === b[start]) start++;
      let end = 0;
      while (end < a.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
      expect([a.slice(start, a.length - end), b.slice(start, b.length - end)]).toEqual(['first', 'each']);
      expect(a.slice(start - 40, start)).toContain('google-oauth2');
    });
  });

  test('values the Actions do not use leave the bundles byte for byte the same', async () => {
    const environment = readEnvironment(tenantPath, 'first-login');
    const other = { values: { ...environment.values, GOOGLE_CLIENT_ID: 'another-client.apps.googleusercontent.com', CORP_OIDC_CLIENT_ID: 'another' } };
    const a = await buildActions({ tenantPath, environment, outDir: path.join(dir, 'out', 'same-a') });
    const b = await buildActions({ tenantPath, environment: other, outDir: path.join(dir, 'out', 'same-b') });
    a.actions.forEach((action, i) => expect(readFileSync(action.file, 'utf8')).toBe(readFileSync(b.actions[i]?.file ?? '', 'utf8')));
  });

  test('--env all is refused: the bundles go where a0deploy reads them', () => {
    const command = run('build', ['--env', 'all']);
    expect(command.status).toBe(2);
    expect(command.stderr).toContain('build takes one environment');
  });
});

describe.each(TARGETS)('an environment\'s policy changes, in the Actions (%s)', (target) => {
  let plain: ActionsUnderTest;
  let strict: ActionsUnderTest;
  beforeAll(async () => {
    plain = await loadActions(target, { tenant: tenantPath, environment: 'first-login' });
    strict = await loadActions(target, { tenant: tenantPath, environment: 'strict-login' });
  }, 60_000);
  afterAll(async () => {
    await plain.close();
    await strict.close();
  });

  const google = (user: Record<string, unknown>) => postLoginEvent({ connection: { name: 'google-oauth2', strategy: 'google-oauth2' }, user: { given_name: 'Ada', family_name: 'Lovelace', ...user } });

  test('a picture host only that environment allows is flagged elsewhere and accepted there', async () => {
    const event = google({ picture: 'https://images.staging.example.com/ada.png' });
    expect((await plain.postLogin(event)).state.idTokenClaims['https://example.com/root_attribute_violations']).toEqual(['picture.host-not-allowed']);
    const run = await strict.postLogin(event);
    expect(run.state.denied).toBeNull();
    expect(run.state.idTokenClaims['https://example.com/root_attribute_violations']).toBeUndefined();
  });

  test('a value the policy flags at login is denied where the environment says deny', async () => {
    const event = google({ name: 'Ada www.spam.example' });
    const flagged = await plain.postLogin(event);
    expect(flagged.state.denied).toBeNull();
    expect(flagged.state.idTokenClaims['https://example.com/root_attribute_violations']).toEqual(['name.web-address']);
    expect((await strict.postLogin(event)).state.denied).toEqual({ reason: 'Your name can\'t contain a web address.' });
  });
});

describe('deploy --env before any tenant is reached', () => {
  test('without its credentials, a deploy stops with the variables to set and nothing sent', () => {
    const command = run('deploy', ['--env', 'first-login']);
    expect(command.status).toBe(2);
    expect(command.stderr).toContain('environment first-login is not configured: FIRST_CLIENT_ID and FIRST_CLIENT_SECRET are not set');
  });

  test('--plan --skip-unconfigured writes a note instead (for pull requests from forks) and succeeds', () => {
    const command = run('deploy', ['--env', 'first-login', '--plan', '--markdown', '--skip-unconfigured'], { FIRST_CLIENT_ID: 'set', FIRST_CLIENT_SECRET: '' });
    expect(command.status).toBe(0);
    expect(command.stdout).toBe('## Plan for environment first-login\n\nPlan for environment first-login skipped: FIRST_CLIENT_SECRET is not set (configure it as repository secrets; see the README\'s "Teams" section).\n');
  });

  test('--skip-unconfigured never skips a deploy', () => {
    const command = run('deploy', ['--env', 'first-login', '--skip-unconfigured']);
    expect(command.status).toBe(2);
    expect(command.stderr).toContain('a deploy is never skipped quietly');
  });

  test('a missing secret variable is named, with the placeholder it fills, before anything is sent', () => {
    const closed = { FIRST_CLIENT_ID: 'id', FIRST_CLIENT_SECRET: 'secret' };
    // The domain does not resolve: reaching it would fail differently. The check of the mappings comes first.
    const command = run('deploy', ['--env', 'first-login', '--plan'], { ...closed, FIRST_GOOGLE_CLIENT_SECRET: 'g' });
    expect(command.status).toBe(2);
    expect(command.stderr).toContain('environment first-login needs FIRST_CORP_OIDC_CLIENT_SECRET (for CORP_OIDC_CLIENT_SECRET), which is not set');
  });
});

describe('the sample\'s environments', () => {
  const names = environmentNames(SAMPLE_TENANT);
  let sample: string;
  beforeAll(async () => {
    sample = copySample(mkdtempSync(path.join(tmpdir(), 'sample-environments-')));
    await buildActions({ tenantPath: sample });
  });

  test('are development, staging and production, in the promotion order of the CI workflow (what --env all follows)', () => {
    expect(names).toEqual(['development', 'staging', 'production']);
  });

  test.each(names)('%s checks clean with tenant.yaml, the policy and the CI workflow', (name) => {
    const result = runCheck({ tenantPath: sample, environment: readEnvironment(sample, name) });
    expect(result.findings).toEqual([]);
  });
});

describe('keyword replacement keeps locations', () => {
  test('an offset after a replaced placeholder maps back to the same place in the text as written', () => {
    const text = "a: '##LONG_NAME##'\nb: '@@LIST@@' # x\nc: ##S##-tail\n";
    const { text: replaced, toOriginal } = replaceKeywordsMapped(text, { LONG_NAME: 'v', LIST: ['p', 'q'], S: 'much-longer-value' });
    expect(replaced).toBe("a: 'v'\nb: [\"p\",\"q\"] # x\nc: much-longer-value-tail\n");
    for (const marker of ['b:', '# x', 'c:', '-tail']) expect(toOriginal(replaced.indexOf(marker))).toBe(text.indexOf(marker));
    // Inside a value: the placeholder's start.
    expect(toOriginal(replaced.indexOf('longer'))).toBe(text.indexOf('##S##'));
  });
});

describe('an environment removed from environments/ while the workflow still runs it', () => {
  it('is an error at the workflow line that names it', async () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'environment-removed-'));
    copySample(copy);
    // The sample as shipped has every environment its workflow runs.
    await buildActions({ tenantPath: path.join(copy, 'tenant.yaml') });
    expect(runCheck({ tenantPath: path.join(copy, 'tenant.yaml') }).findings.filter((finding) => finding.code === 'workflow-environment-missing')).toEqual([]);
    rmSync(path.join(copy, 'environments', 'staging.yaml'));
    const workflow = readFileSync(path.join(copy, '.github', 'workflows', 'root-attributes.yml'), 'utf8').split('\n');
    const lines = workflow.flatMap((line, index) => (!/^\s*#/.test(line) && line.includes('--env staging') ? [index + 1] : []));
    const found = runCheck({ tenantPath: path.join(copy, 'tenant.yaml') }).findings.filter((finding) => finding.code === 'workflow-environment-missing');
    expect(lines.length).toBeGreaterThan(0);
    expect(found.map((finding) => `${finding.severity} ${finding.location.file}:${finding.location.line}`)).toEqual(lines.map((line) => `error ${path.join('.github', 'workflows', 'root-attributes.yml')}:${line}`));
    expect(found[0]?.message).toBe(`${path.join('.github', 'workflows', 'root-attributes.yml')} runs a command for environment "staging", which has no environments/staging.yaml`);
  });
});
