/**
 * Trust in the local tenant's certificate for this process, before anything heavy is loaded: the
 * command launchers call this first, then import the command.
 */
import { spawnSync } from 'node:child_process';
import { ensureTlsMaterial } from '@auth0-root-attributes/local-tenant';
import { defaultStateDir } from './local-state';

/**
 * The local tenant's certificate is trusted through NODE_EXTRA_CA_CERTS, which Node reads only at
 * start: when this process was started without it, run the same command again with it set, and exit
 * with that run's code.
 */
export function trustLocalTenantOrRerun(stateDir?: string): void {
  // `--env NAME` and AUTH0_DOMAIN name another tenant: its certificate is trusted as any other.
  const otherTenant = process.env.AUTH0_DOMAIN || process.argv.some((arg) => arg === '--env' || arg.startsWith('--env='));
  if (otherTenant && stateDir === undefined) return;
  const { caPath } = ensureTlsMaterial(stateDir ?? defaultStateDir());
  if (process.env.NODE_EXTRA_CA_CERTS === caPath) return;
  // Ctrl-C reaches the run below too, which stops what it started and says what it got done: this process
  // waits for it rather than leaving it behind.
  const wait = () => {};
  process.on('SIGINT', wait);
  process.on('SIGTERM', wait);
  const result = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath },
  });
  process.exit(result.status ?? (result.signal ? 128 + (result.signal === 'SIGINT' ? 2 : 15) : 1));
}

