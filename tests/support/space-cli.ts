/**
 * Commands and a tenant for a workspace (tests/support/workspace.ts): a script of the project run as a
 * child process against the workspace's local tenant, the same tenant opened for a moment in a process of
 * its own, and the Authentication API calls tests seed users with.
 */
import { spawnLocalTenant, type TenantProcess, managementApi, raw, type ManagementApi } from '@auth0-root-attributes/local-tenant';
import { runScript } from './project-copy';
import type { Workspace } from './workspace';

/** `scripts/SCRIPT ARGS --tenant <the workspace's tenant.yaml>`, with the workspace's state and nothing of the developer's shell. */
export function spaceCli(space: Workspace, script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runScript(script, [...args, '--tenant', space.tenantPath], { cwd: space.dir, env: { LOCAL_TENANT_DIR: space.stateDir, ...env } });
}

/** Opens the workspace's local tenant (in a process of its own) for a moment. */
export async function withSpaceTenant<T>(space: Workspace, fn: (api: ManagementApi, tenant: TenantProcess) => Promise<T>): Promise<T> {
  const tenant = await spawnLocalTenant({ stateDir: space.stateDir });
  try {
    return await fn(await managementApi(tenant), tenant);
  } finally {
    await tenant.close();
  }
}

export const postJson = (tenant: TenantProcess, route: string, body: object) => raw(tenant, { method: 'POST', path: route, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The client id of the tenant's Default App (every Auth0 tenant has one). */
export const defaultClientOf = (tenant: TenantProcess) => defaultAppOf(tenant).client_id;

/** The Default App's credentials, as a confidential app sends them with a token request. */
export const defaultAppOf = (tenant: TenantProcess) => {
  const app = tenant.state().clients.find((client) => client.name === 'Default App')!;
  return { client_id: app.client_id, client_secret: app.client_secret };
};
