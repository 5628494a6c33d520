/** A throw-away copy of a tenant folder (tenant.yaml, connections/), with its own local tenant state. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/build-actions';
import { scriptCommand } from '../../scripts/lib/script-command';

export interface Workspace {
  dir: string;
  tenantPath: string;
  stateDir: string;
  /** Runs `npm run deploy` (scripts/deploy.ts) against this workspace's local tenant. */
  deploy(...args: string[]): { status: number | null; stdout: string; stderr: string };
}

export interface WorkspaceOptions {
  policy?: string;
  env?: NodeJS.ProcessEnv;
}

/** Variables a developer's shell may have that would point a command at another tenant. */
export const AMBIENT_TARGET = ['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'NODE_EXTRA_CA_CERTS'];

export function workspace(from = PROJECT_ROOT, options: WorkspaceOptions = {}): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), 'workspace-'));
  cpSync(path.join(from, 'tenant.yaml'), path.join(dir, 'tenant.yaml'));
  if (existsSync(path.join(from, 'connections'))) cpSync(path.join(from, 'connections'), path.join(dir, 'connections'), { recursive: true });
  return workspaceAt(dir, options);
}

/** A workspace in a folder that already holds its tenant.yaml (and its state, when it has been deployed to). */
export function workspaceAt(dir: string, options: WorkspaceOptions = {}): Workspace {
  const tenantPath = path.join(dir, 'tenant.yaml');
  const stateDir = path.join(dir, 'state');
  return {
    dir,
    tenantPath,
    stateDir,
    deploy(...args) {
      const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, LOCAL_TENANT_DIR: stateDir };
      for (const key of AMBIENT_TARGET) delete env[key];
      const policy = options.policy ? ['--policy', options.policy] : [];
      const result = spawnSync(...scriptCommand('deploy.ts', ['--tenant', tenantPath, ...policy, ...args]), {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 200_000,
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
  };
}
