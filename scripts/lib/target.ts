/**
 * Where commands send their Management API calls: an environment's tenant (`--env NAME`), else the tenant
 * named by AUTH0_DOMAIN (with AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET) when it is set, else the local
 * tenant — started on demand and stopped afterwards.
 */
import * as path from 'node:path';
import { ManagementClient } from 'auth0';
import { runningTenant, startLocalTenant, type LocalTenant } from '@auth0-root-attributes/local-tenant';
import { defaultStateDir } from './local-state';
import { PROJECT_ROOT } from './build-actions';
import { missingCredentials, type Environment } from './environments';
import { ProjectError } from './errors';

export interface Target {
  domain: string;
  clientId: string;
  clientSecret: string;
  /** Set for the local tenant: the CA child processes must trust. */
  caPath: string | undefined;
  local: boolean;
  /** A label for output: never a secret. */
  label: string;
  management: ManagementClient;
  /** Where this checkout records what it last deployed to this target (to tell drift from change). */
  ledgerFile: string;
  close(): Promise<void>;
}

export async function openTarget(environment?: Environment): Promise<Target> {
  if (environment) return environmentTarget(environment);
  const domain = process.env.AUTH0_DOMAIN;
  if (domain) {
    const clientId = process.env.AUTH0_CLIENT_ID;
    const clientSecret = process.env.AUTH0_CLIENT_SECRET;
    if (!clientId || !clientSecret) {
      throw new ProjectError('usage', 'AUTH0_DOMAIN is set but AUTH0_CLIENT_ID or AUTH0_CLIENT_SECRET is not', {
        hint: 'set all three for a real tenant, or unset AUTH0_DOMAIN to use the local tenant',
      });
    }
    if (/^https?:\/\//.test(domain)) throw new ProjectError('usage', 'AUTH0_DOMAIN must be a host name without https://', { hint: 'e.g. AUTH0_DOMAIN=my-tenant.eu.auth0.com' });
    return remoteTarget(domain, clientId, clientSecret, domain);
  }
  const stateDir = defaultStateDir();
  // A tenant `npm run tenant` serves from the same folder is used as it runs: its state is that process's.
  const running = runningTenant(stateDir);
  if (running) return runningTarget(stateDir, running);
  return localTarget(await startLocalTenant({ stateDir }));
}

/** The local tenant another process (`npm run tenant`) serves from `stateDir`: used, never stopped. */
function runningTarget(stateDir: string, running: { pid: number; port: number; clientId: string; clientSecret: string }): Target {
  const domain = `127.0.0.1:${running.port}`;
  return {
    domain,
    clientId: running.clientId,
    clientSecret: running.clientSecret,
    caPath: path.join(stateDir, 'ca.pem'),
    local: true,
    label: `the local tenant npm run tenant serves (${domain}, state in ${stateDir})`,
    management: managementClient(domain, running.clientId, running.clientSecret),
    ledgerFile: path.join(stateDir, 'deployments.json'),
    close: async () => {},
  };
}

/**
 * Auth0 answers 429 when a tenant's Management API rate limit is spent, with the second it refills in
 * X-RateLimit-Reset; the SDK waits for it before each retry. Enough retries that a command sharing the limit with
 * other clients waits its turn instead of failing.
 */
const RATE_LIMIT_RETRIES = 10;

function managementClient(domain: string, clientId: string, clientSecret: string): ManagementClient {
  return new ManagementClient({ domain, clientId, clientSecret, maxRetries: RATE_LIMIT_RETRIES });
}

function remoteTarget(domain: string, clientId: string, clientSecret: string, label: string, ledgerFile?: string): Target {
  return {
    domain, clientId, clientSecret, caPath: process.env.NODE_EXTRA_CA_CERTS, local: false, label,
    management: managementClient(domain, clientId, clientSecret),
    ledgerFile: ledgerFile ?? path.join(PROJECT_ROOT, '.local', 'deployments', `${domain.replace(/[^A-Za-z0-9.-]/g, '_')}.json`),
    close: async () => {},
  };
}

/** Thrown when an environment's credentials are not in the environment variables it names. */
export class UnconfiguredEnvironment extends ProjectError {
  constructor(readonly environment: string, readonly variables: readonly string[]) {
    super('usage', `environment ${environment} is not configured: ${variables.join(' and ')} ${variables.length === 1 ? 'is' : 'are'} not set`, {
      hint: 'set them to the deploy client\'s id and secret (in CI: repository secrets, see the README\'s "Teams" section); nothing was sent',
    });
  }
}

/** Refuses, before anything is built or sent, an environment whose credential variables are not set. */
export function requireCredentials(environment: Environment): void {
  const missing = missingCredentials(environment);
  if (missing.length > 0) throw new UnconfiguredEnvironment(environment.name, missing);
}

/** The tenant an environment names, with the credentials from the variables it names. */
export function environmentTarget(environment: Environment): Target {
  const { domain } = environment;
  if (!domain) throw new ProjectError('usage', `${environment.file.displayPath} names no domain`, { hint: `run npm run check -- --env ${environment.name}` });
  requireCredentials(environment);
  const clientId = process.env[environment.credentials.clientId ?? ''] ?? '';
  const clientSecret = process.env[environment.credentials.clientSecret ?? ''] ?? '';
  // Beside tenant.yaml (environments/ is in its folder), per environment and tenant.
  const ledger = path.join(path.dirname(environment.file.dir), '.local', 'deployments', `${environment.name}-${domain.replace(/[^A-Za-z0-9.-]/g, '_')}.json`);
  return remoteTarget(domain, clientId, clientSecret, `environment ${environment.name} (${domain})`, ledger);
}

/** A target for a local tenant this process started; closing the target stops the tenant. */
export function localTarget(tenant: LocalTenant): Target {
  return {
    domain: tenant.domain,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    caPath: tenant.caPath,
    local: true,
    label: `the local tenant (${tenant.domain}, state in ${tenant.stateDir})`,
    management: managementClient(tenant.domain, tenant.clientId, tenant.clientSecret),
    ledgerFile: path.join(tenant.stateDir, 'deployments.json'),
    close: () => tenant.close(),
  };
}
