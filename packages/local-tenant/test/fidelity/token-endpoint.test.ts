/**
 * The token endpoint decides every grant as Auth0 does: the client authenticates (a confidential app
 * with its secret), may use only the grants its `grant_types` list, asks only for an API the tenant has,
 * gets only the scopes that API defines, and its access token carries what the post-login Actions set —
 * for Auth0's own grants (password-realm, password, passwordless/otp, client credentials) as for the code
 * flow, with JSON and form bodies alike. Runs against a real tenant too (target.ts).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FIDELITY_SCOPES, fidelityTarget, localOnly, type FidelityTarget, type Reply } from './target';

jest.setTimeout(120_000);

const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const PASSWORDLESS_OTP = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const CLAIM = 'https://fidelity.example/claim';
const PASSWORD = 'Fidelity-check-2026!x';

let target: FidelityTarget;
/** What the suite created, to delete afterwards (on a real tenant). */
const created: Array<[string, string]> = [];
let app: { client_id: string; client_secret: string };
let other: { client_id: string; client_secret: string };
let api: string;
/** An API with RBAC on (`enforce_policies`), whose read permission the user holds through a role. */
let rbacApi: string;
let connection: string;
let email: string;
let restoreBindings: unknown[] | undefined;

async function create(route: string, body: unknown): Promise<Record<string, unknown>> {
  const answer = await target.management('POST', route, body);
  if (answer.status !== 200 && answer.status !== 201) throw new Error(`POST ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

beforeAll(async () => {
  target = await fidelityTarget();
  api = `https://${target.unique('api')}.fidelity.example/`;
  connection = target.unique('fidelity-db');
  email = `${target.unique('user')}@fidelity.example`;
  const server = await create('/resource-servers', { name: target.unique('Fidelity API'), identifier: api, scopes: [{ value: 'read:things' }, { value: 'write:things' }], allow_offline_access: true });
  created.push(['/resource-servers', String(server.id)]);
  const grants = [PASSWORD_REALM, 'password', PASSWORDLESS_OTP, 'client_credentials', 'refresh_token'];
  app = (await create('/clients', { name: target.unique('Fidelity app'), app_type: 'regular_web', token_endpoint_auth_method: 'client_secret_post', grant_types: grants })) as typeof app;
  created.push(['/clients', app.client_id]);
  other = (await create('/clients', { name: target.unique('Fidelity other app'), app_type: 'regular_web', token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code'], callbacks: ['https://app.fidelity.example/callback'] })) as typeof other;
  created.push(['/clients', other.client_id]);
  const grant = await create('/client-grants', { client_id: app.client_id, audience: api, scope: ['read:things'] });
  created.push(['/client-grants', String(grant.id)]);
  const db = await create('/connections', { name: connection, strategy: 'auth0', options: {} });
  created.push(['/connections', String(db.id)]);
  expect((await target.management('PATCH', `/connections/${String(db.id)}/clients`, [{ client_id: app.client_id, status: true }, { client_id: other.client_id, status: true }])).status).toBe(204);
  const user = await create('/users', { connection, email, password: PASSWORD });
  rbacApi = `https://${target.unique('rbac')}.fidelity.example/`;
  const rbac = await create('/resource-servers', { name: target.unique('Fidelity RBAC API'), identifier: rbacApi, scopes: [{ value: 'read:things' }, { value: 'write:things' }], enforce_policies: true });
  created.push(['/resource-servers', String(rbac.id)]);
  const role = await create('/roles', { name: target.unique('fidelity-reader') });
  created.push(['/roles', String(role.id)]);
  expect((await target.management('POST', `/roles/${String(role.id)}/permissions`, { permissions: [{ resource_server_identifier: rbacApi, permission_name: 'read:things' }] })).status).toBe(201);
  expect((await target.management('POST', `/users/${encodeURIComponent(String(user.user_id))}/roles`, { roles: [String(role.id)] })).status).toBeLessThan(300);
  if (target.kind === 'local') {
    // The passwordless connection the otp grant signs in with: local only (a real tenant's codes go by e-mail).
    const passwordless = await create('/connections', { name: 'email', strategy: 'email', options: {} });
    expect((await target.management('PATCH', `/connections/${String(passwordless.id)}/clients`, [{ client_id: app.client_id, status: true }])).status).toBe(204);
  }

  // A post-login Action that marks this app's access tokens, bound after the tenant's own bindings.
  const action = await create('/actions/actions', {
    name: target.unique('fidelity-claim'), runtime: 'node22', supported_triggers: [{ id: 'post-login', version: 'v3' }],
    code: `exports.onExecutePostLogin = async (event, api) => {\n  if (event.client.client_id === ${JSON.stringify(app.client_id)}) api.accessToken.setCustomClaim(${JSON.stringify(CLAIM)}, 'from post-login');\n};`,
  });
  created.push(['/actions/actions', String(action.id)]);
  for (let i = 0; i < 60 && (await target.management('GET', `/actions/actions/${String(action.id)}`)).body.status !== 'built'; i++) await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect((await target.management('POST', `/actions/actions/${String(action.id)}/deploy`)).status).toBeLessThan(300);
  const bindings = ((await target.management('GET', '/actions/triggers/post-login/bindings')).body.bindings ?? []) as Array<{ action: { id: string } }>;
  restoreBindings = bindings.map((binding) => ({ ref: { type: 'action_id', value: binding.action.id } }));
  const bound = await target.management('PATCH', '/actions/triggers/post-login/bindings', { bindings: [...restoreBindings, { ref: { type: 'action_id', value: String(action.id) } }] });
  expect(bound.status).toBe(200);
});

afterAll(async () => {
  if (!target) return;
  if (restoreBindings) await target.management('PATCH', '/actions/triggers/post-login/bindings', { bindings: restoreBindings });
  for (const [route, id] of created.reverse()) await target.management('DELETE', `${route}/${encodeURIComponent(id)}`);
  await target.close();
});

/** The payload of a JWT, unverified (the claims under test; signatures are the SDK test's). */
const payloadOf = (jwt: unknown) => JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

interface Grant {
  name: string;
  /** The request's grant-specific fields: for a user (or the app itself) that may have a token, or, when `refusal`, only their shape. */
  fields: (refusal: boolean) => Promise<Record<string, string>>;
  /** Whether a real tenant can show the successful exchange (else it is local-only, with the reason). */
  succeedsOnAuth0: true | string;
  /** A user grant runs post-login; client credentials does not. */
  user: boolean;
}

const GRANTS: Grant[] = [
  { name: 'password-realm', user: true, succeedsOnAuth0: true, fields: async () => ({ grant_type: PASSWORD_REALM, username: email, password: PASSWORD, realm: connection }) },
  {
    name: 'password', user: true, succeedsOnAuth0: 'the password grant needs the tenant\'s default directory to be this run\'s connection',
    fields: async () => ({ grant_type: 'password', username: email, password: PASSWORD }),
  },
  {
    name: 'passwordless/otp', user: true, succeedsOnAuth0: 'passwordless/otp reads the one-time code from the local outbox',
    fields: async (refusal) => {
      if (refusal) return { grant_type: PASSWORDLESS_OTP, username: email, otp: '000000', realm: 'email' };
      const started = await target.post('/passwordless/start', { client_id: app.client_id, client_secret: app.client_secret, connection: 'email', email, send: 'code' });
      expect(started.status).toBe(200);
      return { grant_type: PASSWORDLESS_OTP, username: email, otp: await target.localOutbox(email), realm: 'email' };
    },
  },
  { name: 'client_credentials', user: false, succeedsOnAuth0: true, fields: async () => ({ grant_type: 'client_credentials' }) },
];

/** A grant's request for this app, without credentials: client_credentials asks for the API by default. */
async function request(grant: Grant, extra: Record<string, string> = {}, refusal = false): Promise<Record<string, string>> {
  return { ...(await grant.fields(refusal)), ...(grant.user ? { scope: 'openid' } : { audience: api }), ...extra };
}

const exchange = (body: Record<string, string>, as: 'json' | 'form' = 'json'): Promise<Reply> => target.post('/oauth/token', body, as);

/** `it` for a successful exchange, local-only where a real tenant cannot show it. */
function succeeding(grant: Grant, name: string, fn: () => Promise<void>): void {
  if (grant.succeedsOnAuth0 === true) it(name, fn);
  else localOnly(name, grant.succeedsOnAuth0, fn);
}

describe.each(GRANTS)('the $name grant', (grant) => {
  it('refuses a confidential app that sends no secret: 401 access_denied', async () => {
    const answer = await exchange({ ...(await request(grant, {}, true)), client_id: app.client_id });
    expect(answer).toMatchObject({ status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
  });

  it('refuses a wrong secret, in a JSON body and in a form alike', async () => {
    for (const as of ['json', 'form'] as const) {
      const answer = await exchange({ ...(await request(grant, {}, true)), client_id: app.client_id, client_secret: `${app.client_secret}x` }, as);
      expect(answer).toMatchObject({ status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
    }
  });

  it('refuses an app whose grant_types lack the grant: 403 unauthorized_client', async () => {
    const answer = await exchange({ ...(await request(grant, {}, true)), client_id: other.client_id, client_secret: other.client_secret });
    const grantType = (await request(grant, {}, true)).grant_type;
    expect(answer).toMatchObject({ status: 403, body: { error: 'unauthorized_client', error_description: `Grant type '${grantType}' not allowed for the client.` } });
  });

  succeeding(grant, 'refuses an audience no API of the tenant has: 403 access_denied', async () => {
    const nowhere = `https://${target.unique('nowhere')}.fidelity.example/`;
    const answer = await exchange({ ...(await request(grant, { audience: nowhere })), client_id: app.client_id, client_secret: app.client_secret });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: 'access_denied' });
    expect(String(answer.body.error_description)).toMatch(new RegExp(`^Service not (found|enabled within domain): ${nowhere.replace(/[.?*+^$[\]\\(){}|-]/g, '\\$&')}$`));
  });

  succeeding(grant, 'grants only the scopes the API defines (and, for an app, its client grant holds), in JSON and in a form', async () => {
    for (const as of ['json', 'form'] as const) {
      const scope = grant.user ? 'openid read:things write:things delete:things' : 'read:things write:things delete:things';
      const answer = await exchange({ ...(await request(grant, { audience: api, scope })), client_id: app.client_id, client_secret: app.client_secret }, as);
      expect(answer.status).toBe(200);
      const granted = String(payloadOf(answer.body.access_token).scope).split(' ').sort();
      expect(granted).toEqual(grant.user ? ['openid', 'read:things', 'write:things'] : ['read:things']);
      expect(payloadOf(answer.body.access_token)).toMatchObject({ aud: grant.user ? [api, `https://${target.domain}/userinfo`] : api, azp: app.client_id });
    }
  });

  if (grant.user) {
    succeeding(grant, 'puts the claims the post-login Actions set into the access token, and the ID token for the app', async () => {
      const answer = await exchange({ ...(await request(grant, { audience: api, scope: 'openid read:things' })), client_id: app.client_id, client_secret: app.client_secret });
      expect(answer.status).toBe(200);
      expect(payloadOf(answer.body.access_token)).toMatchObject({ [CLAIM]: 'from post-login' });
      expect(payloadOf(answer.body.id_token)).toMatchObject({ aud: app.client_id, iss: `https://${target.domain}/` });
    });
  }
});

describe('an API with RBAC on', () => {
  it('grants a user only the scopes their roles hold of it', async () => {
    const answer = await exchange({ grant_type: PASSWORD_REALM, username: email, password: PASSWORD, realm: connection, scope: 'openid read:things write:things', audience: rbacApi, client_id: app.client_id, client_secret: app.client_secret });
    expect(answer.status).toBe(200);
    expect(String(payloadOf(answer.body.access_token).scope).split(' ').sort()).toEqual(['openid', 'read:things']);
  });
});

describe('FIDELITY.md', () => {
  it('lists every scope the suite\'s client needs', () => {
    const text = readFileSync(path.join(__dirname, '..', '..', 'FIDELITY.md'), 'utf8');
    for (const scope of FIDELITY_SCOPES) expect(text).toContain(`\`${scope}\``);
  });

  it('points only at tests that exist: each file it names has the test its words name', () => {
    const packageRoot = path.join(__dirname, '..', '..');
    const repoRoot = path.join(packageRoot, '..', '..');
    const text = readFileSync(path.join(packageRoot, 'FIDELITY.md'), 'utf8');
    const fileOf = (name: string) =>
      /^(tests|packages)\//.test(name) ? path.join(repoRoot, name) : name.startsWith('test/') ? path.join(packageRoot, name) : path.join(__dirname, name);
    const references = [...text.matchAll(/`([\w./-]+\.test\.ts)`(?: › ([^;|`]+))?/g)].map((match) => ({ file: match[1] ?? '', words: match[2] ?? '' }));
    expect(references.length).toBeGreaterThan(30);
    const stale = references.filter(({ file, words }) => {
      let source: string;
      try {
        // Test names as they read: quotes escaped inside single-quoted names unescaped.
        source = readFileSync(fileOf(file), 'utf8').replace(/\\'/g, "'");
      } catch {
        return true;
      }
      // "the … grant › refuses …": every piece between the ellipses and the arrows is in the file.
      return words.split(/…|›/).map((piece) => piece.trim()).some((piece) => piece !== '' && !source.includes(piece));
    });
    expect(stale).toEqual([]);
  });
});

describe('refresh tokens of Auth0\'s grants', () => {
  it('are issued with offline_access for an API that allows it, exchanged in a JSON body, and post-login runs again', async () => {
    const first = await exchange({ grant_type: PASSWORD_REALM, username: email, password: PASSWORD, realm: connection, scope: 'openid offline_access read:things', audience: api, client_id: app.client_id, client_secret: app.client_secret });
    expect(first.status).toBe(200);
    expect(typeof first.body.refresh_token).toBe('string');
    const refreshed = await exchange({ grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token), client_id: app.client_id, client_secret: app.client_secret });
    expect(refreshed.status).toBe(200);
    expect(payloadOf(refreshed.body.access_token)).toMatchObject({ [CLAIM]: 'from post-login', aud: [api, `https://${target.domain}/userinfo`] });
  });
});

describe('the official auth0 SDK', () => {
  interface TokenSet { access_token: string; id_token?: string; scope?: string }
  interface AuthenticationClient {
    oauth: {
      passwordGrant(body: { username: string; password: string; realm?: string; scope?: string; audience?: string }): Promise<{ data: TokenSet }>;
      clientCredentialsGrant(body: { audience: string }): Promise<{ data: TokenSet }>;
    };
  }
  // auth0/legacy's types resolve only under moduleResolution node16+; the project compiles with node10.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AuthenticationClient } = require('auth0/legacy') as { AuthenticationClient: new (options: { domain: string; clientId: string; clientSecret?: string; fetch?: typeof fetch }) => AuthenticationClient };
  const client = (credentials: { client_id: string; client_secret?: string }) =>
    new AuthenticationClient({ domain: target.domain, clientId: credentials.client_id, ...(credentials.client_secret ? { clientSecret: credentials.client_secret } : {}), fetch: target.fetch });

  it('signs in by password-realm, checks the ID token it gets, and gets the API\'s token with the Action\'s claim', async () => {
    const { data } = await client(app).oauth.passwordGrant({ username: email, password: PASSWORD, realm: connection, scope: 'openid email', audience: api });
    expect(payloadOf(data.id_token)).toMatchObject({ email });
    expect(payloadOf(data.access_token)).toMatchObject({ [CLAIM]: 'from post-login' });
  });

  it('gets a client-credentials token for the API, and is refused without the secret', async () => {
    const { data } = await client(app).oauth.clientCredentialsGrant({ audience: api });
    expect(payloadOf(data.access_token)).toMatchObject({ aud: api, scope: 'read:things', gty: 'client-credentials' });
    await expect(client({ client_id: app.client_id, client_secret: 'wrong' }).oauth.clientCredentialsGrant({ audience: api })).rejects.toMatchObject({ statusCode: 401, error: 'access_denied' });
  });
});
