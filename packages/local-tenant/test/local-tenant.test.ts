import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { clientWithScopes, spawnLocalTenant, type TenantProcess as LocalTenant, managementApi, raw, type ManagementApi } from '../src/index';

// The tenant runs in a process of its own: starting one takes a second or two, more on a busy machine.
jest.setTimeout(60_000);

let tenant: LocalTenant;
let api: ManagementApi;

beforeAll(async () => {
  tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'local-tenant-')) });
  api = await managementApi(tenant);
});
afterAll(() => tenant.close());

const action = (name: string, trigger = 'post-login') => ({
  name,
  code: 'exports.onExecutePostLogin = async () => {};',
  runtime: 'node22',
  supported_triggers: [{ id: trigger, version: trigger === 'post-login' ? 'v3' : 'v2' }],
  secrets: [{ name: 'API_KEY', value: 'very-secret-value' }],
});

describe('the local tenant over HTTPS', () => {
  it('serves a certificate for 127.0.0.1 signed by its own CA', async () => {
    const answer = await raw(tenant, { method: 'GET', path: '/api/v2/clients' });
    expect(answer.status).toBe(401);
    // Without the CA, the certificate is not trusted: what NODE_EXTRA_CA_CERTS is for.
    await expect(raw({ port: tenant.port, ca: '' }, { method: 'GET', path: '/' })).rejects.toThrow(/certificate/);
  });

  it('issues a token for the management client (client credentials, form or JSON) and refuses wrong credentials', async () => {
    expect(api.token.split('.')).toHaveLength(3);
    const json = await raw(tenant, {
      method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, audience: `https://${tenant.domain}/api/v2/` }),
    });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ token_type: 'Bearer', expires_in: 86400 });
    expect(json.body).not.toHaveProperty('id_token');
    const wrong = await raw(tenant, {
      method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${tenant.clientId}&client_secret=nope`,
    });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
  });

  it.each([
    ['no token', undefined],
    ['a token it did not issue', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjk5OTk5OTk5OTl9.c2lnbmF0dXJl'],
    ['another scheme', 'Basic Zm9vOmJhcg=='],
  ])('answers 401 JSON to a Management API call with %s', async (_label, authorization) => {
    const answer = await raw(tenant, { method: 'GET', path: '/api/v2/actions/actions', headers: authorization ? { authorization } : {} });
    expect(answer).toMatchObject({ status: 401, body: { statusCode: 401, error: 'Unauthorized', errorCode: 'invalid_token' } });
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
  });

  it('answers 404 JSON for what it does not implement, never a 5xx', async () => {
    // Something Auth0's Management API does not have at all (tenant settings and the like are stored: api/stored.ts).
    const answer = await api.call('GET', '/api/v2/no-such-resource');
    expect(answer).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found', errorCode: 'not_implemented' } });
  });

  it.each([
    ['malformed JSON', { 'content-type': 'application/json' }, '{"name":', 400, 'invalid_json'],
    ['a wrong content type', { 'content-type': 'text/plain' }, 'name=x', 415, 'unsupported_media_type'],
    ['a body over the size limit', { 'content-type': 'application/json' }, `{"name":"${'x'.repeat(1_100_000)}"}`, 413, 'payload_too_large'],
    ['a body that is not an object', { 'content-type': 'application/json' }, '[1,2]', 400, 'invalid_body'],
  ])('answers %s with a 4xx JSON error', async (_label, headers, body, status, errorCode) => {
    const answer = await raw(tenant, { method: 'POST', path: '/api/v2/actions/actions', headers: { authorization: `Bearer ${api.token}`, ...headers }, body });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ statusCode: status, errorCode });
  });
});

describe('actions and trigger bindings', () => {
  it('creates an action that is not deployed, never showing secret values', async () => {
    const created = await api.call('POST', '/api/v2/actions/actions', action('a-one'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'a-one', all_changes_deployed: false, runtime: 'node22', secrets: [{ name: 'API_KEY' }] });
    expect(JSON.stringify(created.body)).not.toContain('very-secret-value');
    const again = await api.call('POST', '/api/v2/actions/actions', action('a-one'));
    expect(again).toMatchObject({ status: 409, body: { errorCode: 'action_conflict' } });
  });

  it('refuses to bind an action that was never deployed, as Auth0 does', async () => {
    const answer = await api.call('PATCH', '/api/v2/actions/triggers/post-login/bindings', { bindings: [{ ref: { type: 'action_name', value: 'a-one' }, display_name: 'one' }] });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ message: expect.stringContaining('has not been deployed') });
  });

  it('deploys an action as a new version and then binds it, in order, replacing the previous bindings', async () => {
    const list = (await api.call('GET', '/api/v2/actions/actions?page=0&per_page=100')).body as { actions: Array<{ id: string; name: string }>; total: number };
    const one = list.actions.find((candidate) => candidate.name === 'a-one')!;
    const deployed = await api.call('POST', `/api/v2/actions/actions/${one.id}/deploy`);
    expect(deployed).toMatchObject({ status: 200, body: { number: 1, status: 'built', action: { id: one.id, name: 'a-one' } } });
    const two = (await api.call('POST', '/api/v2/actions/actions', action('a-two'))).body as { id: string };
    await api.call('POST', `/api/v2/actions/actions/${two.id}/deploy`);
    const bound = await api.call('PATCH', '/api/v2/actions/triggers/post-login/bindings', {
      bindings: [{ ref: { type: 'action_name', value: 'a-two' }, display_name: 'second' }, { ref: { type: 'action_id', value: one.id }, display_name: 'first' }],
    });
    expect(bound.status).toBe(200);
    const read = (await api.call('GET', '/api/v2/actions/triggers/post-login/bindings?page=0&per_page=50')).body as { bindings: Array<{ display_name: string; action: { name: string } }> };
    expect(read.bindings.map((binding) => [binding.action.name, binding.display_name])).toEqual([['a-two', 'second'], ['a-one', 'first']]);
    const cleared = await api.call('PATCH', '/api/v2/actions/triggers/post-login/bindings', { bindings: [] });
    expect(cleared.body).toEqual({ bindings: [] });
  });

  it('refuses to bind an action to a trigger it does not support', async () => {
    const answer = await api.call('PATCH', '/api/v2/actions/triggers/pre-user-registration/bindings', { bindings: [{ ref: { type: 'action_name', value: 'a-two' } }] });
    expect(answer).toMatchObject({ status: 400, body: { message: "The action 'a-two' does not support the trigger 'pre-user-registration'." } });
  });

  it('marks an updated action as having undeployed changes, and pages the list with an exact total', async () => {
    const list = (await api.call('GET', '/api/v2/actions/actions?page=0&per_page=1')).body as { actions: Array<{ id: string }>; total: number; page: number; per_page: number };
    expect(list).toMatchObject({ total: 2, page: 0, per_page: 1 });
    expect(list.actions).toHaveLength(1);
    const patched = await api.call('PATCH', `/api/v2/actions/actions/${list.actions[0]!.id}`, { code: 'exports.onExecutePostLogin = async () => { /* v2 */ };' });
    expect(patched.body).toMatchObject({ all_changes_deployed: false });
    const unknownField = await api.call('PATCH', `/api/v2/actions/actions/${list.actions[0]!.id}`, { colour: 'blue' });
    expect(unknownField).toMatchObject({ status: 400, body: { message: 'Payload validation error: Additional properties not allowed: colour' } });
  });
});

describe('clients', () => {
  it('hands an app\'s secret to a token with read:client_keys only, rotates it, and takes a new one by PATCH with update:client_keys', async () => {
    const created = await api.call('POST', '/api/v2/clients', { name: 'keys-app', app_type: 'regular_web', callbacks: ['https://keys.example/cb'] });
    const { client_id: id, client_secret: first } = created.body as { client_id: string; client_secret: string };
    const reader = await clientWithScopes(tenant, api, 'key-blind', ['read:clients', 'update:clients']);
    expect((await reader.call('GET', `/api/v2/clients/${id}`)).body).not.toHaveProperty('client_secret');
    expect(JSON.stringify((await reader.call('GET', '/api/v2/clients')).body)).not.toContain(first);
    const keys = await clientWithScopes(tenant, api, 'key-keeper', ['read:clients', 'read:client_keys', 'update:client_keys', 'update:clients']);
    expect((await keys.call('GET', `/api/v2/clients/${id}`)).body).toMatchObject({ client_secret: first });
    expect(((await keys.call('GET', '/api/v2/clients')).body as Array<{ client_id: string; client_secret?: string }>).find((client) => client.client_id === id)?.client_secret).toBe(first);

    const rotated = await keys.call('POST', `/api/v2/clients/${id}/rotate-secret`);
    const second = (rotated.body as { client_secret: string }).client_secret;
    expect(rotated.status).toBe(200);
    expect(second).not.toBe(first);
    const token = (secret: string) => raw(tenant, { method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: id, client_secret: secret, audience: `https://${tenant.domain}/api/v2/` }) });
    expect((await token(first)).status).toBe(401);

    const chosen = 'c'.repeat(64);
    expect((await reader.call('PATCH', `/api/v2/clients/${id}`, { client_secret: chosen })).status).toBe(403);
    expect((await keys.call('PATCH', `/api/v2/clients/${id}`, { client_secret: chosen })).status).toBe(200);
    expect((await keys.call('GET', `/api/v2/clients/${id}`)).body).toMatchObject({ client_secret: chosen });
    expect((await token(second)).status).toBe(401);
  });

  it('filters the list as Auth0 does: is_global, app_type, fields and include_fields', async () => {
    await api.call('POST', '/api/v2/clients', { name: 'an-api-client', app_type: 'resource_server' });
    expect(((await api.call('GET', '/api/v2/clients?is_global=true')).body as Array<{ name: string; global: boolean }>).map(({ name, global }) => ({ name, global }))).toEqual([{ name: 'All Applications', global: true }]);
    expect(((await api.call('GET', '/api/v2/clients?is_global=false')).body as Array<{ global: boolean }>).every((client) => !client.global)).toBe(true);
    const servers = (await api.call('GET', '/api/v2/clients?app_type=resource_server')).body as Array<{ name: string; grant_types: string[] }>;
    expect(servers.map((client) => client.name)).toEqual(['an-api-client']);
    expect(servers[0]?.grant_types).toEqual(['client_credentials']);
    const named = (await api.call('GET', '/api/v2/clients?fields=name,client_id&include_fields=true')).body as Array<Record<string, unknown>>;
    for (const client of named) expect(Object.keys(client).sort()).toEqual(['client_id', 'name']);
    const without = (await api.call('GET', '/api/v2/clients?fields=callbacks&include_fields=false')).body as Array<Record<string, unknown>>;
    for (const client of without) expect(client).not.toHaveProperty('callbacks');
  });

  it('lists every trigger Auth0 has', async () => {
    const { triggers } = (await api.call('GET', '/api/v2/actions/triggers')).body as { triggers: Array<{ id: string }> };
    for (const id of ['post-login', 'credentials-exchange', 'pre-user-registration', 'post-user-registration', 'post-change-password', 'send-phone-message', 'password-reset-post-challenge', 'custom-token-exchange', 'login-post-identifier', 'signup-post-identifier', 'custom-email-provider', 'custom-phone-provider', 'event-stream', 'mcp-tool', 'password-hash-migration']) {
      expect(triggers.map((trigger) => trigger.id)).toContain(id);
    }
    expect((await api.call('GET', '/api/v2/actions/triggers/mcp-tool/bindings')).status).toBe(200);
  });
});

describe('connections', () => {
  let googleId = '';

  it('creates a connection and omits set_user_root_attributes from answers while it is on_each_login', async () => {
    const created = await api.call('POST', '/api/v2/connections', { name: 'google-oauth2', strategy: 'google-oauth2', options: { scope: ['email'], set_user_root_attributes: 'on_each_login' } });
    expect(created.status).toBe(201);
    googleId = (created.body as { id: string }).id;
    expect(created.body).toMatchObject({ name: 'google-oauth2', strategy: 'google-oauth2', options: { scope: ['email'] }, realms: ['google-oauth2'] });
    expect((created.body as { options: object }).options).not.toHaveProperty('set_user_root_attributes');
  });

  it('replaces options wholesale on PATCH, as Auth0 does', async () => {
    await api.call('PATCH', `/api/v2/connections/${googleId}`, { options: { scope: ['email'], client_secret: 's', set_user_root_attributes: 'on_first_login' } });
    expect((await api.call('GET', `/api/v2/connections/${googleId}`)).body).toMatchObject({ options: { scope: ['email'], client_secret: 's', set_user_root_attributes: 'on_first_login' } });
    await api.call('PATCH', `/api/v2/connections/${googleId}`, { options: { scope: ['profile'] } });
    const after = (await api.call('GET', `/api/v2/connections/${googleId}`)).body as { options: Record<string, unknown> };
    expect(after.options).toEqual({ scope: ['profile'] });
  });

  it('refuses a PATCH that renames or changes the strategy', async () => {
    const answer = await api.call('PATCH', `/api/v2/connections/${googleId}`, { strategy: 'github' });
    expect(answer).toMatchObject({ status: 400, body: { message: 'Payload validation error: Additional properties not allowed: strategy' } });
  });

  it('lists with checkpoint pagination and filters by strategy and name', async () => {
    for (const name of ['db-one', 'db-two', 'db-three']) await api.call('POST', '/api/v2/connections', { name, strategy: 'auth0', options: {} });
    const first = (await api.call('GET', '/api/v2/connections?take=2')).body as { connections: Array<{ name: string }>; next?: string };
    expect(first.connections.map((c) => c.name)).toEqual(['google-oauth2', 'db-one']);
    expect(first.next).toEqual(expect.any(String));
    const second = (await api.call('GET', `/api/v2/connections?take=2&from=${first.next}`)).body as { connections: Array<{ name: string }>; next?: string };
    expect(second.connections.map((c) => c.name)).toEqual(['db-two', 'db-three']);
    expect(second).not.toHaveProperty('next');
    const databases = (await api.call('GET', '/api/v2/connections?take=50&strategy=auth0')).body as { connections: Array<{ name: string }> };
    expect(databases.connections.map((c) => c.name)).toEqual(['db-one', 'db-two', 'db-three']);
    const byName = (await api.call('GET', '/api/v2/connections?take=1&name=db-two&include_fields=true')).body as { connections: Array<{ name: string }> };
    expect(byName.connections.map((c) => c.name)).toEqual(['db-two']);
  });

  it('enables clients through /clients and refuses an unknown client', async () => {
    const clients = (await api.call('GET', '/api/v2/clients?page=0&per_page=100&include_totals=true')).body as { clients: Array<{ client_id: string; name: string }>; total: number };
    expect(clients.total).toBe(clients.clients.length);
    const app = clients.clients.find((client) => client.name === 'Default App')!;
    expect((await api.call('PATCH', `/api/v2/connections/${googleId}/clients`, [{ client_id: app.client_id, status: true }])).status).toBe(204);
    expect((await api.call('GET', `/api/v2/connections/${googleId}/clients?take=100`)).body).toEqual({ clients: [{ client_id: app.client_id }] });
    expect((await api.call('PATCH', `/api/v2/connections/${googleId}/clients`, [{ client_id: 'nope', status: true }])).status).toBe(400);
  });

  it('deletes with 202 and answers 404 JSON afterwards', async () => {
    expect((await api.call('DELETE', `/api/v2/connections/${googleId}`)).body).toMatchObject({ deleted_at: expect.any(String) });
    expect(await api.call('GET', `/api/v2/connections/${googleId}`)).toMatchObject({ status: 404, body: { errorCode: 'inexistent_connection' } });
  });
});

describe('state', () => {
  it('survives a restart, and refuses a second process on the same state, naming the one that has it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'local-tenant-'));
    const first = await spawnLocalTenant({ stateDir: dir });
    await (await managementApi(first)).call('POST', '/api/v2/connections', { name: 'kept', strategy: 'auth0' });
    await expect(spawnLocalTenant({ stateDir: dir })).rejects.toThrow(new RegExp(`in use by another process \\(pid ${first.pid}, serve\\.ts`));
    await first.close();
    const second = await spawnLocalTenant({ stateDir: dir });
    const names = ((await (await managementApi(second)).call('GET', '/api/v2/connections')).body as { connections: Array<{ name: string }> }).connections.map((c) => c.name);
    await second.close();
    expect(names).toEqual(['kept']);
  });

  it('refuses to start on a damaged database, saying so, and leaves the file as it was', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'local-tenant-'));
    await (await spawnLocalTenant({ stateDir: dir })).close();
    const damaged = Buffer.from('SQLite format 3\u0000 but not really, just junk written over a database file');
    writeFileSync(path.join(dir, 'tenant.db'), damaged);
    for (const suffix of ['-wal', '-shm']) rmSync(path.join(dir, `tenant.db${suffix}`), { force: true });
    await expect(spawnLocalTenant({ stateDir: dir })).rejects.toThrow(/the local tenant database .*tenant\.db cannot be read/);
    expect(readFileSync(path.join(dir, 'tenant.db'))).toEqual(damaged);
  });

  it('moves a state.json from an older checkout into the database once, losing nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'local-tenant-'));
    const first = await spawnLocalTenant({ stateDir: dir });
    const api = await managementApi(first);
    await api.call('POST', '/api/v2/connections', { name: 'db', strategy: 'auth0', options: {} });
    await api.call('POST', '/api/v2/users', { connection: 'db', email: 'old@example.com', password: 'a long enough password' });
    const before = first.state();
    await first.close();
    // What an older checkout kept: the whole state in one JSON file.
    for (const name of ['tenant.db', 'tenant.db-wal', 'tenant.db-shm']) rmSync(path.join(dir, name), { force: true });
    const { logs: _logs, oidc: _oidc, ...legacy } = before;
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify(legacy));
    const migrated = await spawnLocalTenant({ stateDir: dir });
    try {
      const after = migrated.state();
      expect(after.users).toEqual(before.users);
      expect(after.clients).toEqual(before.clients);
      expect(after.connections).toEqual(before.connections);
      expect(after.idTokenKey).toEqual(before.idTokenKey);
      expect(existsSync(path.join(dir, 'state.json'))).toBe(false);
      expect(statSync(path.join(dir, 'tenant.db')).mode & 0o777).toBe(0o600);
    } finally {
      await migrated.close();
    }
  });
});
