/**
 * The local tenant in a child process: what the tests use (oidc-provider is ESM-only and cannot load
 * inside Jest on Node 20) and what a command uses when it wants the tenant out of its own process. The
 * handle offers what the in-process one does, with the state read from the state folder, where the
 * tenant writes it atomically after every change.
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { readStateFile } from './database';
import type { FlowResult, Trigger } from '@auth0-root-attributes/actions-runtime';
import type { TenantSnapshot } from './state';

export interface TenantReady {
  /** `127.0.0.1:<port>`: what AUTH0_DOMAIN would be (a0deploy and the SDK add https://). */
  domain: string;
  port: number;
  clientId: string;
  clientSecret: string;
  /** The CA to trust (NODE_EXTRA_CA_CERTS), and its PEM text. */
  caPath: string;
  ca: string;
  stateDir: string;
}

export type TenantMessage =
  | { type: 'ready'; tenant: TenantReady }
  | { type: 'flow'; trigger: Trigger; result: FlowResult }
  | { type: 'failed'; message: string };

export interface TenantProcess extends TenantReady {
  /** The tenant's state as last saved. */
  state(): TenantSnapshot;
  /** Process id of the tenant, e.g. to kill it mid-write. */
  pid: number;
  close(): Promise<void>;
}

export interface SpawnOptions {
  /** Where state and TLS material live (created when missing). */
  stateDir: string;
  port?: number;
  actionsTimeoutMs?: number;
  onFlow?: (trigger: Trigger, result: FlowResult) => void;
  /** Extra environment for the tenant process. */
  env?: NodeJS.ProcessEnv;
  /** Where actions' npm dependencies are installed (shared between tenants); the state folder's by default. */
  dependencyCache?: string;
  /** Management API requests a second before it answers 429 (LOCAL_TENANT_RATE_LIMIT, else 1000). */
  rateLimit?: number;
}

const SERVE = path.join(__dirname, 'serve.ts');
// tsx's CommonJS hook: this package is CommonJS (oidc-provider, ESM-only, is loaded with import()).
const TSX = require.resolve('tsx/cjs');

export function spawnLocalTenant(options: SpawnOptions): Promise<TenantProcess> {
  const settings = { stateDir: options.stateDir, port: options.port, actionsTimeoutMs: options.actionsTimeoutMs, flows: options.onFlow !== undefined, dependencyCache: options.dependencyCache, rateLimit: options.rateLimit };
  const child = fork(SERVE, [], {
    execArgv: ['--require', TSX, '--no-warnings=ExperimentalWarning'],
    env: { ...process.env, ...options.env, LOCAL_TENANT_OPTIONS: JSON.stringify(settings) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the local tenant process exited (${code ?? 'signal'}) before it was ready`)));
    child.on('message', (message: TenantMessage) => {
      if (message.type === 'failed') reject(new Error(`the local tenant did not start: ${message.message}`));
      if (message.type === 'flow') options.onFlow?.(message.trigger, message.result);
      if (message.type !== 'ready') return;
      const ready = message.tenant;
      resolve({
        ...ready,
        pid: child.pid ?? 0,
        state: () => readStateFile(ready.stateDir),
        close: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            // A child killed a moment ago may still look connected: a failed send falls back to a signal.
            if (child.connected) child.send({ type: 'close' }, (error) => error && child.kill('SIGTERM'));
            else child.kill('SIGTERM');
          }
          await exited;
        },
      });
    });
  });
}
