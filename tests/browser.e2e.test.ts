/**
 * Logins in a real browser: the sample single-page app (the unmodified auth0-spa-js) in Debian's Chromium,
 * driven by playwright-core, against the local tenant (a child process) — every scenario starts at the
 * app's buttons. The browser trusts the tenant's certificate and nothing else: Chromium is told to accept
 * that one public key (`--ignore-certificate-errors-spki-list`), which the app's server shares. Each hosted
 * page passes an automated accessibility check (axe-core, in the page), and the tests take screenshots.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import policy from '../actions/policy';
import { startSampleApp, type SampleApp } from '../scripts/app/server';
import { PROJECT_ROOT } from '../scripts/lib/build-actions';
import { spawnLocalTenant, type TenantProcess, managementApi, type ManagementApi } from '@auth0-root-attributes/local-tenant';
import { launchChromium } from './support/chromium';
import { seedProjectTenant } from './support/seed';

jest.setTimeout(120_000);

const SCREENSHOTS = path.join(PROJECT_ROOT, '.local', 'screenshots');
/** `npm run screenshots` sets this: the app's claims view is copied to docs/ for the README. */
const UPDATE_DOCS = process.env.UPDATE_DOCS_SCREENSHOT === '1';
const PASSWORD = 'correct horse battery staple';
describe('the sample single-page app in Chromium', () => {
  let tenant: TenantProcess;
  let api: ManagementApi;
  let app: SampleApp;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'browser-')) });
    api = await managementApi(tenant);
    await seedProjectTenant(api, [
      { name: 'refuse-mallory', trigger: 'post-login', code: "exports.onExecutePostLogin = async (event, api) => { if (event.user.email === 'mallory@example.com') api.access.deny('Mallory may not sign in here.'); };" },
      { name: 'second-factor', trigger: 'post-login', code: "exports.onExecutePostLogin = async (event, api) => { if (event.user.app_metadata.mfa === true) api.multifactor.enable('any'); };" },
    ]);
    const cert = readFileSync(path.join(tenant.stateDir, 'server.pem'), 'utf8');
    app = await startSampleApp({ cert, key: readFileSync(path.join(tenant.stateDir, 'server-key.pem'), 'utf8'), config: { domain: tenant.domain, clientId: '', namespace: policy.namespace } });
    const created = await api.call('POST', '/api/v2/clients', {
      name: 'Sample single-page app', app_type: 'spa', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'],
      callbacks: [`${app.origin}/`], allowed_logout_urls: [`${app.origin}/`], web_origins: [app.origin],
    });
    expect(created.status).toBe(201);
    app.configure({ clientId: (created.body as { client_id: string }).client_id });
    // The one key Chromium accepts besides its own trust store: the tenant's (the app serves the same certificate).
    const spki = createHash('sha256').update(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    browser = await launchChromium(['--disable-quic', `--ignore-certificate-errors-spki-list=${spki}`]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await tenant?.close();
  });

  async function fresh(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${app.origin}/`);
    await page.getByText('You are not signed in.').waitFor();
    return page;
  }

  async function signedIn(page: Page): Promise<Record<string, string>> {
    await page.getByText('You are signed in.').waitFor();
    const rows = await page.locator('#sources tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    return Object.fromEntries(rows.map(([attribute, source]) => [attribute ?? '', source ?? '']));
  }

  /** axe-core, run in the page: no serious or critical violation. */
  async function expectAccessible(page: Page, what: string): Promise<void> {
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const violations = await page.evaluate(async () => {
      const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: unknown[] }> }> } }).axe.run();
      return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.length }));
    });
    expect({ page: what, serious: violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical') }).toEqual({ page: what, serious: [] });
  }

  async function signUp(page: Page, fields: Record<string, string>): Promise<void> {
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/u\/signup\?state=/);
    for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
  }

  it('signs up on the hosted signup page and shows the sources as signup; a new login by password shows them again', async () => {
    const page = await fresh();
    await signUp(page, { 'Email address': 'ada@example.com', Password: PASSWORD, 'First name': 'Ada', 'Last name': 'Lovelace', 'Full name': 'Ada Lovelace' });
    expect(await signedIn(page)).toEqual({ name: 'signup', given_name: 'signup', family_name: 'signup', nickname: 'signup', picture: 'signup' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sample-app-claims.png'), fullPage: true });
    if (UPDATE_DOCS) copyFileSync(path.join(SCREENSHOTS, 'sample-app-claims.png'), path.join(PROJECT_ROOT, 'docs', 'sample-app-claims.png'));

    const again = await fresh();
    await again.getByRole('button', { name: 'Sign in', exact: true }).click();
    await again.waitForURL(/\/u\/login\?state=/);
    await expectAccessible(again, 'login');
    await again.screenshot({ path: path.join(SCREENSHOTS, 'login.png'), fullPage: true });
    await again.getByLabel('Email address', { exact: true }).fill('ada@example.com');
    await again.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await again.getByRole('button', { name: 'Continue', exact: true }).click();
    expect(await signedIn(again)).toMatchObject({ name: 'signup' });
  });

  it('keeps a spam signup on the signup page with the Action message, announced to the user', async () => {
    const page = await fresh();
    await signUp(page, { 'Email address': 'offers@example.com', Password: PASSWORD, 'First name': 'Buy', 'Full name': 'Visit www.cheap-pills.example' });
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain("Your name can't contain a web address.");
    expect(page.url()).toContain('/u/signup');
    await expectAccessible(page, 'signup with an error');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'signup-error.png'), fullPage: true });
  });

  it('records a Google stand-in first login as idp, then a Management API change of the picture at the next login', async () => {
    const page = await fresh();
    await page.getByRole('button', { name: 'Sign in with Google' }).click();
    await page.waitForURL(/\/u\/upstream\?state=/);
    await expectAccessible(page, 'identity provider stand-in');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'upstream-idp.png'), fullPage: true });
    await page.getByLabel('User id at Google').fill('104200000000000000042');
    await page.getByLabel('Email address').fill('grace@example.com');
    await page.getByLabel('Full name').fill('Grace Hopper');
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Last name').fill('Hopper');
    await page.getByLabel('Picture (a web address)').fill('https://lh3.googleusercontent.com/a/grace');
    await page.getByRole('button', { name: 'Continue as this user' }).click();
    expect(await signedIn(page)).toEqual({ name: 'idp', given_name: 'idp', family_name: 'idp', picture: 'idp' });

    expect((await api.call('PATCH', `/api/v2/users/${encodeURIComponent('google-oauth2|104200000000000000042')}`, { picture: 'https://lh3.googleusercontent.com/a/grace-2026' })).status).toBe(200);
    // A new login: after a reload auth0-spa-js asks the tenant silently, and post-login runs again.
    await page.reload();
    expect(await signedIn(page)).toMatchObject({ picture: 'management_api', name: 'idp' });
  });

  it('shows a login the post-login Action denies as access_denied with the Action message', async () => {
    const page = await fresh();
    await signUp(page, { 'Email address': 'mallory@example.com', Password: PASSWORD, 'First name': 'Mallory', 'Last name': 'Example' });
    await page.getByText('You are not signed in.').waitFor();
    expect(await page.locator('#error').textContent()).toBe('access_denied: Mallory may not sign in here.');
  });

  it('gets a token silently after a reload (prompt=none, web_message in an iframe), then signs out and is asked again', async () => {
    const page = await fresh();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Email address', { exact: true }).fill('ada@example.com');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await signedIn(page);
    const authorizeRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/authorize?')) authorizeRequests.push(request.url());
    });
    // After a reload the SDK's memory is empty: it asks the tenant in a hidden iframe, and the user is back.
    await page.reload();
    expect(await signedIn(page)).toMatchObject({ name: 'signup' });
    const silent = new URL(authorizeRequests.at(-1) ?? 'https://none/');
    expect([silent.searchParams.get('prompt'), silent.searchParams.get('response_mode')]).toEqual(['none', 'web_message']);
    await page.getByRole('button', { name: 'Get a token silently' }).click();
    await page.getByText(/^Got a token silently \(expires in \d+ s\)\.$/).waitFor();
    expect(authorizeRequests.length).toBe(2);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are not signed in.').waitFor();
    expect(page.url()).toBe(`${app.origin}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/u\/login\?state=/);
  });

  it('works with the keyboard alone, and announces a field error next to its field', async () => {
    const page = await fresh();
    await page.getByRole('button', { name: 'Sign up' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/u\/signup\?state=/);
    // The first field takes the first Tab; every field is reached in order.
    await page.keyboard.press('Tab');
    await page.keyboard.type('keys@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('short');
    await page.keyboard.press('Enter');
    const password = page.getByLabel('Password', { exact: true });
    await expect(password.getAttribute('aria-invalid')).resolves.toBe('true');
    const described = await password.getAttribute('aria-describedby');
    await expect(page.locator(`#${described ?? 'none'}`).textContent()).resolves.toBe('Password is too weak: use 12 to 72 characters.');
    await expect(page.getByLabel('Email address', { exact: true }).inputValue()).resolves.toBe('keys@example.com');
    // Fix it by keyboard: focus the password, type a good one, submit with Enter.
    await password.focus();
    await page.keyboard.type(PASSWORD);
    for (const label of ['First name', 'Last name']) {
      await page.getByLabel(label, { exact: true }).focus();
      await page.keyboard.type('Key');
    }
    await page.keyboard.press('Enter');
    expect(await signedIn(page)).toMatchObject({ given_name: 'signup' });
  });

  it('passes the accessibility check on the code, second-factor and expired-link pages', async () => {
    expect((await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', email: 'mfa@example.com', password: PASSWORD, app_metadata: { mfa: true } })).status).toBe(201);
    const page = await fresh();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Email address', { exact: true }).fill('mfa@example.com');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.waitForURL(/\/u\/mfa\?state=/);
    await expectAccessible(page, 'second factor');

    const code = await fresh();
    await code.getByRole('button', { name: 'Sign in', exact: true }).click();
    await code.getByLabel('Email address for a sign-in code').fill('pat@example.com');
    await code.getByRole('button', { name: 'Email me a code' }).click();
    await code.getByLabel('Code').waitFor();
    await expectAccessible(code, 'one-time code');

    await code.goto(`https://${tenant.domain}/u/login?state=expired`);
    await expectAccessible(code, 'expired link');
  });
});
