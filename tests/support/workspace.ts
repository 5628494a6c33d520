/** A throw-away copy of a tenant folder (tenant.yaml, connections/), with its own local tenant state. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/build-actions';

export interface Workspace {
  dir: string;
  tenantPath: string;
  stateDir: string;
  /** Runs `npm run deploy` (scripts/deploy.ts) against this workspace's local tenant. */
  deploy(...args: string[]): { status: number | null; stdout: string; stderr: string };
}

export function workspace(from = PROJECT_ROOT, options: { policy?: string; env?: NodeJS.ProcessEnv } = {}): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), 'workspace-'));
  const tenantPath = path.join(dir, 'tenant.yaml');
  const stateDir = path.join(dir, 'state');
  cpSync(path.join(from, 'tenant.yaml'), tenantPath);
  if (existsSync(path.join(from, 'connections'))) cpSync(path.join(from, 'connections'), path.join(dir, 'connections'), { recursive: true });
  return {
    dir,
    tenantPath,
    stateDir,
    deploy(...args) {
      const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, LOCAL_TENANT_DIR: stateDir };
      for (const key of ['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'NODE_EXTRA_CA_CERTS']) delete env[key];
      const policy = options.policy ? ['--policy', options.policy] : [];
      const result = spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(PROJECT_ROOT, 'scripts', 'deploy.ts'), '--tenant', tenantPath, ...policy, ...args], {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 200_000,
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
  };
}
