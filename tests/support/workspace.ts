/** A throw-away copy of a tenant folder (tenant.yaml, connections/), with its own local tenant state. */
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runScript } from './project-copy';
import { copySample, SAMPLE } from './sample';

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

/** A workspace of the sample (tenant.yaml, its files and its policy), or of another tenant folder's tenant.yaml and connections/. */
export function workspace(from = SAMPLE, options: WorkspaceOptions = {}): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), 'workspace-'));
  if (from === SAMPLE) {
    copySample(dir);
  } else {
    cpSync(path.join(from, 'tenant.yaml'), path.join(dir, 'tenant.yaml'));
    if (existsSync(path.join(from, 'connections'))) cpSync(path.join(from, 'connections'), path.join(dir, 'connections'), { recursive: true });
  }
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
      const policy = options.policy ? ['--policy', options.policy] : [];
      return runScript('deploy.ts', ['--tenant', tenantPath, ...policy, ...args], { cwd: dir, env: { ...options.env, LOCAL_TENANT_DIR: stateDir } });
    },
  };
}
