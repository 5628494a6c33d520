/**
 * A local tenant as one real deploy left it: `npm run deploy` of the sample's tenant.yaml (tests/support/sample.ts), the real a0deploy
 * and all, run once per test run; each test gets its own copy (tenant.yaml, connections/, the built bundles
 * and the tenant's state), so tests stay independent. For suites that need a deployed tenant but are not
 * about deploying: an a0deploy run costs about 30 s of CPU, most of it ajv compiling a0deploy's own schema.
 *
 * The integration project's global set-up (tests/support/global-setup.ts) names the run's template folder and,
 * on a full run, starts the deploy at once beside the first suites. Otherwise the first suite that asks starts
 * it; a lock folder makes sure only one process deploys, and the others wait for its result.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { copySample } from './sample';
import { commandEnv } from './project-copy';
import { workspaceAt, type Workspace, type WorkspaceOptions } from './workspace';
import { scriptCommand } from '../../scripts/lib/script-command';

export const TEMPLATE_VARIABLE = 'ROOT_ATTRIBUTES_TEST_TEMPLATE';

/** How long a suite waits for another process's deploy before it gives up. */
const WAIT_MS = 300_000;

interface Outcome {
  status: number | null;
  output: string;
}

/** The run's template folder: set by the global set-up, or one of this process's own (a run without it). */
function templateRoot(): string {
  const named = process.env[TEMPLATE_VARIABLE];
  if (named) return named;
  return (process.env[TEMPLATE_VARIABLE] = mkdtempSync(path.join(tmpdir(), 'deployed-template-')));
}

const resultFile = (root: string) => path.join(root, 'result.json');
const spaceOf = (root: string) => path.join(root, 'space');

/**
 * Starts the one deploy when no process has yet (the lock is a folder: mkdir either makes it or fails).
 * Returns the running child to the process that started it, undefined to the others.
 */
export function startTemplate(root = templateRoot()): ChildProcess | undefined {
  try {
    mkdirSync(path.join(root, 'lock'));
  } catch {
    return undefined;
  }
  const dir = spaceOf(root);
  mkdirSync(dir, { recursive: true });
  copySample(dir);
  const env = commandEnv({ LOCAL_TENANT_DIR: path.join(dir, 'state') });
  const child = spawn(...scriptCommand('deploy.ts', ['--tenant', path.join(dir, 'tenant.yaml')]), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const settle = (outcome: Outcome) => {
    if (!existsSync(root)) return;
    // Written whole, then renamed: a waiting process never reads half a result.
    writeFileSync(`${resultFile(root)}.partial`, JSON.stringify(outcome));
    renameSync(`${resultFile(root)}.partial`, resultFile(root));
  };
  child.on('error', (error) => settle({ status: null, output: `${output}\n${error.message}` }));
  child.on('close', (status) => settle({ status, output }));
  return child;
}

async function templateOutcome(root: string): Promise<Outcome> {
  const started = startTemplate(root);
  const deadline = Date.now() + WAIT_MS;
  while (!existsSync(resultFile(root))) {
    if (Date.now() > deadline) {
      if (started) stopTemplate(started);
      throw new Error(`the template deploy did not finish within ${WAIT_MS / 1000} s (${root})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return JSON.parse(readFileSync(resultFile(root), 'utf8')) as Outcome;
}

/** A workspace holding its own copy of the tenant one real deploy of tenant.yaml produced. */
export async function deployedWorkspace(options: WorkspaceOptions = {}): Promise<Workspace> {
  const root = templateRoot();
  const outcome = await templateOutcome(root);
  if (outcome.status !== 0) throw new Error(`the deploy every copy starts from failed (exit ${outcome.status}):\n${outcome.output}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'deployed-'));
  cpSync(spaceOf(root), dir, { recursive: true });
  return workspaceAt(dir, options);
}

/** Ends a template deploy and everything it started (tsx, the local tenant, a0deploy: one process group). */
export function stopTemplate(child: ChildProcess): void {
  if (child.exitCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Removes the run's template (the global teardown). */
export function removeTemplate(root: string): void {
  rmSync(root, { recursive: true, force: true });
}
