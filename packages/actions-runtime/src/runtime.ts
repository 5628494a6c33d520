/**
 * The one Actions runtime: the test kit's loader, the local tenant and the benchmarks run Actions through
 * it. Flows run in child processes (worker-main.ts), one flow at a time in each, each Action in a context
 * of its own (sandbox.ts). A child holds nothing of the process that started it: an empty environment
 * (bar the CA to trust), its own working folder, and Node's permission model allowing reads of its code
 * and the dependency cache only. A flow that passes the time limit (20 s by default, Auth0's) fails alone:
 * its child is killed and flows in other children go on.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { CacheEntries } from './api';
import { emptyResult, type FlowRequest, type FlowResult } from './flow';

export type { DeployedAction, FlowRequest, FlowResult, Trigger } from './flow';
import { defaultDependencyCache } from './dependencies';
export { defaultDependencyCache, installDependencies, declaredDependencies, type DeclaredDependency } from './dependencies';

export const DEFAULT_TIMEOUT_MS = 20_000;
/** Heap of one worker process, in MB. */
export const DEFAULT_MEMORY_MB = 256;

let workerSource: string | undefined;

/** The worker's code: worker-main.ts and what it imports, bundled once per process (TypeScript in, CommonJS out). */
function source(): string {
  workerSource ??= esbuild.buildSync({
    entryPoints: [path.join(__dirname, 'worker-main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]?.text;
  if (!workerSource) throw new Error('could not build the Actions runtime worker');
  return workerSource;
}

/** Node 22 names the permission model `--permission`; Node 20 `--experimental-permission`. */
const PERMISSION_FLAG = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';

type ChildMessage =
  | { type: 'action'; token: string; name: string }
  | { type: 'result'; token: string; result?: FlowResult; error?: string }
  | { type: 'crashed'; message: string };

interface Job {
  request: FlowRequest;
  resolve: (result: FlowResult) => void;
}

/** One worker process and the flow it runs, if any. */
class Worker {
  readonly child: ChildProcess;
  private job: { token: string; resolve: (result: FlowResult) => void; timer: NodeJS.Timeout; action: string } | undefined;
  private ended = false;

  constructor(
    files: { script: string; cwd: string; dependencyCache: string; caPath?: string },
    memoryMb: number,
    private readonly timeoutMs: number,
    private readonly onIdle: (worker: Worker) => void,
    private readonly onGone: (worker: Worker) => void,
  ) {
    this.child = fork(files.script, [files.dependencyCache], {
      cwd: files.cwd,
      env: files.caPath ? { NODE_EXTRA_CA_CERTS: files.caPath } : {},
      execArgv: [
        PERMISSION_FLAG,
        `--allow-fs-read=${files.script}`,
        `--allow-fs-read=${files.dependencyCache}${path.sep}*`,
        `--max-old-space-size=${memoryMb}`,
        '--no-warnings',
      ],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    this.child.on('message', (message: ChildMessage) => this.receive(message));
    this.child.on('error', () => this.end('error', 'the Actions runtime worker could not run'));
    this.child.on('exit', (code, signal) => this.end('error', signal === 'SIGKILL' || code === null ? 'the Actions runtime worker was stopped' : 'the Actions runtime worker exited'));
    this.idle();
  }

  get busy(): boolean {
    return this.job !== undefined;
  }

  run(request: FlowRequest, resolve: (result: FlowResult) => void): void {
    const token = randomUUID();
    // A flow under way keeps the process that started it alive (an idle worker does not).
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
    const timer = setTimeout(() => {
      // The flow may be stuck in a loop: this worker goes, with the one flow it had.
      this.end('timeout', `Script execution time exceeded (${this.timeoutMs} ms)`);
      this.child.kill('SIGKILL');
    }, this.timeoutMs);
    this.job = { token, resolve, timer, action: request.resumeAt ?? request.actions[0]?.name ?? '' };
    this.child.send({ type: 'run', token, request });
  }

  private receive(message: ChildMessage): void {
    const job = this.job;
    if (!job) return;
    if (message.type === 'crashed') {
      this.end('error', message.message);
      return;
    }
    if (message.token !== job.token) return;
    if (message.type === 'action') {
      job.action = message.name;
      return;
    }
    clearTimeout(job.timer);
    this.job = undefined;
    job.resolve(message.result ?? failed(job.action, 'error', message.error ?? 'unknown error'));
    this.idle();
    this.onIdle(this);
  }

  private idle(): void {
    // An idle worker does not keep the process that started it alive.
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  /** The worker is done for: its flow (if any) fails with `kind`, and the pool forgets it. */
  end(kind: 'error' | 'timeout', message: string): void {
    const job = this.job;
    this.job = undefined;
    if (job) {
      clearTimeout(job.timer);
      job.resolve(failed(job.action, kind, message));
    }
    if (this.ended) return;
    this.ended = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.onGone(this);
  }
}

function failed(action: string, kind: 'error' | 'timeout', message: string): FlowResult {
  return { ...emptyResult(), outcome: 'failed', failure: { action, kind, message } };
}

export interface RuntimeOptions {
  /** Time limit of one flow; 20 s by default, as Auth0's. */
  timeoutMs?: number;
  /** Worker processes: flows beyond this many at once wait for a free one. */
  workers?: number;
  /** Heap limit of each worker, in MB. */
  memoryMb?: number;
  /** Where declared dependencies are installed (installDependencies); `.local/action-dependencies` by default. */
  dependencyCache?: string;
  /** A CA certificate (PEM file) Actions trust for HTTPS, e.g. the local tenant's. */
  caPath?: string;
}

export class ActionsRuntime {
  readonly timeoutMs: number;
  readonly dependencyCache: string;
  private readonly workers: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly maxWorkers: number;
  private readonly memoryMb: number;
  private readonly caPath: string | undefined;
  private files: { script: string; cwd: string; dir: string } | undefined;
  private closed = false;
  /** `api.cache` entries by action name, kept across executions as Auth0 keeps them (in memory, best effort). */
  private readonly caches = new Map<string, CacheEntries>();

  constructor(options: RuntimeOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxWorkers = Math.max(1, options.workers ?? 4);
    this.memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
    this.dependencyCache = path.resolve(options.dependencyCache ?? defaultDependencyCache());
    this.caPath = options.caPath;
  }

  /** The worker's script and working folder, written at the first flow (a tenant that only deploys needs none). */
  private workerFiles() {
    if (!this.files) {
      const dir = mkdtempSync(path.join(tmpdir(), 'actions-runtime-'));
      const script = path.join(dir, 'worker.cjs');
      writeFileSync(script, source(), { mode: 0o600 });
      const cwd = path.join(dir, 'work');
      mkdirSync(cwd, { mode: 0o700 });
      mkdirSync(this.dependencyCache, { recursive: true, mode: 0o700 });
      this.files = { script, cwd, dir };
    }
    return { ...this.files, dependencyCache: this.dependencyCache, caPath: this.caPath };
  }

  private spawn(): Worker {
    const worker = new Worker(
      this.workerFiles(),
      this.memoryMb,
      this.timeoutMs,
      (idle) => this.dispatch(idle),
      (gone) => {
        const index = this.workers.indexOf(gone);
        if (index >= 0) this.workers.splice(index, 1);
        this.drain();
      },
    );
    this.workers.push(worker);
    return worker;
  }

  private dispatch(worker: Worker): void {
    const job = this.queue.shift();
    if (job && !this.closed) worker.run(job.request, job.resolve);
  }

  /** Gives waiting flows to idle workers, starting workers up to the limit. */
  private drain(): void {
    while (this.queue.length > 0 && !this.closed) {
      const worker = this.workers.find((candidate) => !candidate.busy) ?? (this.workers.length < this.maxWorkers ? this.spawn() : undefined);
      if (!worker) return;
      this.dispatch(worker);
    }
  }

  /** Runs a flow; never rejects: an Action that throws, crashes its worker or runs too long gives outcome `failed`. */
  run(request: FlowRequest): Promise<FlowResult> {
    if (request.actions.length === 0) return Promise.resolve(emptyResult());
    if (this.closed) return Promise.resolve(failed('', 'error', 'the Actions runtime is closed'));
    const caches = Object.fromEntries(request.actions.flatMap((action) => {
      const entries = this.caches.get(action.name);
      return entries ? [[action.name, entries]] : [];
    }));
    return new Promise((resolve) => {
      this.queue.push({
        request: { ...request, caches },
        resolve: (result) => {
          for (const [name, entries] of Object.entries(result.caches ?? {})) this.caches.set(name, entries);
          resolve(result);
        },
      });
      this.drain();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve(failed('', 'error', 'the Actions runtime is closed'));
    const exits = this.workers.map((worker) => new Promise<void>((resolve) => {
      if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
        resolve();
        return;
      }
      // Waiting for a worker to end keeps this process alive (an idle worker's handle is unref'd).
      worker.child.ref();
      worker.child.once('exit', () => resolve());
    }));
    for (const worker of [...this.workers]) worker.end('error', 'the Actions runtime is closed');
    await Promise.all(exits);
    if (this.files) rmSync(this.files.dir, { recursive: true, force: true });
  }
}
