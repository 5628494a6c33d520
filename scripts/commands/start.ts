/**
 * `npm start`: the whole pipeline on the embedded default, told as a short story. Build, check, start a
 * fresh local tenant, deploy with the real a0deploy, then signups and logins through the deployed Actions,
 * each by the authorization code flow through the hosted pages, as tenant.yaml's sample web app signs in:
 * a clean signup; a spam signup (denied or not, as the policy says); a first login through a connection that
 * syncs on_first_login; a Management API change of that user's picture recorded at the next login; a name
 * changed at the IdP of a connection that syncs on_each_login; a PATCH of it refused as Auth0 refuses it.
 * The connections come from tenant.yaml and the policy as a fork has them; a step the tenant has no
 * connection for is skipped, saying why. Ends with every user's sources and each ID token's claims, verified.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { buildAndCheck, deployTo } from '../deploy/run';
import { commandArgs } from '../lib/args';
import { EXIT, ProjectError, runCommand } from '../lib/errors';
import { isRecord } from '../lib/tenant-model';
import { readTenantFile } from '../lib/tenant-yaml';
import { localTarget } from '../lib/target';
import { alertsOf, removeState, startLocalTenant, UserAgent as Browser, type Page } from '@auth0-root-attributes/local-tenant';
import { defaultStateDir } from '../lib/local-state';
import { codeFlowApp } from '../story/code-flow';
import { loginClient } from '../story/logins';
import { describeClaims, flowRecorder, sourcesOf, sourcesTable } from '../story/report';
import { PROJECT_ROOT } from '../lib/build-actions';
import { loadProject, type Project } from '../lib/project';
import { isUpstream } from '../../actions/lib/connection-kinds';
import type { CompiledConnection } from '../../actions/lib/compile-policy';
import { ROOT_ATTRIBUTES } from '../../actions/lib/attributes';

// The default local tenant, started afresh: `npm run audit` and `npm run tenant` afterwards see the story's tenant.
const STATE_DIR = defaultStateDir();
const PASSWORD = 'correct horse battery staple';
/** The tenant.yaml client the story signs in with, when it has one of that name. */
const SAMPLE_APP = 'Sample web app';

/**
 * The app the story signs users in with: tenant.yaml's sample web app, else its first regular web app with a
 * callback and the code grant — a fork's own. Without one, nothing can sign in, and the story is refused
 * before it starts anything.
 */
function storyApp(tenantPath: string): string {
  const data = readTenantFile(tenantPath).data;
  const clients = (isRecord(data) && Array.isArray(data.clients) ? data.clients : []).filter(isRecord);
  const fit = (client: Record<string, unknown>) =>
    client.app_type === 'regular_web' && Array.isArray(client.callbacks) && client.callbacks.length > 0 &&
    (client.grant_types === undefined || (Array.isArray(client.grant_types) && client.grant_types.includes('authorization_code')));
  const chosen = clients.find((client) => client.name === SAMPLE_APP && fit(client)) ?? clients.find(fit);
  if (typeof chosen?.name === 'string') return chosen.name;
  throw new ProjectError('usage', 'npm start signs users in through a regular web app of tenant.yaml, and this tenant.yaml has none: a client with app_type: regular_web, a callback and the authorization_code grant', {
    hint: 'add one under clients: (the shipped tenant.yaml\'s "Sample web app" is one), or try your tenant with npm run deploy and npm run simulate; nothing was started',
  });
}

const ADA: Record<string, string> = { name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace' };

/**
 * The connections the story signs users in with, chosen from tenant.yaml and the policy as they are (a fork's
 * own): the first database connection, and the first upstream connections that sync on_first_login and
 * on_each_login. A step whose kind of connection the tenant lacks is skipped, saying why.
 */
function castOf(project: Project) {
  const managed = (name: string): CompiledConnection | undefined => {
    const compiled = project.compiled.connection(name);
    return typeof compiled === 'string' ? undefined : compiled;
  };
  const connections = Object.keys(project.table).map(managed).filter((connection): connection is CompiledConnection => connection !== undefined);
  const upstream = (sync: string) => connections.find((connection) => isUpstream(connection.kind) && connection.sync === sync);
  return { database: connections.find((connection) => connection.kind === 'database'), syncsOnce: upstream('on_first_login'), syncsEach: upstream('on_each_login') };
}

/** The profile a clean signup sends: only the attributes the policy lets signup supply on that connection. */
function signupFields(connection: CompiledConnection, profile: Record<string, string>): Record<string, string> {
  return Object.fromEntries(ROOT_ATTRIBUTES.filter((attribute) => connection.attributes[attribute].sources.has('signup') && profile[attribute] !== undefined).map((attribute) => [attribute, profile[attribute] ?? '']));
}

const heading = (text: string) => console.log(`\n${text}`);
const say = (text: string) => console.log(`   ${text}`);

void runCommand(async () => {
  // It takes no arguments: the story is the same on every run, on a fresh local tenant.
  commandArgs('start', 'usage: npm start  (no arguments: it builds, checks, deploys tenant.yaml to a fresh local tenant and signs users in)', {});
  console.log('auth0-root-attributes: the whole pipeline on the local tenant');

  heading('1. Build and check');
  const tenantPath = path.join(PROJECT_ROOT, 'tenant.yaml');
  if (!(await buildAndCheck({ tenantPath, say, warn: (line) => console.error(line) }))) return EXIT.findings;
  const project = loadProject(tenantPath);
  const { policy } = project;
  const appName = storyApp(tenantPath);
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
    const app = tenant.store.state.clients.find((client) => client.name === appName);
    if (!app) throw new ProjectError('refused', `"${appName}" of tenant.yaml is not on the tenant after the deploy`, { hint: 'run npm run deploy -- --plan to see what differs' });
    const callback = app.callbacks[0] ?? '';
    const web = await codeFlowApp(`https://${tenant.domain}/`, app.client_id, app.client_secret, callback);
    const client = loginClient(tenant.domain, app.client_id, app.client_secret);
    const tokens: Array<{ label: string; token: string }> = [];
    const users = () => tenant.store.users.all();
    const sourcesLine = (userId: string) => {
      const user = tenant.store.users.get(userId);
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

    heading(`4. Signups and logins through the deployed Actions, as "${appName}" signs users in`);
    const cast = castOf(project);
    const idpFields = (profile: Record<string, string>) => (browser: Browser, page: Page) => browser.submit(page, callback, profile, 'Continue as this user');

    if (!cast.database) {
      say('a. and b. skipped: tenant.yaml has no database connection to sign up on');
    } else {
      const database = cast.database;
      say(`a. A clean signup on the hosted signup page (${database.name}), then a login with the password`);
      const signedUp = await signIn('database user, signup', { screen_hint: 'signup', connection: database.name }, (browser, page) => browser.submit(page, callback, { email: 'ada@example.com', password: PASSWORD, ...signupFields(database, ADA) }));
      const ada = subjectOf(signedUp, 'the clean signup');
      await signIn('database user, password login', { connection: database.name }, (browser, page) => browser.submit(page, callback, { username: 'ada@example.com', password: PASSWORD }, 'Continue'));
      say(`→ created ${ada}: ${sourcesLine(ada)}`);
      showLogs();

      const denies = database.attributes.name.enforce.signup.values === 'deny';
      say(`b. A spam signup on the same page (the policy's signup value rules ${denies ? 'deny' : `only ${database.attributes.name.enforce.signup.values === 'flag' ? 'flag' : 'ignore'}`} on ${database.name})`);
      const spam = await signIn('spam signup', { screen_hint: 'signup', connection: database.name }, (browser, page) => browser.submit(page, callback, { email: 'offers@example.com', password: PASSWORD, name: 'Cheap pills at pills.biz' }));
      if (denies !== Boolean(spam.page)) throw new Error(`the spam signup was ${spam.page ? 'denied' : 'accepted'}, though the policy says ${database.attributes.name.enforce.signup.values}`);
      say(spam.page ? `→ the page says: "${alertsOf(spam.page).join(' ')}" (${spam.page.status}; no user created)` : `→ accepted, as the policy says: ${subjectOf(spam, 'the spam signup')}: ${sourcesLine(subjectOf(spam, 'the spam signup'))}`);
      showLogs();
    }

    /** A user's first login through an upstream connection's stand-in page: the user it created, and the browser (for the next login). */
    const firstUpstreamLogin = async (name: string, profile: Record<string, string>) => {
      const first = await signIn(`${name} user, first login`, { connection: name }, idpFields(profile));
      const user = subjectOf(first, `the ${name} login`);
      say(`→ created ${user}: ${sourcesLine(user)}`);
      showLogs();
      return { user, browser: first.browser };
    };

    const grace = { user_id: '104417', email: 'grace@example.com', name: 'Grace Hopper', given_name: 'Grace', family_name: 'Hopper', picture: 'https://lh3.googleusercontent.com/a/grace' };
    if (!cast.syncsOnce) {
      say('c. and d. skipped: no social or enterprise connection in tenant.yaml syncs on_first_login');
    } else {
      const { name } = cast.syncsOnce;
      say(`c. A user's first login through ${name}, on its stand-in page (${name} syncs on_first_login)`);
      const first = await firstUpstreamLogin(name, grace);
      const { user } = first;

      say('d. The application changes that user\'s picture through the Management API (auth0 SDK), then the user logs in again');
      await target.management.users.update(user, { picture: 'https://lh3.googleusercontent.com/a/grace-2026' });
      await signIn(`${name} user, after the Management API change`, { connection: name, prompt: 'login' }, idpFields(grace), first.browser);
      say(`→ the next login recorded: ${sourcesLine(user)}`);
      showLogs();
    }

    const edsger = { user_id: 'e-4711', email: 'edsger@corp.example', name: 'Edsger Dijkstra', given_name: 'Edsger', family_name: 'Dijkstra', picture: 'https://lh3.googleusercontent.com/a/edsger' };
    if (!cast.syncsEach) {
      say('e. and f. skipped: no social or enterprise connection in tenant.yaml syncs on_each_login, so the IdP never overwrites a name and the Management API may change it');
    } else {
      const { name } = cast.syncsEach;
      say(`e. A user logs in through ${name} (${name} syncs on_each_login); the IdP then changes their name`);
      const first = await firstUpstreamLogin(name, edsger);
      const { user } = first;
      await signIn(`${name} user, after the IdP changed the name`, { connection: name, prompt: 'login' }, idpFields({ ...edsger, name: 'Edsger W. Dijkstra' }), first.browser);
      say(`→ the IdP's change was recorded: ${sourcesLine(user)}`);
      showLogs();

      say(`f. The application tries to PATCH that user's name through the Management API`);
      try {
        await target.management.users.update(user, { name: 'Someone Else' });
        throw new Error(`the tenant accepted a PATCH of the name of a ${name} user, though ${name} syncs on_each_login`);
      } catch (error) {
        const { statusCode, body } = error as { statusCode?: number; body?: { errorCode?: string; message?: string } };
        if (statusCode === undefined) throw error;
        say(`→ refused as Auth0 refuses it: ${statusCode} ${body?.errorCode ?? ''}: "${body?.message ?? ''}"`);
      }
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
