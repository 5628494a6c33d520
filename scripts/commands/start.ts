/**
 * `npm start`: the whole pipeline on the embedded default, told as a short story. Build, check, start a
 * fresh local tenant, deploy with the real a0deploy, then signups and logins through the deployed Actions,
 * each by the authorization code flow through the hosted pages, as tenant.yaml's sample web app signs in:
 * a clean signup; a spam signup denied; a Google user's first login; a Management API change of that
 * user's picture recorded at the next login; an enterprise user's name changed at the IdP; a PATCH of it
 * refused as Auth0 refuses it. Ends with every user's sources and each ID token's claims, verified.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import policy from '../../actions/policy';
import { buildAndCheck, deployTo } from '../deploy/run';
import { EXIT, runCommand } from '../lib/errors';
import { localTarget } from '../lib/target';
import { defaultStateDir, startLocalTenant } from '../local-tenant/index';
import { removeState } from '../local-tenant/database';
import { alertsOf, UserAgent as Browser, type Page } from '../story/browser';
import { codeFlowApp } from '../story/code-flow';
import { loginClient } from '../story/logins';
import { describeClaims, flowRecorder, sourcesOf, sourcesTable } from '../story/report';
import { PROJECT_ROOT } from '../lib/build-actions';

// The default local tenant, started afresh: `npm run audit` and `npm run tenant` afterwards see the story's tenant.
const STATE_DIR = defaultStateDir();
const DATABASE = 'Username-Password-Authentication';
const PASSWORD = 'correct horse battery staple';
/** The tenant.yaml client the story signs in with. */
const SAMPLE_APP = 'Sample web app';

const heading = (text: string) => console.log(`\n${text}`);
const say = (text: string) => console.log(`   ${text}`);

void runCommand(async () => {
  console.log('auth0-root-attributes: the whole pipeline on the local tenant');

  heading('1. Build and check');
  const tenantPath = path.join(PROJECT_ROOT, 'tenant.yaml');
  if (!(await buildAndCheck({ tenantPath, say, warn: (line) => console.error(line) }))) return EXIT.findings;
  say('tenant.yaml and actions/policy.ts: no problems found');

  heading('2. Start a fresh local tenant');
  // A fresh tenant each time (the CA is kept, so this process's trust stays valid).
  if (existsSync(STATE_DIR)) removeState(STATE_DIR, ['deployments.json']);
  const flows = flowRecorder();
  const tenant = await startLocalTenant({ stateDir: STATE_DIR, onFlow: flows.observe });
  const target = localTarget(tenant);
  try {
    say(`https://${tenant.domain}/ (state in ${path.relative(PROJECT_ROOT, STATE_DIR)})`);

    heading('3. Deploy with a0deploy');
    const lines: string[] = [];
    const deployed = await deployTo(target, { tenantPath, allowDelete: false, planOnly: false, say: (line) => lines.push(line), warn: (line) => console.error(line) });
    if (deployed.code !== 0) {
      for (const line of lines) console.error(line);
      return deployed.code;
    }
    for (const line of lines.filter((l) => !l.startsWith('  a0deploy:'))) say(line.replace(/\n/g, '\n   '));

    // The story's logins are the sample web app's (tenant.yaml): the authorization code flow through the
    // hosted pages, driven by a browser without a screen, with openid-client on the app's side.
    const app = tenant.store.state.clients.find((client) => client.name === SAMPLE_APP);
    if (!app) throw new Error(`tenant.yaml has no client named "${SAMPLE_APP}" for the story to sign in with`);
    const callback = app.callbacks[0] ?? '';
    const web = await codeFlowApp(`https://${tenant.domain}/`, app.client_id, app.client_secret, callback);
    const client = loginClient(tenant.domain, app.client_id);
    const tokens: Array<{ label: string; token: string }> = [];
    const users = () => tenant.store.state.users;
    const sourcesLine = (userId: string) => {
      const user = users().find((candidate) => candidate.user_id === userId);
      return user ? Object.entries(sourcesOf(user, policy.metadataKey)).map(([attribute, source]) => `${attribute} ← ${source}`).join(', ') : 'no such user';
    };
    const showLogs = () => {
      for (const line of flows.take()) say(`  Action log: ${line}`);
    };
    /** A login from the app's "Sign in": the hosted page the tenant shows, filled in as a person would. */
    const signIn = async (label: string, params: Record<string, string>, fill: (browser: Browser, page: Page) => ReturnType<Browser['submit']>, browser = new Browser(tenant.ca)) => {
      const first = await browser.open(await web.start(params), callback);
      if (!('page' in first)) return { browser, arrived: first.arrived, tokens: await finishLogin(label, first.arrived) };
      const step = await fill(browser, first.page);
      if (!('arrived' in step)) return { browser, page: step.page };
      return { browser, arrived: step.arrived, tokens: await finishLogin(label, step.arrived) };
    };
    const finishLogin = async (label: string, arrived: string) => {
      const result = await web.finish(arrived);
      tokens.push({ label, token: result.idToken });
      return result;
    };
    const subjectOf = (result: { tokens?: { claims: Record<string, unknown> } }, what: string) => {
      if (!result.tokens) throw new Error(`${what}: the login did not reach the app`);
      return String(result.tokens.claims.sub);
    };

    heading(`4. Signups and logins through the deployed Actions, as "${SAMPLE_APP}" signs users in`);
    say(`a. A clean signup on the hosted signup page (${DATABASE}), then a login with the password`);
    const signedUp = await signIn('database user, signup', { screen_hint: 'signup' }, (browser, page) => browser.submit(page, callback, { email: 'ada@example.com', password: PASSWORD, name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace' }));
    const ada = subjectOf(signedUp, 'the clean signup');
    await signIn('database user, password login', {}, (browser, page) => browser.submit(page, callback, { username: 'ada@example.com', password: PASSWORD }, 'Continue'));
    say(`→ created ${ada}: ${sourcesLine(ada)}`);
    showLogs();

    say('b. A spam signup on the same page');
    const spam = await signIn('spam signup', { screen_hint: 'signup' }, (browser, page) => browser.submit(page, callback, { email: 'offers@example.com', password: PASSWORD, name: 'Cheap pills at pills.biz' }));
    if (!spam.page) throw new Error('the spam signup was accepted');
    say(`→ the page says: "${alertsOf(spam.page).join(' ')}" (${spam.page.status}; no user created)`);
    showLogs();

    const idpFields = (profile: Record<string, string>) => (browser: Browser, page: Page) => browser.submit(page, callback, profile, 'Continue as this user');
    say('c. A Google user\'s first login, on the Google stand-in page (google-oauth2 syncs on_first_login)');
    const graceProfile = { user_id: '104417', email: 'grace@example.com', name: 'Grace Hopper', given_name: 'Grace', family_name: 'Hopper', picture: 'https://lh3.googleusercontent.com/a/grace' };
    const graceLogin = await signIn('Google user, first login', { connection: 'google-oauth2' }, idpFields(graceProfile));
    const grace = subjectOf(graceLogin, 'the Google login');
    say(`→ created ${grace}: ${sourcesLine(grace)}`);
    showLogs();

    say('d. The application changes that user\'s picture through the Management API (auth0 SDK), then the user logs in again');
    await target.management.users.update(grace, { picture: 'https://lh3.googleusercontent.com/a/grace-2026' });
    await signIn('Google user, after the Management API change', { connection: 'google-oauth2', prompt: 'login' }, idpFields(graceProfile), graceLogin.browser);
    say(`→ the next login recorded: ${sourcesLine(grace)}`);
    showLogs();

    say('e. An enterprise user logs in (corp-oidc syncs on_each_login); the IdP then changes their name');
    const corpProfile = { user_id: 'e-4711', email: 'edsger@corp.example', name: 'Edsger Dijkstra', given_name: 'Edsger', family_name: 'Dijkstra', picture: 'https://lh3.googleusercontent.com/a/edsger' };
    const edsgerLogin = await signIn('enterprise user, first login', { connection: 'corp-oidc' }, idpFields(corpProfile));
    const edsger = subjectOf(edsgerLogin, 'the enterprise login');
    say(`→ created ${edsger}: ${sourcesLine(edsger)}`);
    showLogs();
    await signIn('enterprise user, after the IdP changed the name', { connection: 'corp-oidc', prompt: 'login' }, idpFields({ ...corpProfile, name: 'Edsger W. Dijkstra' }), edsgerLogin.browser);
    say(`→ the IdP's change was recorded: ${sourcesLine(edsger)}`);
    showLogs();

    say('f. The application tries to PATCH the enterprise user\'s name through the Management API');
    try {
      await target.management.users.update(edsger, { name: 'Someone Else' });
      say('→ unexpectedly accepted');
      return EXIT.findings;
    } catch (error) {
      const { statusCode, body } = error as { statusCode?: number; body?: { errorCode?: string; message?: string } };
      say(`→ refused as Auth0 refuses it: ${statusCode ?? '?'} ${body?.errorCode ?? ''}: "${body?.message ?? ''}"`);
    }

    heading('5. Every user\'s root attributes and where they came from (values not shown)');
    for (const line of sourcesTable(users(), policy.metadataKey)) say(line);

    heading(`6. ID tokens, verified (RS256) against https://${tenant.domain}/.well-known/jwks.json`);
    for (const { label, token } of tokens) {
      say(`${label}:`);
      for (const line of describeClaims(await client.verify(token), policy.namespace)) say(`  ${line}`);
    }
    console.log(`\nDone. The local tenant's state is in ${path.relative(PROJECT_ROOT, STATE_DIR)}/: \`npm run audit\` reports on it, \`npm run tenant\` serves it, \`npm run simulate\` runs one more login.`);
    return EXIT.ok;
  } finally {
    await target.close();
  }
});
