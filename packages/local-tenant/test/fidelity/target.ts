/**
 * Where the fidelity suite runs: the local tenant by default, or a real Auth0 development tenant when
 * AUTH0_FIDELITY_DOMAIN, AUTH0_FIDELITY_CLIENT_ID and AUTH0_FIDELITY_CLIENT_SECRET name one (a
 * machine-to-machine app with the Management API scopes to create and delete clients, APIs, client grants,
 * connections, users and actions, and to read and update trigger bindings). The tests talk to it only over
 * HTTPS — raw requests, and the official `auth0` SDK — so the same test can show the local tenant does what
 * Auth0 does. Whatever a test creates on a real tenant carries a run id and is deleted afterwards.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { globalAgent } from 'node:https';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { managementApi, spawnLocalTenant } from '../../src/index';

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export interface FidelityTarget {
  kind: 'local' | 'auth0';
  domain: string;
  /** A fetch that trusts the tenant (the local one's CA, or the system's roots). */
  fetch: typeof globalThis.fetch;
  /** A JSON Management API call with the fidelity client's token. */
  management(method: string, route: string, body?: unknown): Promise<Reply>;
  /** POST to the Authentication API, as JSON or as a form. */
  post(route: string, body: Record<string, string>, as?: 'json' | 'form'): Promise<Reply>;
  /** LOCAL ONLY: the latest one-time code the local outbox holds for an address. */
  localOutbox(email: string): Promise<string>;
  /** A name no other run uses, for what a test creates. */
  unique(prefix: string): string;
  close(): Promise<void>;
}

const REAL = ['AUTH0_FIDELITY_DOMAIN', 'AUTH0_FIDELITY_CLIENT_ID', 'AUTH0_FIDELITY_CLIENT_SECRET'] as const;

/**
 * The Management API scopes the suite's client needs, as FIDELITY.md lists them. Against the local tenant
 * the suite makes such a client with exactly these, so a scope missing here fails locally first.
 */
export const FIDELITY_SCOPES = [
  'read:clients', 'create:clients', 'delete:clients', 'read:resource_servers', 'create:resource_servers', 'delete:resource_servers',
  'create:client_grants', 'delete:client_grants', 'read:connections', 'create:connections', 'update:connections', 'delete:connections',
  'create:users', 'create:roles', 'update:roles', 'delete:roles', 'create:role_members',
  'read:actions', 'create:actions', 'delete:actions', 'read:triggers', 'update:triggers',
] as const;

/** True when the suite runs against a real tenant (all three variables set). */
export const againstAuth0 = REAL.every((name) => (process.env[name] ?? '') !== '');

const skippedHere: string[] = [];

/**
 * A test of how the local tenant stands in for something a real tenant cannot show to a test (a code read
 * from the local outbox, a tenant setting the suite cannot assume): run locally, skipped against Auth0, and
 * named in the run's output so nobody takes it for verified there.
 */
export function localOnly(name: string, reason: string, fn: () => Promise<void>, timeout?: number): void {
  if (!againstAuth0) {
    it(name, fn, timeout);
    return;
  }
  skippedHere.push(`${name} — ${reason}`);
  it.skip(`${name} [local only: ${reason}]`, fn);
}

afterAll(() => {
  if (skippedHere.length > 0) console.log(`fidelity: ${skippedHere.length} local-only test(s) skipped against ${process.env.AUTH0_FIDELITY_DOMAIN}:\n${skippedHere.map((line) => `  - ${line}`).join('\n')}`);
});

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    body = { text };
  }
  return { status: response.status, body };
}

export async function fidelityTarget(): Promise<FidelityTarget> {
  const run = randomBytes(4).toString('hex');
  let domain: string;
  let clientId: string;
  let clientSecret: string;
  let fetch: typeof globalThis.fetch = globalThis.fetch;
  let close = async () => {};
  if (againstAuth0) {
    domain = process.env.AUTH0_FIDELITY_DOMAIN ?? '';
    clientId = process.env.AUTH0_FIDELITY_CLIENT_ID ?? '';
    clientSecret = process.env.AUTH0_FIDELITY_CLIENT_SECRET ?? '';
  } else {
    const tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'fidelity-')) });
    domain = tenant.domain;
    // A machine-to-machine app with exactly the scopes FIDELITY.md asks a team to grant.
    const cli = await managementApi(tenant);
    const app = (await cli.call('POST', '/api/v2/clients', { name: 'Fidelity suite', app_type: 'non_interactive', grant_types: ['client_credentials'] })).body as { client_id: string; client_secret: string };
    const granted = await cli.call('POST', '/api/v2/client-grants', { client_id: app.client_id, audience: `https://${domain}/api/v2/`, scope: [...FIDELITY_SCOPES, 'read:local_outbox'] });
    if (granted.status !== 201) throw new Error(`could not grant the fidelity client: ${JSON.stringify(granted.body)}`);
    ({ client_id: clientId, client_secret: clientSecret } = app);
    const ca = [...rootCertificates, new X509Certificate(tenant.ca).toString()];
    const dispatcher = new Agent({ connect: { ca } });
    fetch = ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof globalThis.fetch;
    // The SDK checks ID tokens against the JWKS through Node's https: this process trusts the CA, as
    // NODE_EXTRA_CA_CERTS would make a team's service trust it — until the suite ends (a jest worker runs
    // other suites after it, with tenants of their own).
    // (Node's agent spreads its own options over each request's, so even an undefined `ca` left behind
    // would override the CA other suites pass per request: the key goes as it came.)
    const had = Object.prototype.hasOwnProperty.call(globalAgent.options, 'ca');
    const trusted = globalAgent.options.ca;
    globalAgent.options.ca = ca;
    close = async () => {
      if (had) globalAgent.options.ca = trusted;
      else delete globalAgent.options.ca;
      await tenant.close();
    };
  }
  const base = `https://${domain}`;
  const post = async (route: string, body: Record<string, string>, as: 'json' | 'form' = 'json') =>
    reply(await fetch(`${base}${route}`, {
      method: 'POST',
      headers: { 'content-type': as === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
      body: as === 'json' ? JSON.stringify(body) : new URLSearchParams(body).toString(),
    }));
  const token = await post('/oauth/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: `${base}/api/v2/` });
  if (token.status !== 200) throw new Error(`the fidelity client got no Management API token from ${domain}: ${token.status} ${JSON.stringify(token.body)}`);
  const accessToken = String(token.body.access_token);
  const management = async (method: string, route: string, body?: unknown) =>
    reply(await fetch(`${base}${route.startsWith('/local/') ? '' : '/api/v2'}${route}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }));
  return {
    kind: againstAuth0 ? 'auth0' : 'local',
    domain,
    fetch,
    post,
    management,
    localOutbox: async (email) => {
      if (againstAuth0) throw new TypeError('a real tenant has no local outbox: mark the test localOnly');
      const outbox = await management('GET', `/local/outbox?email=${encodeURIComponent(email)}`);
      return ((outbox.body.messages ?? []) as Array<{ code: string }>).at(-1)?.code ?? '';
    },
    unique: (prefix) => `${prefix}-${run}`,
    close,
  };
}
