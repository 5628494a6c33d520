/**
 * A small HTTPS client for whatever talks to a local tenant without an SDK (tests, the bench): it trusts the
 * tenant's CA explicitly (the caller need not have been started with NODE_EXTRA_CA_CERTS) and gets a token
 * like any client.
 */
import { request } from 'node:https';
import type { TenantReady as LocalTenant } from './process';

export interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function raw(tenant: Pick<LocalTenant, 'port' | 'ca'>, options: RawRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: tenant.port, method: options.method, path: options.path, headers: options.headers, ca: tenant.ca, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            body = text;
          }
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export interface ManagementApi {
  call(method: string, path: string, body?: unknown): Promise<Answer>;
  token: string;
}

/** A Management API caller with the CLI client's credentials, or another client's. */
export async function managementApi(tenant: LocalTenant, client: { clientId: string; clientSecret: string } = tenant): Promise<ManagementApi> {
  const answer = await raw(tenant, {
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, audience: `https://${tenant.domain}/api/v2/` }).toString(),
  });
  const token = (answer.body as { access_token: string }).access_token;
  return {
    token,
    call: (method, path, body) =>
      raw(tenant, {
        method,
        path,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
  };
}

/**
 * A machine-to-machine client created through the Management API with a grant of exactly `scopes`,
 * as a team creates one for a script: the caller for routes the CLI client has no scope for.
 */
export async function clientWithScopes(tenant: LocalTenant, api: ManagementApi, name: string, scopes: string[]): Promise<ManagementApi> {
  const created = await api.call('POST', '/api/v2/clients', { name, app_type: 'non_interactive' });
  if (created.status !== 201) throw new Error(`could not create the client ${name}: ${JSON.stringify(created.body)}`);
  const { client_id: clientId, client_secret: clientSecret } = created.body as { client_id: string; client_secret: string };
  const grant = await api.call('POST', '/api/v2/client-grants', { client_id: clientId, audience: `https://${tenant.domain}/api/v2/`, scope: scopes });
  if (grant.status !== 201) throw new Error(`could not grant ${name}: ${JSON.stringify(grant.body)}`);
  return managementApi(tenant, { clientId, clientSecret });
}
