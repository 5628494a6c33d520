/**
 * The local tenant in a process of its own, started by `spawnLocalTenant` (process.ts) over an IPC
 * channel: it tells its parent where it listens, and each Actions flow that ran when asked to.
 * Its parent's end (a message or the channel closing) stops it. Nothing here prints a secret: they
 * travel over the IPC channel only.
 */
import { startLocalTenant } from './index';
import type { TenantReady, TenantMessage } from './process';

const send = (message: TenantMessage) => process.send?.(message);

async function main(): Promise<void> {
  const options = JSON.parse(process.env.LOCAL_TENANT_OPTIONS ?? '{}') as { stateDir: string; port?: number; actionsTimeoutMs?: number; flows?: boolean; dependencyCache?: string; rateLimit?: number };
  const tenant = await startLocalTenant({
    stateDir: options.stateDir,
    dependencyCache: options.dependencyCache,
    port: options.port,
    actionsTimeoutMs: options.actionsTimeoutMs,
    rateLimit: options.rateLimit,
    ...(options.flows ? { onFlow: (trigger, result) => send({ type: 'flow', trigger, result }) } : {}),
  });
  const ready: TenantReady = { domain: tenant.domain, port: tenant.port, clientId: tenant.clientId, clientSecret: tenant.clientSecret, caPath: tenant.caPath, ca: tenant.ca, stateDir: tenant.stateDir };
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await tenant.close();
    process.exit(0);
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'close') void stop();
  });
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  send({ type: 'ready', tenant: ready });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(2);
});
