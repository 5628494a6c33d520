/**
 * A small HTTPS client for tests that talk to a local tenant: it trusts the tenant's CA explicitly
 * (this jest process was not started with NODE_EXTRA_CA_CERTS) and gets a token like any client.
 */
import { request } from 'node:https';
import type { TenantReady as LocalTenant } from '../../scripts/local-tenant/process';

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

export async function managementApi(tenant: LocalTenant): Promise<ManagementApi> {
  const answer = await raw(tenant, {
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, audience: `https://${tenant.domain}/api/v2/` }).toString(),
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
