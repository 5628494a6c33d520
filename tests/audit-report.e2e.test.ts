/**
 * The audit as a picture: `npm run audit -- --html FILE` for a seeded local tenant, opened in Debian's
 * Chromium (playwright-core), each chart checked against the numbers of the `--json` report of the same
 * tenant; `--compare` against a report written before three planted changes lists exactly those; the
 * Markdown's Mermaid charts; progress on a terminal (a pseudo-terminal from util-linux's `script`) and none
 * elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { PROJECT_ROOT } from '../scripts/lib/build-actions';
import { deployedWorkspace } from './support/deployed';
import type { Workspace } from './support/workspace';
import { launchChromium } from './support/chromium';
import { commandEnv } from './support/project-copy';
import { defaultAppOf, defaultClientOf, postJson, spaceCli, withSpaceTenant } from './support/space-cli';

jest.setTimeout(240_000);

const SCREENSHOTS = path.join(PROJECT_ROOT, '.local', 'screenshots');
const UPDATE_DOCS = process.env.UPDATE_DOCS_SCREENSHOT === '1';
const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
/** The Okabe–Ito palette the report draws with. */
const OKABE_ITO = new Set(['#e69f00', '#56b4e9', '#009e73', '#0072b2', '#f0e442', '#d55e00', '#999999']);

interface Report {
  generatedAt: string;
  drift: Array<{ kind: string; name: string; problem: string }>;
  users: { users: number; withoutRecord: number; violations: number; sources: Record<string, Record<string, Record<string, number>>>; byCode: Record<string, number>; examplesByCode: Record<string, string[]> };
  denials: { logins: Record<string, number>; signups: Record<string, number> };
}

let space: Workspace;

const audit = (args: string[]) => spaceCli(space, 'audit.ts', args);


beforeAll(async () => {
  space = await deployedWorkspace();
  await withSpaceTenant(space, async (api, tenant) => {
    const client = defaultClientOf(tenant);
    for (const id of ['g-1', 'g-2']) await postJson(tenant, '/local/upstream-login', { client_id: client, client_secret: defaultAppOf(tenant).client_secret, connection: 'google-oauth2', profile: { user_id: id, name: `Google ${id}`, given_name: 'Google', picture: `https://lh3.googleusercontent.com/a/${id}` } });
    await postJson(tenant, '/dbconnections/signup', { client_id: client, connection: 'Username-Password-Authentication', email: 'fine@example.com', password: 'a long enough password', name: 'Fine Person' });
    await postJson(tenant, '/local/upstream-login', { client_id: client, client_secret: defaultAppOf(tenant).client_secret, connection: 'corp-oidc', profile: { user_id: 'e-1', name: 'Corp Person', given_name: 'Corp', family_name: 'Person' } });
    // A signup the pre-user-registration Action denies (a logged denial), and a user without a record breaking a value rule.
    await postJson(tenant, '/dbconnections/signup', { client_id: client, connection: 'Username-Password-Authentication', email: 'spam@example.com', password: 'a long enough password', name: 'Visit www.spam.example.com' });
    await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', email: 'norecord@example.com', password: 'a long enough password', name: 'Visit www.spam.example.com' });
  });
});

describe('the HTML report', () => {
  let browser: Browser | undefined;
  afterAll(async () => browser?.close());

  it('draws every chart with the numbers of the JSON report, from one file that asks the network for nothing', async () => {
    const json = audit(['--json']);
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as Report;
    const file = path.join(space.dir, 'report.html');
    const html = audit(['--html', file]);
    expect(html.status).toBe(1);
    expect(html.stderr).toBe(`the HTML report is in ${file}\n`);
    const page = readFileSync(file, 'utf8');
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    for (const value of ['Google g-1', 'Fine Person', 'spam.example.com', 'googleusercontent.com/a/']) expect(page).not.toContain(value);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const asked: string[] = [];
    await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : (asked.push(route.request().url()), route.abort())));
    const tab = await context.newPage();
    await tab.goto(`file://${file}`);

    // The data behind the charts is the report --json prints (written a moment later, so its own time, and by
    // another run of the embedded tenant, so its own port).
    const embedded = JSON.parse((await tab.locator('#audit-report').textContent()) ?? '') as Report;
    expect({ ...embedded, generatedAt: '', target: '' }).toEqual({ ...report, generatedAt: '', target: '' });

    // Each connection's stacked bars: one bar per attribute and source, each with the JSON's count.
    const connections = Object.keys(report.users.sources).sort();
    expect(connections).toEqual(['Username-Password-Authentication', 'corp-oidc', 'google-oauth2']);
    const bars = async (id: string) =>
      tab.locator(`figure[data-chart="${id}"] svg path[aria-roledescription="bar"]`).evaluateAll((paths) => paths.map((bar) => ({ label: bar.getAttribute('aria-label') ?? '', fill: (bar.getAttribute('fill') ?? '').toLowerCase() })));
    const parse = (label: string) => Object.fromEntries(label.split('; ').map((part) => part.split(': ') as [string, string]));
    for (const connection of connections) {
      const drawn = (await bars(`sources-${connection}`)).map(({ label, fill }) => {
        const fields = parse(label);
        expect(OKABE_ITO.has(fill)).toBe(true);
        return `${fields.attribute} ${fields.source} ${fields.users}`;
      });
      const expected = Object.entries(report.users.sources[connection] ?? {}).flatMap(([attribute, counts]) => Object.entries(counts).map(([source, count]) => `${attribute} ${source} ${count}`));
      expect(drawn.sort()).toEqual(expected.sort());
      // A text alternative: the SVG's label and the caption say the same totals.
      const figure = tab.locator(`figure[data-chart="sources-${connection}"]`);
      expect(await figure.locator('svg').first().getAttribute('aria-label')).toMatch(new RegExp(`^Sources of root attributes on ${connection}: `));
      expect(await figure.locator('.alt').textContent()).toMatch(/^Sources of root attributes on /);
    }
    const violations = (await bars('violations')).map(({ label }) => parse(label)).map((fields) => `${fields.rule} ${fields.count}`);
    expect(violations).toEqual(Object.entries(report.users.byCode).map(([code, count]) => `${code} ${count}`));
    expect(report.users.byCode).toEqual({ 'name.web-address': 1 });
    expect(await tab.locator('tr[data-code="name.web-address"] code').allTextContents()).toEqual(['name.web-address', ...report.users.examplesByCode['name.web-address']!]);
    const signups = (await bars('denied-signups')).map(({ label }) => parse(label)).map((fields) => `${fields.reason} ${fields.count}`);
    expect(signups).toEqual(Object.entries(report.denials.signups).map(([reason, count]) => `${reason} ${count}`));

    // Summary figures, as the JSON has them.
    const figure = async (name: string) => (await tab.locator(`li[data-figure="${name}"] .value`).textContent())?.replace(/,/g, '');
    expect(await figure('users')).toBe(String(report.users.users));
    expect(await figure('users without a record')).toBe(String(report.users.withoutRecord));
    expect(await figure('violations')).toBe(String(report.users.violations));
    expect(await figure('drifted connections')).toBe('0');
    expect(await figure('denied signups')).toBe(String(Object.values(report.denials.signups).reduce((a, b) => a + b, 0)));
    expect(asked).toEqual([]);

    mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = path.join(SCREENSHOTS, 'audit-report.png');
    await tab.screenshot({ path: shot, fullPage: false });
    if (UPDATE_DOCS) copyFileSync(shot, path.join(PROJECT_ROOT, 'docs', 'audit-report.png'));
    await context.close();
    writeFileSync(path.join(space.dir, 'before.json'), json.stdout);
  });
});

describe('--compare', () => {
  it('lists exactly the three changes planted since the earlier report, in text, Markdown and HTML', async () => {
    const before = path.join(space.dir, 'before.json');
    if (!existsSync(before)) writeFileSync(before, audit(['--json']).stdout);
    await withSpaceTenant(space, async (api, tenant) => {
      // 1. A Google user's picture changed behind post-login's back (no login since).
      await api.call('PATCH', `/api/v2/users/${encodeURIComponent('google-oauth2|g-2')}`, { picture: 'https://lh3.googleusercontent.com/a/g-2-new' });
      // 2. Drift: google-oauth2 reset to the default sync.
      const google = tenant.state().connections.find((connection) => connection.name === 'google-oauth2')!;
      const { set_user_root_attributes: _sync, ...options } = google.options;
      await api.call('PATCH', `/api/v2/connections/${google.id}`, { options });
      // 3. One more user without a record whose name breaks a value rule (the tenant gives it a nickname and a picture, as Auth0 does).
      await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', email: 'norecord2@example.com', password: 'a long enough password', name: 'See www.spam.example.com' });
    });
    const text = audit(['--compare', before]);
    expect(text.status).toBe(1);
    const section = text.stdout.slice(text.stdout.indexOf('Since the previous report'));
    expect(section.split('\n').filter((line) => line.startsWith('  '))).toEqual([
      '  users: 5 → 6 (+1)',
      '  users without a provenance record: 1 → 2 (+1)',
      '  violations: 1 → 2 (+1)',
      '  Username-Password-Authentication name from none: 1 → 2 (+1)',
      '  Username-Password-Authentication nickname from none: 2 → 3 (+1)',
      '  Username-Password-Authentication picture from none: 2 → 3 (+1)',
      '  google-oauth2 picture from idp: 2 → 1 (−1)',
      '  google-oauth2 picture from changed: 0 → 1 (+1)',
      '  violations name.web-address: 1 → 2 (+1)',
      '  new drift: connection google-oauth2: syncs on_each_login on the tenant; tenant.yaml says on_first_login',
    ]);
    expect(section).toMatch(/^Since the previous report \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\): 10 changes/);

    const markdown = audit(['--compare', before, '--markdown']);
    expect(markdown.stdout).toContain('### Since the previous report');
    expect(markdown.stdout).toContain('- google-oauth2 picture from changed: 0 → 1 (+1)');
    const file = path.join(space.dir, 'compared.html');
    audit(['--compare', before, '--html', file]);
    expect(readFileSync(file, 'utf8')).toContain('<li>new drift: connection google-oauth2: syncs on_each_login on the tenant; tenant.yaml says on_first_login</li>');
  });

  it('refuses a file that is not an earlier report, before anything is sent', () => {
    const file = path.join(space.dir, 'not-a-report.json');
    writeFileSync(file, '{"hello": 1}');
    const run = audit(['--compare', file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error file-unreadable: .*not-a-report\.json is not an audit report\n  hint: give a report written by npm run -s audit -- --json > FILE/m);
  });
});

describe('--markdown', () => {
  it('has Mermaid charts GitHub renders: sources per connection and violations by rule, with the report\'s numbers', () => {
    const run = audit(['--markdown']);
    const report = JSON.parse(audit(['--json']).stdout) as Report;
    const google = report.users.sources['google-oauth2'] ?? {};
    const total = (source: string) => Object.values(google).reduce((sum, counts) => sum + (counts[source] ?? 0), 0);
    expect(run.stdout).toContain(['```mermaid', 'pie showData title Sources of root attributes on google-oauth2', `    "idp" : ${total('idp')}`].join('\n'));
    expect(run.stdout).toContain(['```mermaid', 'pie showData title Violations by rule', `    "name.web-address" : ${report.users.byCode['name.web-address']}`, '```'].join('\n'));
  });
});

describe('progress', () => {
  it('shows users, rate and time left on a terminal, and nothing when the output is not one', () => {
    const file = path.join(space.dir, 'many.ndjson');
    const line = JSON.stringify({ user_id: 'auth0|x', email: 'x@example.com', identities: [{ connection: 'Username-Password-Authentication' }] });
    writeFileSync(file, `${line}\n`.repeat(200_000));
    const command = [TSX, path.join(PROJECT_ROOT, 'scripts', 'audit.ts'), '--tenant', space.tenantPath, '--users-file', file].map((part) => `'${part}'`).join(' ');
    const env = commandEnv({ LOCAL_TENANT_DIR: space.stateDir });
    // util-linux's script(1) gives the command a pseudo-terminal, as a person's shell would.
    const terminal = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: space.dir, env, encoding: 'utf8', timeout: 200_000 });
    expect(terminal.stdout).toMatch(/200,000 users \| [\d,]+\/s/);
    expect(terminal.stdout).toMatch(/100% \| 200,000 users \| [\d,]+\/s \| \S+ left/);
    const piped = audit(['--users-file', file]);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toContain('Users: 200,000 read');
  });
});
