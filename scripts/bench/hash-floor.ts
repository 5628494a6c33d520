/**
 * The floor under a password login: the tenant's own password hash (scrypt at its cost, on libuv's thread
 * pool), one at a time and as many at once as the pool runs — what no login can be quicker or more
 * frequent than.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { hashPassword } from '@auth0-root-attributes/local-tenant';
import { distribution, type Distribution } from './stats';

export interface HashFloor {
  /** One hash at a time. */
  single: Distribution;
  /** Hashes per second with every core busy. */
  perSecond: number;
}

export async function hashFloor(durationMs = 2_000): Promise<HashFloor> {
  for (let i = 0; i < 5; i++) await hashPassword('warm up');
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = process.hrtime.bigint();
    await hashPassword('a long enough password for the bench');
    samples.push(Number(process.hrtime.bigint() - started));
  }
  // As many hashes in flight as there are cores (libuv's pool has four threads, more than these machines' cores).
  let done = 0;
  const started = Date.now();
  const lane = async () => {
    while (Date.now() - started < durationMs) {
      await hashPassword('a long enough password for the bench');
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, lane));
  return { single: distribution(samples), perSecond: done / ((Date.now() - started) / 1000) };
}

/** CPU time (user + system, ms) of a process's main thread so far: Linux's /proc/PID/task/PID/stat. */
export function mainThreadCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): utime is 14th, stime 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // Linux counts them in USER_HZ, 100 a second on every architecture Node runs on.
    return ticks * 10;
  } catch {
    return undefined;
  }
}
