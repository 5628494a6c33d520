/**
 * The Management API calls Actions make about users, over HTTPS to a local tenant in its own process:
 * user search (q=, Lucene as user search v3 takes it), users-by-email, identities link and unlink,
 * delete, and a user's roles — each with the scope it needs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnLocalTenant, type TenantProcess, clientWithScopes, managementApi, raw, type ManagementApi } from '@auth0-root-attributes/local-tenant';
import { deployAction } from './support/seed';

jest.setTimeout(60_000);

let tenant: TenantProcess;
let api: ManagementApi;
let admin: ManagementApi;
const ids: Record<string, string> = {};

const search = async (q: string) => {
  const answer = await api.call('GET', `/api/v2/users?q=${encodeURIComponent(q)}&search_engine=v3`);
  expect(answer.status).toBe(200);
  return (answer.body as Array<{ user_id: string }>).map((user) => Object.keys(ids).find((name) => ids[name] === user.user_id)).sort();
};

beforeAll(async () => {
  tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'management-users-')) });
  api = await managementApi(tenant);
  admin = await clientWithScopes(tenant, api, 'user admin', ['read:users', 'update:users', 'delete:users', 'read:roles', 'create:role_members', 'delete:role_members']);
  await api.call('POST', '/api/v2/connections', { name: 'Username-Password-Authentication', strategy: 'auth0', options: {} });
  await api.call('POST', '/api/v2/connections', { name: 'email', strategy: 'email', options: {} });
  const people = [
    { key: 'jane', email: 'Jane.Smith@Example.com', name: 'Jane Smith', given_name: 'Jane', app_metadata: { plan: 'gold', team: { lead: true } } },
    { key: 'john', email: 'john@example.org', name: 'John Smithers', app_metadata: { plan: 'silver' } },
    { key: 'ann', email: 'ann@corp.example', name: 'Ann Lee', user_metadata: { addresses: [{ city: 'Paris' }, { city: 'Oslo' }] } },
  ];
  for (const { key, ...person } of people) {
    const created = await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', password: 'a long enough password 1!', ...person });
    expect(created.status).toBe(201);
    ids[key] = (created.body as { user_id: string }).user_id;
  }
  const passwordless = await api.call('POST', '/api/v2/users', { connection: 'email', email: 'jane.smith@example.com', email_verified: true });
  ids.janeEmail = (passwordless.body as { user_id: string }).user_id;
});
afterAll(() => tenant.close());

describe('GET /api/v2/users?q= (user search v3)', () => {
  it('matches fields, phrases (normalized fields ignore case), wildcards, e-mail domains and metadata paths', async () => {
    expect(await search('email:"jane.smith@example.com"')).toEqual(['jane', 'janeEmail']);
    expect(await search('name:"jane smith"')).toEqual(['jane']);
    expect(await search('name:smith*')).toEqual(['jane', 'john']);
    expect(await search('email.domain:"example.org"')).toEqual(['john']);
    expect(await search('app_metadata.plan:"gold"')).toEqual(['jane']);
    expect(await search('app_metadata.team.lead:true')).toEqual(['jane']);
    expect(await search('user_metadata.addresses.city:"Oslo"')).toEqual(['ann']);
    expect(await search('identities.connection:"email"')).toEqual(['janeEmail']);
    expect(await search('Ann')).toEqual(['ann']);
  });

  it('combines with AND, OR, NOT, parentheses, _exists_ and ranges', async () => {
    expect(await search('name:smith* AND NOT app_metadata.plan:"silver"')).toEqual(['jane']);
    expect(await search('(app_metadata.plan:"gold" OR app_metadata.plan:"silver") AND -given_name:jane')).toEqual(['john']);
    expect(await search('_exists_:given_name')).toEqual(['jane']);
    expect(await search('logins_count:[0 TO 0] AND identities.connection:"Username-Password-Authentication"')).toEqual(['ann', 'jane', 'john']);
    expect(await search('created_at:{* TO 2000-01-01}')).toEqual([]);
  });

  it('refuses what Auth0 refuses with a 400 that says why: bad syntax, wildcards on metadata, unknown fields, other engines', async () => {
    for (const [q, message] of [
      ['name:(jane', /not closed/],
      ['app_metadata.plan:go*', /not available on app_metadata fields/],
      ['password_hash:x', /not a searchable field/],
    ] as const) {
      const answer = await api.call('GET', `/api/v2/users?q=${encodeURIComponent(q)}`);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ errorCode: 'invalid_query_string', message: expect.stringMatching(message) });
    }
    expect((await api.call('GET', '/api/v2/users?q=name:x&search_engine=v2')).status).toBe(400);
  });
});

describe('users by e-mail, identities, delete, roles', () => {
  it('finds every user of an e-mail, whatever its case, across connections', async () => {
    const answer = await api.call('GET', `/api/v2/users-by-email?email=${encodeURIComponent('JANE.smith@example.com')}`);
    expect(answer.status).toBe(200);
    expect((answer.body as Array<{ user_id: string }>).map((user) => user.user_id).sort()).toEqual([ids.jane, ids.janeEmail].sort());
    expect((await api.call('GET', '/api/v2/users-by-email')).status).toBe(400);
  });

  it('links a second user into the first (its profile kept as profileData, the user gone) and unlinks it back', async () => {
    const [provider, userId] = (ids.janeEmail as string).split('|') as [string, string];
    const linked = await api.call('POST', `/api/v2/users/${encodeURIComponent(ids.jane as string)}/identities`, { provider, user_id: userId });
    expect(linked.status).toBe(201);
    expect(linked.body).toEqual([
      expect.objectContaining({ connection: 'Username-Password-Authentication', provider: 'auth0' }),
      expect.objectContaining({ connection: 'email', provider: 'email', user_id: userId, profileData: expect.objectContaining({ email: 'jane.smith@example.com', email_verified: true }) }),
    ]);
    expect((await api.call('GET', `/api/v2/users/${encodeURIComponent(ids.janeEmail as string)}`)).status).toBe(404);
    expect(JSON.stringify((await api.call('GET', `/api/v2/users/${encodeURIComponent(ids.jane as string)}`)).body)).not.toContain('password_hash');
    const unlinked = await api.call('DELETE', `/api/v2/users/${encodeURIComponent(ids.jane as string)}/identities/${provider}/${userId}`);
    expect(unlinked.status).toBe(200);
    expect(unlinked.body).toHaveLength(1);
    const back = await api.call('GET', `/api/v2/users/${encodeURIComponent(ids.janeEmail as string)}`);
    expect(back).toMatchObject({ status: 200, body: { email: 'jane.smith@example.com', identities: [{ connection: 'email' }] } });
    const main = await api.call('DELETE', `/api/v2/users/${encodeURIComponent(ids.jane as string)}/identities/auth0/${(ids.jane as string).split('|')[1]}`);
    expect(main.status).toBe(400);
  });

  it('deletes a user only with delete:users, and answers 404 for a user that is gone', async () => {
    const denied = await api.call('DELETE', `/api/v2/users/${encodeURIComponent(ids.ann as string)}`);
    expect(denied).toMatchObject({ status: 403, body: { errorCode: 'insufficient_scope' } });
    expect((await admin.call('DELETE', `/api/v2/users/${encodeURIComponent(ids.ann as string)}`)).status).toBe(204);
    expect((await admin.call('GET', `/api/v2/users/${encodeURIComponent(ids.ann as string)}`)).status).toBe(404);
    expect((await admin.call('DELETE', `/api/v2/users/${encodeURIComponent(ids.ann as string)}`)).status).toBe(404);
  });

  it('lists a user\'s roles and refuses a role the tenant does not have', async () => {
    const roles = await admin.call('GET', `/api/v2/users/${encodeURIComponent(ids.john as string)}/roles`);
    expect(roles).toMatchObject({ status: 200, body: [] });
    const unknown = await admin.call('POST', `/api/v2/users/${encodeURIComponent(ids.john as string)}/roles`, { roles: ['rol_missing'] });
    expect(unknown).toMatchObject({ status: 404, body: { errorCode: 'inexistent_role' } });
  });
});

describe('GET /api/v2/logs', () => {
  it('keeps log events as Auth0 does for logins, signups and Management API writes, searchable by q=, without a password or attribute value', async () => {
    const { client_id: clientId, client_secret: clientSecret } = tenant.state().clients.find((client) => client.name === 'Default App')!;
    const post = (route: string, body: object) => raw(tenant, { method: 'POST', path: route, headers: { 'content-type': 'application/json', 'user-agent': 'logs-test' }, body: JSON.stringify(body) });
    const login = (username: string, password: string) => post('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: clientId, client_secret: clientSecret, username, password, realm: 'Username-Password-Authentication', scope: 'openid' });
    const signup = (email: string, password: string) => post('/dbconnections/signup', { client_id: clientId, connection: 'Username-Password-Authentication', email, password, name: 'Secret Name Value' });
    expect((await signup('logged@example.com', 'a long enough password 1!')).status).toBe(200);
    expect((await signup('weak@example.com', 'short')).status).toBe(400);
    expect((await login('logged@example.com', 'a long enough password 1!')).status).toBe(200);
    expect((await login('logged@example.com', 'the wrong password')).status).toBe(403);
    await deployAction(api, { name: 'gatekeeper', trigger: 'post-login', code: "exports.onExecutePostLogin = async (event, api) => { if (event.user.email === 'logged@example.com') api.access.deny('not_on_fridays'); };" });
    expect((await api.call('PATCH', '/api/v2/actions/triggers/post-login/bindings', { bindings: [{ ref: { type: 'action_name', value: 'gatekeeper' } }] })).status).toBe(200);
    expect((await login('logged@example.com', 'a long enough password 1!')).status).toBe(403);

    const logs = await api.call('GET', '/api/v2/logs?per_page=100');
    expect(logs.status).toBe(200);
    const events = logs.body as Array<{ type: string; description: string; user_id?: string; client_id?: string; connection?: string; user_agent?: string; date: string }>;
    // Newest first.
    expect(events.map((event) => event.date)).toEqual(events.map((event) => event.date).sort().reverse());
    const byType = (type: string) => events.filter((event) => event.type === type);
    expect(byType('ss')).toEqual([expect.objectContaining({ client_id: clientId, connection: 'Username-Password-Authentication', user_agent: 'logs-test', user_id: expect.stringMatching(/^auth0\|/) })]);
    expect(byType('fs')).toEqual([expect.objectContaining({ description: expect.stringContaining('Password is too weak') })]);
    expect(byType('s')).toHaveLength(1);
    expect(byType('fp')).toEqual([expect.objectContaining({ description: 'Wrong email or password.', connection: 'Username-Password-Authentication' })]);
    expect(byType('f')).toEqual([expect.objectContaining({ description: 'not_on_fridays' })]);
    expect(byType('sapi').length).toBeGreaterThan(3);
    expect(byType('sapi')).toContainEqual(expect.objectContaining({ description: 'PATCH /api/v2/actions/triggers/:trigger/bindings', client_id: tenant.clientId }));
    const text = JSON.stringify(events);
    for (const value of ['a long enough password', 'the wrong password', 'Secret Name Value', tenant.clientSecret]) expect(text).not.toContain(value);

    const failed = await api.call('GET', `/api/v2/logs?q=${encodeURIComponent('type:f OR type:fs')}`);
    expect((failed.body as Array<{ type: string }>).map((event) => event.type).sort()).toEqual(['f', 'fs']);
    const first = events.at(-1)!;
    const after = await api.call('GET', `/api/v2/logs?from=${(first as { log_id?: string }).log_id}&take=2`);
    expect((after.body as unknown[]).length).toBe(2);
    expect((await api.call('GET', '/api/v2/logs?q=password_hash:x')).status).toBe(400);
  });
});
