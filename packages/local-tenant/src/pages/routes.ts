/**
 * The hosted pages, where `/authorize` sends the browser to sign in (Auth0's Universal Login paths):
 * `/u/login` (e-mail and password, a button per upstream connection), `/u/signup` (pre-user-registration
 * runs on submit; a denial keeps the user on the page with the Action's message), and `/u/upstream`, the
 * stand-in for an upstream identity provider, where the developer fills in the profile the IdP returns.
 * Each finishes oidc-provider's interaction and sends the browser back to `/authorize/:uid`, where the
 * post-login Actions run. `/v2/logout` ends the session and returns to an allowed logout URL.
 */
import { isSocialStrategy } from '../strategies';
import { HttpError, type Reply, type Request, type Route } from '../http';
import { authenticatePassword, tenantKind, type LoginContext } from '../login';
import type { Oidc } from '../oidc/provider';
import { ROOT_FIELDS, signUp, type SignupRefusal } from '../api/signup';
import { upstreamLogin } from '../api/upstream';
import { passwordlessLogin, sendPasswordlessCode } from '../api/passwordless';
import type { PendingLogin, StoredClient, StoredConnection } from '../state';
import { alert, escape, field, hidden, page } from './html';
import { formToken, formTokenMatches, fromBindingBrowser } from './binding';
import { signupAttributes } from './signup-fields';
import { isEmailAddress } from '../email';
import { BLOCKED_MESSAGE } from '../brute-force';
import { hasLeft, MFA_VERIFY_LIMIT, PASSWORDLESS_PER_ADDRESS, SUSPICIOUS_MESSAGE, take } from '../throttle';

type Interaction = InstanceType<Oidc['provider']['Interaction']>;

const html = (body: string, status = 200): Reply => ({ status, raw: Buffer.from(body), headers: { 'content-type': 'text/html; charset=utf-8' } });
const redirect = (location: string): Reply => ({ status: 303, headers: { location } });

const LABELS: Record<string, string> = { given_name: 'First name', family_name: 'Last name', name: 'Full name', nickname: 'Nickname', picture: 'Picture (a web address)' };

export const loginPath = (uid: string) => `/u/login?state=${encodeURIComponent(uid)}`;


/** Wrong codes allowed for a second factor before the login fails. */
const MFA_ATTEMPTS = 5;

/** `j***@example.com`: enough for the user to recognise the address. */
function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

/** Every field of a form body as a string (a form sends nothing else). */
function form(request: Request): Record<string, string> {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * The connections an application may sign in with: those that list it among their enabled clients, or,
 * when none lists it, every connection (the local tenant's leniency for tenant.yaml files that do not
 * set enabled_clients; Auth0 itself enables none).
 */
function connectionsFor(context: LoginContext, client: StoredClient): StoredConnection[] {
  const all = context.store.state.connections;
  const enabled = all.filter((connection) => connection.enabled_clients.includes(client.client_id));
  return enabled.length > 0 ? enabled : all;
}

function displayName(connection: StoredConnection): string {
  const name = connection.fields.display_name;
  if (typeof name === 'string' && name !== '') return name;
  const known: Record<string, string> = { 'google-oauth2': 'Google', github: 'GitHub', windowslive: 'Microsoft', apple: 'Apple', facebook: 'Facebook', linkedin: 'LinkedIn' };
  return known[connection.strategy] ?? connection.name;
}

export function pageRoutes(context: LoginContext, oidc: () => Promise<Oidc>): Route[] {
  const { store } = context;

  /** The state and the form token every form of an interaction carries (binding.ts). */
  const stateFields = (uid: string) => `${hidden('state', uid)}${hidden('form_token', formToken(store, uid))}`;

  /**
   * The interaction a page belongs to (its `state`), with its client; a friendly page when it expired. Only the
   * browser that started it gets it, and a posted form must carry its token.
   */
  async function interactionOf(state: string | null | undefined, request: Request): Promise<{ interaction: Interaction; client: StoredClient }> {
    const interaction = state ? await (await oidc()).provider.Interaction.find(state) : undefined;
    const client = interaction && store.state.clients.find((candidate) => candidate.client_id === interaction.params.client_id);
    if (!interaction || !client) throw new PageError(400, 'This sign-in link has expired', 'Go back to the application and sign in again.');
    if (!fromBindingBrowser(store, interaction.uid, request.headers)) throw new PageError(403, 'This sign-in was started elsewhere', 'Go back to the application and sign in again from this browser.');
    if (request.method === 'POST' && !formTokenMatches(store, interaction.uid, form(request).form_token)) throw new PageError(403, 'This form has expired', 'Go back to the application and sign in again.');
    return { interaction, client };
  }

  /** Ends the interaction as signed in, and sends the browser back to the authorization. */
  async function finish(interaction: Interaction, accountId: string, amr: string[]): Promise<Reply> {
    // A new login starts over: the post-login Actions decide again whether it owes a second factor.
    if (interaction.session?.uid) store.records.delete('mfaPending', interaction.session.uid);
    interaction.result = { ...interaction.lastSubmission, login: { accountId, amr, remember: true } };
    await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
    return redirect(interaction.returnTo);
  }

  function databaseOf(client: StoredClient, requested?: string): StoredConnection | undefined {
    const databases = connectionsFor(context, client).filter((connection) => tenantKind(connection) === 'database');
    return databases.find((connection) => connection.name === requested) ?? databases[0];
  }

  function loginPage(uid: string, client: StoredClient, values: { email?: string; error?: string; connection?: string } = {}): string {
    // `connection=` naming a passwordless connection: only its code form.
    const all = connectionsFor(context, client);
    const only = all.find((connection) => connection.name === values.connection && tenantKind(connection) === 'passwordless');
    const connections = only ? [only] : all;
    const database = databaseOf(client, values.connection);
    const upstream = connections.filter((connection) => tenantKind(connection) === 'upstream');
    const signup = database && database.options.disable_signup !== true
      ? `<p class="footer">Don't have an account? <a href="/u/signup?state=${encodeURIComponent(uid)}">Sign up</a></p>` : '';
    const passwordForm = database && !only
      ? `<form method="post" action="/u/login" novalidate>
${stateFields(uid)}${hidden('connection', database.name)}
${field({ name: 'username', label: 'Email address', type: 'email', value: values.email, autocomplete: 'username', required: true })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true })}
<button type="submit">Continue</button>
</form>${signup}` : '';
    const passwordless = connections.find((connection) => tenantKind(connection) === 'passwordless' && connection.strategy === 'email');
    const codeForm = passwordless
      ? `<form method="post" action="/u/passwordless">${stateFields(uid)}${hidden('connection', passwordless.name)}
${field({ name: 'email', label: 'Email address for a sign-in code', type: 'email', autocomplete: 'email', required: true })}
<button type="submit" class="secondary">Email me a code</button></form>` : '';
    const buttons = upstream.map((connection) => `<form method="get" action="/u/upstream">${stateFields(uid)}${hidden('connection', connection.name)}<button type="submit" class="secondary">Continue with ${escape(displayName(connection))}</button></form>`).join('\n');
    const divider = passwordForm && (buttons || codeForm) ? '<p class="divider">or</p>' : '';
    return page('Log in', `<h1>Welcome</h1>
<p class="lead">Log in to continue to ${escape(client.name)}.</p>
${alert(values.error)}
${passwordForm}
${divider}
${buttons}
${codeForm}`);
  }

  function signupPage(uid: string, client: StoredClient, connection: StoredConnection, values: Record<string, string> = {}, refusal?: SignupRefusal): string {
    const attributes = signupAttributes(store, connection.name);
    const errorOf = (name: string) => (refusal?.field === name ? refusal.description : undefined);
    const extra = attributes.map((name) => field({ name, label: LABELS[name] ?? name, type: name === 'picture' ? 'url' : 'text', value: values[name], autocomplete: name === 'given_name' ? 'given-name' : name === 'family_name' ? 'family-name' : name === 'name' ? 'name' : name === 'nickname' ? 'nickname' : 'photo', error: errorOf(name) })).join('\n');
    return page('Sign up', `<h1>Create your account</h1>
<p class="lead">Sign up to continue to ${escape(client.name)}.</p>
${alert(refusal && !refusal.field ? refusal.description : undefined)}
<form method="post" action="/u/signup" novalidate>
${stateFields(uid)}${hidden('connection', connection.name)}
${field({ name: 'email', label: 'Email address', type: 'email', value: values.email, autocomplete: 'email', required: true, error: errorOf('email') })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, error: errorOf('password') })}
${extra}
<button type="submit">Continue</button>
</form>
<p class="footer">Already have an account? <a href="${loginPath(uid)}">Log in</a></p>`);
  }

  function upstreamPage(uid: string, connection: StoredConnection, values: Record<string, string> = {}, error?: string): string {
    const idp = displayName(connection);
    const known = store.users.ofConnection(connection.name, 20);
    const saved = known.length === 0 ? '' : `<h2>Sign in as a user ${escape(idp)} knows</h2>
${known.map((user) => `<form method="post" action="/u/upstream">${stateFields(uid)}${hidden('connection', connection.name)}${hidden('user_id', idpSubject(connection, user.identities.find((identity) => identity.connection === connection.name)?.user_id ?? ''))}${hidden('saved', 'true')}<button type="submit" class="secondary">${escape(user.email ?? user.identities[0]?.user_id ?? '')}</button></form>`).join('\n')}
<p class="divider">or describe the profile ${escape(idp)} returns</p>`;
    return page(`${idp} (stand-in)`, `<h1>${escape(idp)}</h1>
<p class="lead">A stand-in for ${escape(idp)}, which a local tenant cannot reach: the profile you enter is what the identity provider returns, and the connection's <code>set_user_root_attributes</code> (${escape(String(connection.options.set_user_root_attributes ?? 'on_each_login'))}) decides what reaches the user.</p>
${alert(error)}
${saved}
<form method="post" action="/u/upstream" novalidate>
${stateFields(uid)}${hidden('connection', connection.name)}
${field({ name: 'user_id', label: `User id at ${idp}`, value: values.user_id, required: true })}
${field({ name: 'email', label: 'Email address', type: 'email', value: values.email, autocomplete: 'email' })}
${['name', 'given_name', 'family_name', 'nickname', 'picture'].map((name) => field({ name, label: LABELS[name] ?? name, type: name === 'picture' ? 'url' : 'text', value: values[name] })).join('\n')}
<button type="submit">Continue as this user</button>
</form>`);
  }

  /** The IdP's own id of a user, from the identity Auth0 stores (enterprise ids carry the connection name). */
  function idpSubject(connection: StoredConnection, identityId: string): string {
    const social = isSocialStrategy(connection.strategy);
    return social ? identityId : identityId.slice(connection.name.length + 1);
  }

  /** The identity Auth0 stores for the IdP's id of a user: idpSubject the other way. */
  function providerUserIdOf(connection: StoredConnection, subject: string): string {
    return isSocialStrategy(connection.strategy) ? subject : `${connection.name}|${subject}`;
  }

  function codePage(uid: string, connection: StoredConnection, email: string, error?: string): string {
    return page('Enter your code', `<h1>Check your email</h1>
<p class="lead">We sent a six-digit sign-in code to ${escape(maskEmail(email))}.</p>
${alert(error)}
<form method="post" action="/u/passwordless/verify" novalidate>
${stateFields(uid)}${hidden('connection', connection.name)}${hidden('email', email)}
${field({ name: 'code', label: 'Code', type: 'text', autocomplete: 'one-time-code', required: true })}
<button type="submit">Continue</button>
</form>
<p class="footer"><a href="${loginPath(uid)}">Use another way to log in</a></p>`);
  }

  function passwordlessOf(client: StoredClient, name: string | undefined): StoredConnection {
    const connection = connectionsFor(context, client).find((candidate) => candidate.name === name && tenantKind(candidate) === 'passwordless');
    if (!connection) throw new PageError(400, 'Unknown connection', 'This application cannot sign in with an e-mailed code.');
    return connection;
  }

  /** The second factor a login waits for. */
  async function mfaOf(state: string | null | undefined, request: Request) {
    const { interaction } = await interactionOf(state, request);
    const pending = store.records.get<PendingLogin>('pendingLogin', interaction.uid);
    if (pending?.kind !== 'mfa') throw new PageError(400, 'This sign-in link has expired', 'Go back to the application and sign in again.');
    return { interaction, pending };
  }

  function mfaPage(uid: string, email: string, error?: string): string {
    return page('Verify it is you', `<h1>Verify it is you</h1>
<p class="lead">We sent a six-digit code to ${escape(maskEmail(email))}.</p>
${alert(error)}
<form method="post" action="/u/mfa" novalidate>
${stateFields(uid)}
${field({ name: 'code', label: 'Code', type: 'text', autocomplete: 'one-time-code', required: true })}
<button type="submit">Continue</button>
</form>`);
  }

  const pageRoute = (method: string, path: string, handler: (request: Request) => Promise<Reply>): Route => ({
    method,
    path,
    public: true,
    handler: async (request) => {
      try {
        return await handler(request);
      } catch (error) {
        if (error instanceof PageError) return html(page(error.title, `<h1>${escape(error.title)}</h1>\n<p role="alert">${escape(error.message)}</p>`), error.status);
        throw error;
      }
    },
  });

  return [
    pageRoute('GET', '/u/login', async (request) => {
      const { query } = request;
      const { interaction, client } = await interactionOf(query.get('state'), request);
      const uid = interaction.uid;
      const params = interaction.params as Record<string, unknown>;
      const requested = typeof params.connection === 'string' ? connectionsFor(context, client).find((connection) => connection.name === params.connection) : undefined;
      if (typeof params.connection === 'string' && !requested) throw new PageError(400, 'Unknown connection', `The application asked for the connection "${params.connection}", which is not enabled for it.`);
      if (requested && tenantKind(requested) === 'upstream') return redirect(`/u/upstream?state=${encodeURIComponent(uid)}&connection=${encodeURIComponent(requested.name)}`);
      if (params.screen_hint === 'signup') return redirect(`/u/signup?state=${encodeURIComponent(uid)}`);
      const hint = typeof params.login_hint === 'string' ? params.login_hint : undefined;
      return html(loginPage(uid, client, { email: hint, connection: requested?.name }));
    }),
    pageRoute('POST', '/u/login', async (request) => {
      const fields = form(request);
      const { interaction, client } = await interactionOf(fields.state, request);
      const connection = databaseOf(client, fields.connection);
      if (!connection) throw new PageError(400, 'No database connection', 'This application has no connection that signs in with a password.');
      const user = await authenticatePassword(store, connection, fields.username, fields.password, { client, headers: request.headers, ip: request.ip });
      if (user === 'blocked' || user === 'throttled') return html(loginPage(interaction.uid, client, { email: fields.username, error: user === 'blocked' ? BLOCKED_MESSAGE : SUSPICIOUS_MESSAGE, connection: connection.name }), 429);
      if (!user) return html(loginPage(interaction.uid, client, { email: fields.username, error: 'Wrong email or password.', connection: connection.name }), 400);
      if (user.blocked) return html(loginPage(interaction.uid, client, { email: fields.username, error: 'Your account has been blocked.', connection: connection.name }), 401);
      return finish(interaction, user.user_id, ['pwd']);
    }),
    pageRoute('GET', '/u/signup', async (request) => {
      const { query } = request;
      const { interaction, client } = await interactionOf(query.get('state'), request);
      const params = interaction.params as Record<string, unknown>;
      const connection = databaseOf(client, typeof params.connection === 'string' ? params.connection : undefined);
      if (!connection || connection.options.disable_signup === true) throw new PageError(400, 'Signup is not available', 'This application does not let you create an account.');
      return html(signupPage(interaction.uid, client, connection, { email: typeof params.login_hint === 'string' ? params.login_hint : '' }));
    }),
    pageRoute('POST', '/u/signup', async (request) => {
      const fields = form(request);
      const { interaction, client } = await interactionOf(fields.state, request);
      const connection = databaseOf(client, fields.connection);
      if (!connection) throw new PageError(400, 'Signup is not available', 'This application does not let you create an account.');
      const allowed = new Set<string>(signupAttributes(store, connection.name));
      // Only what the page offers is sent; an empty field is a field left out.
      const supplied = Object.fromEntries(ROOT_FIELDS.filter((name) => allowed.has(name) && (fields[name] ?? '') !== '').map((name) => [name, fields[name]]));
      const outcome = await signUp(context, { client_id: client.client_id, connection: connection.name, email: fields.email, password: fields.password, ...supplied }, request.headers, request.ip);
      if (!outcome.ok) return html(signupPage(interaction.uid, client, connection, fields, outcome.refusal), outcome.refusal.status);
      return finish(interaction, outcome.user.user_id, ['pwd']);
    }),
    pageRoute('GET', '/u/upstream', async (request) => {
      const { query } = request;
      const { interaction, client } = await interactionOf(query.get('state'), request);
      const connection = connectionsFor(context, client).find((candidate) => candidate.name === query.get('connection') && tenantKind(candidate) === 'upstream');
      if (!connection) throw new PageError(400, 'Unknown connection', 'This application cannot sign in with that identity provider.');
      return html(upstreamPage(interaction.uid, connection));
    }),
    pageRoute('POST', '/u/upstream', async (request) => {
      const fields = form(request);
      const { interaction, client } = await interactionOf(fields.state, request);
      const connection = connectionsFor(context, client).find((candidate) => candidate.name === fields.connection && tenantKind(candidate) === 'upstream');
      if (!connection) throw new PageError(400, 'Unknown connection', 'This application cannot sign in with that identity provider.');
      // A saved user signs in again with the profile the tenant last stored for them.
      const stored = fields.saved === 'true'
        ? store.users.withIdentity(connection.name, providerUserIdOf(connection, fields.user_id ?? ''))
        : undefined;
      const profile: Record<string, unknown> = stored
        ? { user_id: fields.user_id, email: stored.email, name: stored.name, given_name: stored.given_name, family_name: stored.family_name, nickname: stored.nickname, picture: stored.picture }
        : { ...fields, email_verified: (fields.email ?? '') !== '' };
      const outcome = upstreamLogin(context, connection, profile);
      if (!outcome.ok) return html(upstreamPage(interaction.uid, connection, fields, outcome.description), outcome.status);
      return finish(interaction, outcome.user.user_id, ['federated']);
    }),
    pageRoute('POST', '/u/passwordless', async (request) => {
      const fields = form(request);
      const { interaction, client } = await interactionOf(fields.state, request);
      const connection = passwordlessOf(client, fields.connection);
      const email = (fields.email ?? '').trim().toLowerCase();
      if (!isEmailAddress(email)) return html(loginPage(interaction.uid, client, { error: 'Enter a valid email address to get a code.' }), 400);
      if (!sendPasswordlessCode(context, connection, email, request.ip)) return html(loginPage(interaction.uid, client, { error: 'Too many codes were sent. Wait a minute, then try again.' }), 429);
      return html(codePage(interaction.uid, connection, email));
    }),
    pageRoute('POST', '/u/passwordless/verify', async (request) => {
      const fields = form(request);
      const { interaction, client } = await interactionOf(fields.state, request);
      const connection = passwordlessOf(client, fields.connection);
      const email = (fields.email ?? '').trim().toLowerCase();
      const outcome = await passwordlessLogin(context, connection, client, email, fields.code, request.headers, request.ip);
      if (!outcome.ok) return html(codePage(interaction.uid, connection, email, outcome.error === 'invalid_grant' ? 'That code is not right, or it has expired.' : outcome.description), outcome.status);
      return finish(interaction, outcome.user.user_id, ['email']);
    }),
    ...['GET', 'POST'].map((method) => pageRoute(method, '/continue', async (request) => {
      // Back from a redirect Action's site: the flow resumes in that Action's onContinuePostLogin.
      const fields = form(request);
      const state = request.query.get('state') ?? fields.state;
      const interaction = state ? await (await oidc()).provider.Interaction.find(state) : undefined;
      const pending = state ? store.records.get<PendingLogin>('pendingLogin', state) : undefined;
      if (!interaction || pending?.kind !== 'redirect') throw new PageError(400, 'invalid_request', 'The state parameter is missing, or this login has already continued or expired.');
      // Only the browser that started the login may resume it (whoever learned the state cannot).
      if (!fromBindingBrowser(store, interaction.uid, request.headers)) throw new PageError(403, 'invalid_request', 'This login was started in another browser.');
      const query = Object.fromEntries(request.query.entries());
      const hostname = String(request.headers.host ?? '');
      interaction.result = { ...interaction.lastSubmission, post_login: { continued: true, request: { ip: '127.0.0.1', method: request.method, hostname, query, body: fields, user_agent: request.headers['user-agent'], language: 'en', geoip: {} } } };
      await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
      return redirect(interaction.returnTo);
    })),
    pageRoute('GET', '/u/mfa', async (request) => {
      const { query } = request;
      const { interaction, pending } = await mfaOf(query.get('state'), request);
      // A page reloaded sends a new code, as often as one address may get codes (throttle.ts).
      if (!take(store, `mfa-address:${pending.email}`, PASSWORDLESS_PER_ADDRESS)) return html(mfaPage(interaction.uid, pending.email, 'Too many codes were sent. Use the newest one, or wait a minute.'), 429);
      context.store.outbox.send(pending.email, pending.connection, 'mfa');
      return html(mfaPage(interaction.uid, pending.email));
    }),
    pageRoute('POST', '/u/mfa', async (request) => {
      const fields = form(request);
      const { interaction, pending } = await mfaOf(fields.state, request);
      const userId = interaction.session?.accountId ?? '';
      // Wrong codes are limited per user across logins, as Auth0 limits MFA code verification: a bucket of
      // 10 attempts, one more every 6 minutes (auth0.com/docs/secure/multi-factor-authentication/authenticate-using-ropg-flow-with-mfa).
      if (!hasLeft(store, `mfa-user:${userId}`, MFA_VERIFY_LIMIT)) return html(mfaPage(interaction.uid, pending.email, 'Too many wrong codes. Wait a few minutes, then try again.'), 429);
      if (context.store.outbox.take(pending.email, pending.connection, 'mfa', fields.code) !== 'ok') {
        take(store, `mfa-user:${userId}`, MFA_VERIFY_LIMIT);
        pending.attempts += 1;
        store.records.put('pendingLogin', interaction.uid, pending, pending.expiresAt);
        if (pending.attempts >= MFA_ATTEMPTS) {
          store.records.delete('pendingLogin', interaction.uid);
          interaction.result = { error: 'access_denied', error_description: 'Too many wrong codes for the second factor' };
          await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
          return redirect(interaction.returnTo);
        }
        return html(mfaPage(interaction.uid, pending.email, 'That code is not right. Check the newest message and try again.'), 400);
      }
      if (interaction.session?.uid) store.records.delete('mfaPending', interaction.session.uid);
      interaction.result = { ...interaction.lastSubmission, post_login: { mfa: true } };
      await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
      return redirect(interaction.returnTo);
    }),
    pageRoute('GET', '/v2/logout', async ({ query }) => {
      const clientId = query.get('client_id');
      const returnTo = query.get('returnTo');
      const client = clientId === null ? undefined : store.state.clients.find((candidate) => candidate.client_id === clientId);
      if (clientId !== null && !client) throw new PageError(400, 'Unknown application', 'The application that asked to sign you out is not known to this tenant.');
      if (returnTo !== null) {
        if (!client) throw new PageError(400, 'Sign-out failed', 'client_id is required with returnTo.');
        if (!(client.allowed_logout_urls ?? []).includes(returnTo)) {
          throw new PageError(400, 'Sign-out failed', `The "returnTo" address is not among the Allowed Logout URLs of ${client.name}.`);
        }
      }
      // oidc-provider ends the session; `federated` has no upstream session to end here.
      const next = new URLSearchParams({ ...(clientId ? { client_id: clientId } : {}), ...(returnTo ? { post_logout_redirect_uri: returnTo } : {}) });
      return redirect(`/oidc/logout?${next.toString()}`);
    }),
  ];
}

/** A page the user sees when the flow cannot go on (an expired link, an unknown connection). */
class PageError extends HttpError {
  constructor(status: number, readonly title: string, message: string) {
    super(status, message, 'page');
  }
}
