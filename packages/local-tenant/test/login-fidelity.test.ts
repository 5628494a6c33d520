/**
 * Auth0 semantics of logins that need Actions of their own (FIDELITY.md): bindings in order, a deny that
 * ends the flow but keeps metadata writes, no metadata for passwordless users at pre-user-registration,
 * pre-user-registration not running for upstream logins, and the time limit.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnLocalTenant, type TenantProcess as LocalTenant, managementApi, raw, type ManagementApi } from '../src/index';

// The tenant runs in a process of its own: starting one takes a second or two, more on a busy machine.
jest.setTimeout(60_000);

let tenant: LocalTenant;
let api: ManagementApi;
let clientId: string;
let clientSecret: string;

async function deployAction(name: string, trigger: 'post-login' | 'pre-user-registration', body: string, secrets: Array<{ name: string; value: string }> = []): Promise<void> {
  const handler = trigger === 'post-login' ? 'onExecutePostLogin' : 'onExecutePreUserRegistration';
  const created = (await api.call('POST', '/api/v2/actions/actions', { name, code: `exports.${handler} = async (event, api) => {\n${body}\n};`, secrets, supported_triggers: [{ id: trigger, version: trigger === 'post-login' ? 'v3' : 'v2' }] })).body as { id: string };
  expect((await api.call('POST', `/api/v2/actions/actions/${created.id}/deploy`)).status).toBe(200);
}

const bind = (trigger: string, names: string[]) => api.call('PATCH', `/api/v2/actions/triggers/${trigger}/bindings`, { bindings: names.map((value) => ({ ref: { type: 'action_name', value } })) });
const post = (route: string, body: object) => raw(tenant, { method: 'POST', path: route, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const login = (email: string) => post('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: clientId, client_secret: clientSecret, username: email, password: 'long enough password', realm: 'db', scope: 'openid' });
const claimsOf = (answer: { body: unknown }) => JSON.parse(Buffer.from((answer.body as { id_token: string }).id_token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

beforeAll(async () => {
  tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'fidelity-')), actionsTimeoutMs: 4_000 });
  api = await managementApi(tenant);
  ({ client_id: clientId, client_secret: clientSecret } = tenant.state().clients.find((client) => client.name === 'Default App')!);
  await api.call('POST', '/api/v2/connections', { name: 'db', strategy: 'auth0', options: {} });
  await api.call('POST', '/api/v2/connections', { name: 'email', strategy: 'email', options: {} });
  await api.call('POST', '/api/v2/connections', { name: 'social', strategy: 'github', options: {} });
  await deployAction('first', 'post-login', "api.user.setAppMetadata('order', ['first']); api.idToken.setCustomClaim('https://t/first', 1);");
  await deployAction('second', 'post-login', "api.user.setAppMetadata('order', [...event.user.app_metadata.order, 'second']); if (event.user.email === 'deny@example.com') api.access.deny('Not today.');");
  await deployAction('third', 'post-login', "api.user.setAppMetadata('third', true);");
  await deployAction('stamp', 'pre-user-registration', "api.user.setAppMetadata('stamped', event.connection.name);");
  expect((await bind('post-login', ['first', 'second', 'third'])).status).toBe(200);
  expect((await bind('pre-user-registration', ['stamp'])).status).toBe(200);
  for (const email of ['ok@example.com', 'deny@example.com']) {
    expect((await post('/dbconnections/signup', { client_id: clientId, connection: 'db', email, password: 'long enough password' })).status).toBe(200);
  }
});
afterAll(() => tenant?.close());

const user = async (email: string) => ((await api.call('GET', '/api/v2/users')).body as Array<{ email: string; app_metadata: Record<string, unknown>; user_id: string }>).find((u) => u.email === email);

describe('post-login', () => {
  it('runs the bindings in order, each seeing what the earlier ones wrote, and merges the writes into the user', async () => {
    const answer = await login('ok@example.com');
    expect(answer.status).toBe(200);
    expect(claimsOf(answer)).toMatchObject({ 'https://t/first': 1 });
    expect((await user('ok@example.com'))?.app_metadata).toEqual({ stamped: 'db', order: ['first', 'second'], third: true });
  });

  it('ends the flow at a deny: no later Action runs, no token is issued, and the writes made before it persist', async () => {
    const answer = await login('deny@example.com');
    expect(answer).toMatchObject({ status: 403, body: { error: 'access_denied', error_description: 'Not today.' } });
    expect(answer.body).not.toHaveProperty('id_token');
    expect((await user('deny@example.com'))?.app_metadata).toEqual({ stamped: 'db', order: ['first', 'second'] });
  });
});

describe('pre-user-registration', () => {
  it('keeps no metadata for a passwordless user, as Auth0 does', async () => {
    await post('/passwordless/start', { client_id: clientId, connection: 'email', email: 'pl@example.com', send: 'code' });
    const { messages } = (await api.call('GET', '/local/outbox?email=pl%40example.com')).body as { messages: Array<{ code: string }> };
    const answer = await post('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp', client_id: clientId, client_secret: clientSecret, username: 'pl@example.com', otp: messages[0]?.code, realm: 'email', scope: 'openid' });
    expect(answer.status).toBe(200);
    const metadata = (await user('pl@example.com'))?.app_metadata;
    expect(metadata).not.toHaveProperty('stamped');
    expect(metadata).toMatchObject({ order: ['first', 'second'] });
  });

  it('does not run for an upstream login', async () => {
    const answer = await post('/local/upstream-login', { client_id: clientId, client_secret: clientSecret, connection: 'social', profile: { user_id: '7', name: 'Octo Cat' } });
    expect(answer.status).toBe(200);
    const social = (await api.call('GET', '/api/v2/users/github%7C7')).body as { app_metadata: Record<string, unknown> };
    expect(social.app_metadata).toEqual({ order: ['first', 'second'], third: true });
  });
});

describe('the time limit', () => {
  it('fails a login whose Action loops forever, while other users\' logins and other requests keep being answered', async () => {
    await deployAction('loop', 'post-login', "if (event.user.email === 'ok@example.com') while (true) {}");
    await bind('post-login', ['loop']);
    const started = Date.now();
    let loopEnded = false;
    const looping = login('ok@example.com').finally(() => (loopEnded = true));
    const meanwhile = await raw(tenant, { method: 'GET', path: '/.well-known/jwks.json' });
    expect(meanwhile.status).toBe(200);
    // Another user's login runs in another worker and completes while the first one still loops (an order,
    // not a time: a busy machine must not make this fail).
    expect((await login('deny@example.com')).status).toBe(200);
    expect(loopEnded).toBe(false);
    const answer = await looping;
    expect(answer).toMatchObject({ status: 403, body: { error: 'access_denied', error_description: 'Script execution time exceeded (Action "loop")' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_900);
    await bind('post-login', ['first']);
    expect((await login('ok@example.com')).status).toBe(200);
  });
});

describe('the api\'s effects on the local tenant', () => {
  it('keeps api.cache across logins of different users', async () => {
    await deployAction('counter', 'post-login', "const count = Number(api.cache.get('logins')?.value ?? '0') + 1; api.cache.set('logins', String(count)); api.idToken.setCustomClaim('https://t/count', count);");
    expect((await bind('post-login', ['counter'])).status).toBe(200);
    const counts = [];
    for (const email of ['ok@example.com', 'deny@example.com', 'ok@example.com']) counts.push(claimsOf(await login(email))['https://t/count']);
    expect(counts).toEqual([1, 2, 3]);
  });

  it('continues the login as the primary user an Action linked the identity into (Management API over HTTPS with fetch, then setPrimaryUser), and refuses a primary user the identity is not linked to', async () => {
    const linker = [
      'const primary = event.user.app_metadata.link_into;',
      'if (!primary) return;',
      "if (event.user.app_metadata.skip_link) { api.authentication.setPrimaryUser(primary); return; }",
      'const base = `https://${event.secrets.DOMAIN}`;',
      "const token = (await (await fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: event.secrets.CLIENT_ID, client_secret: event.secrets.CLIENT_SECRET, audience: `${base}/api/v2/` }) })).json()).access_token;",
      "const [provider, ...rest] = event.user.user_id.split('|');",
      "const linked = await fetch(`${base}/api/v2/users/${encodeURIComponent(primary)}/identities`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ provider, user_id: rest.join('|') }) });",
      "if (linked.status !== 201) throw new Error(`linking failed: ${linked.status}`);",
      'api.authentication.setPrimaryUser(primary);',
    ].join('\n');
    await deployAction('linker', 'post-login', linker, [{ name: 'DOMAIN', value: tenant.domain }, { name: 'CLIENT_ID', value: tenant.clientId }, { name: 'CLIENT_SECRET', value: tenant.clientSecret }]);
    expect((await bind('post-login', ['linker'])).status).toBe(200);
    for (const email of ['primary@example.com', 'secondary@example.com', 'stranger@example.com']) {
      expect((await post('/dbconnections/signup', { client_id: clientId, connection: 'db', email, password: 'long enough password' })).status).toBe(200);
    }
    const primary = (await user('primary@example.com'))!.user_id;
    const secondary = (await user('secondary@example.com'))!.user_id;
    const stranger = (await user('stranger@example.com'))!.user_id;
    await api.call('PATCH', `/api/v2/users/${encodeURIComponent(secondary)}`, { app_metadata: { link_into: primary } });
    await api.call('PATCH', `/api/v2/users/${encodeURIComponent(stranger)}`, { app_metadata: { link_into: primary, skip_link: true } });

    const first = await login('secondary@example.com');
    expect(first.status).toBe(200);
    expect(claimsOf(first).sub).toBe(primary);
    expect(await user('secondary@example.com')).toBeUndefined();
    // The linked identity keeps its own e-mail and password: its next login is the primary user's.
    const again = await login('secondary@example.com');
    expect(claimsOf(again).sub).toBe(primary);

    const refused = await login('stranger@example.com');
    expect(refused).toMatchObject({ status: 403, body: { error: 'access_denied', error_description: 'setPrimaryUser: the identity that logged in is not a secondary identity of that user' } });
  });

  it('fails a login whose Actions write more than 32 kB of metadata, naming the Action, and stores none of it', async () => {
    await deployAction('hoarder', 'post-login', "if (event.user.email === 'ok@example.com') api.user.setAppMetadata('blob', 'x'.repeat(40 * 1024));");
    expect((await bind('post-login', ['hoarder'])).status).toBe(200);
    expect(await login('ok@example.com')).toMatchObject({ status: 403, body: { error: 'access_denied', error_description: 'the Actions wrote more than 32 kB of app_metadata or user_metadata in one login (Action "hoarder")' } });
    expect((await user('ok@example.com'))?.app_metadata.blob).toBeUndefined();
  });

  it('denies the login when an Action revokes the session', async () => {
    await deployAction('revoker', 'post-login', "if (event.user.email === 'ok@example.com') api.session.revoke('Signed out everywhere.');");
    expect((await bind('post-login', ['revoker'])).status).toBe(200);
    expect(await login('ok@example.com')).toMatchObject({ status: 403, body: { error: 'access_denied', error_description: 'Signed out everywhere.' } });
  });
});
