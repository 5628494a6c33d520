/**
 * The one Actions runtime: the test kit's loader, the local tenant and the benchmarks run Actions through
 * it. Flows run on worker threads, each Action in an isolated context (sandbox.ts); a flow that passes
 * the time limit (20 s by default, Auth0's) fails, its worker is replaced, and this process stays free
 * to answer other requests meanwhile.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { emptyResult, type FlowRequest, type FlowResult } from './flow';

export type { DeployedAction, FlowRequest, FlowResult, Trigger } from './flow';

export const DEFAULT_TIMEOUT_MS = 20_000;

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

interface Pending {
  resolve: (result: FlowResult) => void;
  timer: NodeJS.Timeout;
  actionNames: string[];
}

class Slot {
  worker: Worker;
  pending = new Map<number, Pending>();

  constructor(private readonly onExit: (slot: Slot) => void) {
    this.worker = this.start();
  }

  private start(): Worker {
    const worker = new Worker(source(), { eval: true });
    worker.unref();
    worker.on('message', (message: { id: number; result?: FlowResult; error?: string }) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      pending.resolve(message.result ?? { ...emptyResult(), outcome: 'failed', failure: { action: '', kind: 'error', message: message.error ?? 'unknown error' } });
    });
    worker.on('error', () => this.fail('error', 'the Actions runtime worker crashed'));
    worker.on('exit', () => this.onExit(this));
    return worker;
  }

  fail(kind: 'error' | 'timeout', message: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ ...emptyResult(), outcome: 'failed', failure: { action: pending.actionNames.join(', '), kind, message } });
      this.pending.delete(id);
    }
  }
}

export interface RuntimeOptions {
  /** Time limit of one flow; 20 s by default, as Auth0's. */
  timeoutMs?: number;
  /** Worker threads: flows beyond this many at once wait for a free one. */
  workers?: number;
}

export class ActionsRuntime {
  readonly timeoutMs: number;
  private readonly slots: Slot[] = [];
  private next = 0;
  private nextId = 1;
  private closed = false;

  private readonly workerCount: number;

  constructor(options: RuntimeOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.workerCount = Math.max(1, options.workers ?? 2);
  }

  private slot(): Slot {
    return new Slot((exited) => {
      exited.fail('error', 'the Actions runtime worker stopped');
      this.replace(exited);
    });
  }

  /** Puts a fresh worker in a slot's place (before the old one is gone, so no flow is sent to it). */
  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0 && !this.closed) this.slots[index] = this.slot();
  }

  /** The least busy worker; the workers start with the first flow (a tenant that only deploys needs none). */
  private pick(): Slot {
    while (this.slots.length < this.workerCount) this.slots.push(this.slot());
    let best = this.slots[this.next % this.slots.length] as Slot;
    for (const slot of this.slots) if (slot.pending.size < best.pending.size) best = slot;
    this.next++;
    return best;
  }

  /** Runs a flow; never rejects: an Action that throws or runs too long gives outcome `failed`. */
  run(request: FlowRequest): Promise<FlowResult> {
    if (request.actions.length === 0) return Promise.resolve(emptyResult());
    const slot = this.pick();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // The worker may be stuck in a loop: stop it (with every flow it had) and start a fresh one.
        this.replace(slot);
        slot.fail('timeout', `Script execution time exceeded (${this.timeoutMs} ms)`);
        void slot.worker.terminate();
      }, this.timeoutMs);
      slot.pending.set(id, { resolve, timer, actionNames: request.actions.map((action) => action.name) });
      slot.worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
