/**
 * A throw-away copy of the project a fork would have: the sample's tenant.yaml, connections/, environments/,
 * .github/ and policy (tests/support/sample.ts; tests edit them), package.json copied, the code and node_modules linked — so
 * `npm run …` works in it exactly as in the repository. Commands run asynchronously, so local tenants
 * this test process serves can answer them; `runScript` runs one script to its end, for tests whose tenant
 * lives in a process of its own. Every command gets the same environment: nothing of the developer's shell
 * that would point it at another tenant.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/build-actions';
import { scriptCommand } from '../../scripts/lib/script-command';
import { copySample } from './sample';

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Variables a developer's shell may have that would point commands elsewhere. */
const AMBIENT = ['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'NODE_EXTRA_CA_CERTS', 'LOCAL_TENANT_DIR'];

/** The environment a command gets in a test: this process's, without AMBIENT, then `env`. */
export function commandEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...process.env };
  for (const key of AMBIENT) delete result[key];
  return Object.assign(result, env);
}

/** One of the project's scripts (a path under scripts/, or absolute), run to its end in a child process. */
export function runScript(script: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Ran {
  const result = spawnSync(...scriptCommand(script, args), { cwd: options.cwd, env: commandEnv(options.env), encoding: 'utf8', timeout: options.timeoutMs ?? 200_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function runAsync(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Ran> {
  const env = commandEnv(options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export function projectCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'project-'));
  copyFileSync(path.join(PROJECT_ROOT, 'package.json'), path.join(dir, 'package.json'));
  for (const linked of ['node_modules', 'packages', 'scripts', 'tsconfig.json']) symlinkSync(path.join(PROJECT_ROOT, linked), path.join(dir, linked));
  // actions/: the project's code linked, the sample's policy its own.
  mkdirSync(path.join(dir, 'actions'));
  for (const entry of readdirSync(path.join(PROJECT_ROOT, 'actions')).filter((name) => name !== 'policy.ts' && !/\.test\.ts$/.test(name))) {
    symlinkSync(path.join(PROJECT_ROOT, 'actions', entry), path.join(dir, 'actions', entry));
  }
  copySample(dir);
  return dir;
}

/**
 * The project as a fork has it: its own copy of every file (node_modules linked, nothing built yet, no
 * tests unless `{ tests: true }`), so the scripts' PROJECT_ROOT is the copy: `npm start` builds and keeps its
 * tenant there. Its tenant.yaml, policy, environments and workflow are the sample's, whatever this checkout's are.
 */
export function forkCopy(options: { tests?: boolean } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fork-'));
  const skipped = new Set(['node_modules', '.local', 'build', '.git', 'docs']);
  const copied = (source: string) => (options.tests || !/\.test\.ts$/.test(source)) && !/[/\\](\.local|node_modules)$/.test(source);
  for (const entry of readdirSync(PROJECT_ROOT).filter((name) => !skipped.has(name))) {
    cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true, filter: copied });
  }
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  copySample(dir);
  return dir;
}

/** Points an environment file of the copy at another tenant (a local one, in tests). */
export function setDomain(text: string, domain: string): string {
  return text.replace(/^domain: .*$/m, `domain: ${domain}`);
}
