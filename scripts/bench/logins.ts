/**
 * Logins under load through the local tenant: a tenant of BACKGROUND users (20,000 by default) plus the
 * users who log in, the project's post-login Action bound, then rounds of concurrent password-realm
 * logins (the password checked, post-login run in the Actions runtime, tokens signed). Each login's
 * latency beside one bare HTTPS round trip to the same tenant. Used by `npm run bench` and by the test
 * that shows such a tenant answers every login.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../lib/build-actions';
import { seedUsers, spawnLocalTenant, type TenantProcess } from '@auth0-root-attributes/local-tenant';
import { distribution, type Distribution } from './stats';
import { scriptCommand } from '../lib/script-command';

const PASSWORD = 'a long enough password for the bench';
const CONNECTION = 'Username-Password-Authentication';

interface Answer {
  status: number;
  body: string;
}

/** One request on a connection of its own, as 50 separate clients make them. */
function send(tenant: Pick<TenantProcess, 'port' | 'ca'>, method: string, route: string, body: unknown, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port: tenant.port, method, path: route, ca: tenant.ca, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

function get(tenant: Pick<TenantProcess, 'port' | 'ca'>, route: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: tenant.port, method: 'GET', path: route, ca: tenant.ca, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject).end();
  });
}

async function managementToken(tenant: TenantProcess): Promise<string> {
  const answer = await send(tenant, 'POST', '/oauth/token', { grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, audience: `https://${tenant.domain}/api/v2/` });
  return (JSON.parse(answer.body) as { access_token: string }).access_token;
}

export interface LoadTenant {
  tenant: TenantProcess;
  /** The Default App, which signs users in by password-realm with its secret. */
  clientId: string;
  clientSecret: string;
  emails: string[];
}

/**
 * A tenant in `stateDir` with `background` users and `loggingIn` users who have a password, the database
 * connection and the project's built post-login Action bound (build/actions/post-login.js).
 */
export async function seedLoadTenant(stateDir: string, background: number, loggingIn: number): Promise<LoadTenant> {
  const setup = await spawnLocalTenant({ stateDir });
  try {
    const token = await managementToken(setup);
    const call = async (route: string, body: unknown, method = 'POST') => {
      const answer = await send(setup, method, route, body, token);
      if (answer.status >= 300) throw new Error(`${method} ${route}: ${answer.status} ${answer.body.slice(0, 200)}`);
      return JSON.parse(answer.body || '{}') as Record<string, unknown>;
    };
    await call('/api/v2/connections', { name: CONNECTION, strategy: 'auth0', options: {} });
    const code = readFileSync(path.join(PROJECT_ROOT, 'build', 'actions', 'post-login.js'), 'utf8');
    const action = await call('/api/v2/actions/actions', { name: 'root-attributes-post-login', code, supported_triggers: [{ id: 'post-login', version: 'v3' }] });
    await call(`/api/v2/actions/actions/${String(action.id)}/deploy`, undefined);
    await call('/api/v2/actions/triggers/post-login/bindings', { bindings: [{ ref: { type: 'action_name', value: 'root-attributes-post-login' } }] }, 'PATCH');
  } finally {
    await setup.close();
  }

  // The users go straight into the state: twenty thousand signups would measure the seeding, not the logins.
  const emails = Array.from({ length: loggingIn }, (_, i) => `login-${i}@example.com`);
  await seedUsers(stateDir, CONNECTION, Array.from({ length: background + loggingIn }, (_, i) => ({
    id: `bench${String(i).padStart(8, '0')}`,
    email: i < loggingIn ? `login-${i}@example.com` : `user-${i}@example.com`,
    name: `Person ${i}`,
    nickname: `person${i}`,
    picture: `https://example.com/avatars/${i}.png`,
    ...(i < loggingIn ? { password: PASSWORD } : {}),
  })));
  const tenant = await spawnLocalTenant({ stateDir });
  const app = tenant.state().clients.find((client) => client.name === 'Default App');
  return { tenant, clientId: app?.client_id ?? '', clientSecret: app?.client_secret ?? '', emails };
}

export interface LoginLoad {
  logins: Distribution;
  roundTrip: Distribution;
  failed: number;
  subjects: string[];
}

/**
 * `rounds` rounds of every user logging in at once (after one round that warms up: the runtime's workers
 * start, the login side loads); latencies in ns, beside bare round trips.
 */
export async function loginsUnderLoad(load: LoadTenant, rounds: number): Promise<LoginLoad> {
  const latencies: number[] = [];
  const subjects: string[] = [];
  let failed = 0;
  await get(load.tenant, '/.well-known/jwks.json');
  for (let round = -1; round < rounds; round++) {
    if (round === 0) {
      latencies.length = 0;
      subjects.length = 0;
    }
    await Promise.all(load.emails.map(async (username) => {
      const started = process.hrtime.bigint();
      const answer = await send(load.tenant, 'POST', '/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: load.clientId, client_secret: load.clientSecret, username, password: PASSWORD, realm: CONNECTION, scope: 'openid profile' });
      latencies.push(Number(process.hrtime.bigint() - started));
      if (answer.status !== 200) {
        failed++;
        return;
      }
      const idToken = (JSON.parse(answer.body) as { id_token: string }).id_token;
      subjects.push(String((JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown }).sub));
    }));
  }
  const trips: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = process.hrtime.bigint();
    await get(load.tenant, '/.well-known/jwks.json');
    trips.push(Number(process.hrtime.bigint() - started));
  }
  return { logins: distribution(latencies), roundTrip: distribution(trips), failed, subjects };
}

export interface CodeFlowFigures {
  concurrency: number;
  logins: Distribution;
  perSecond: number;
  failed: number;
  roundTrip: Distribution;
}

/** Web apps the bench has made so far. */
let apps = 0;

/** Where the code-flow logins go: a tenant's domain, the CA it is trusted by, and a web app registered there. */
export interface CodeFlowTarget {
  domain: string;
  caPath: string;
  clientId: string;
  clientSecret: string;
}

const CALLBACK = 'https://127.0.0.1:1/callback';

/**
 * Logins as an app makes them (authorization code with PKCE through the hosted login page, tokens verified),
 * with `concurrency` clients in a process of their own, beside a bare HTTPS round trip measured there too.
 */
export async function codeFlowLogins(load: LoadTenant, concurrency: number, logins: number): Promise<CodeFlowFigures> {
  const token = await managementToken(load.tenant);
  // An app of its own for each run: the local tenant keeps client names unique.
  apps += 1;
  const created = await send(load.tenant, 'POST', '/api/v2/clients', { name: `Bench web app ${apps} (${concurrency} client${concurrency === 1 ? '' : 's'})`, app_type: 'regular_web', token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code'], callbacks: [CALLBACK] }, token);
  if (created.status !== 201) throw new Error(`could not create the bench's web app: ${created.status}`);
  const client = JSON.parse(created.body) as { client_id: string; client_secret: string };
  return codeFlowRun({ domain: load.tenant.domain, caPath: load.tenant.caPath, clientId: client.client_id, clientSecret: client.client_secret }, load.emails, concurrency, logins);
}

/** The code-flow client (code-flow-child.ts) against any target. */
export async function codeFlowRun(target: CodeFlowTarget, emails: string[], concurrency: number, logins: number): Promise<CodeFlowFigures> {
  const settings = { ...target, callback: CALLBACK, connection: CONNECTION, emails, password: PASSWORD, concurrency, logins };
  const output = await new Promise<string>((resolve, reject) => {
    execFile(...scriptCommand('bench/code-flow-child.ts', [JSON.stringify(settings)]), { env: { ...process.env, NODE_EXTRA_CA_CERTS: target.caPath }, maxBuffer: 64 << 20 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
  const result = JSON.parse(output) as { latenciesNs: number[]; failed: number; elapsedMs: number; roundTripNs: number[] };
  return { concurrency, logins: distribution(result.latenciesNs), perSecond: result.latenciesNs.length / (result.elapsedMs / 1000), failed: result.failed, roundTrip: distribution(result.roundTripNs) };
}

/** oidc-provider alone (provider-alone.ts) in a process of its own: the floor under the tenant's code flow. */
export async function startProviderAlone(dir: string): Promise<CodeFlowTarget & { pid: number; close(): void }> {
  const [command, args] = scriptCommand('bench/provider-alone.ts', [JSON.stringify({ dir })]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const ready = await new Promise<{ port: number; clientId: string; clientSecret: string; caPath: string }>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line) as { port: number; clientId: string; clientSecret: string; caPath: string });
    });
    child.once('exit', (code) => reject(new Error(`oidc-provider alone exited (${code ?? 'signal'}) before it listened`)));
  });
  return { domain: `localhost:${ready.port}`, caPath: ready.caPath, clientId: ready.clientId, clientSecret: ready.clientSecret, pid: child.pid ?? 0, close: () => child.kill() };
}
