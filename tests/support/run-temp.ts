/**
 * One temporary folder per test run, removed when the run ends: every suite's `mkdtemp(tmpdir())`, and every
 * command, tenant and a0deploy the suites start (they inherit TMPDIR), write inside it, so a run leaves nothing
 * behind in the system's temporary folder. Both projects' global set-ups call `enterRunTemp` in jest's main
 * process; the first makes the folder, the other shares it, and the last to leave removes it. A jest run a test
 * starts (a fork's own tests) is another process: it makes its own folder inside this one, and removes only that.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const FOLDER = Symbol.for('root-attributes.run-temp');
const USERS = Symbol.for('root-attributes.run-temp-users');
const holder = globalThis as Record<symbol, unknown>;

export function enterRunTemp(): void {
  holder[USERS] = Number(holder[USERS] ?? 0) + 1;
  if (typeof holder[FOLDER] === 'string') return;
  const dir = mkdtempSync(path.join(tmpdir(), 'root-attributes-tests-'));
  holder[FOLDER] = dir;
  process.env.TMPDIR = dir;
}

/** Removes the folder when the last project that entered it leaves. */
export function leaveRunTemp(): void {
  holder[USERS] = Math.max(0, Number(holder[USERS] ?? 1) - 1);
  const dir = holder[FOLDER];
  if (typeof dir !== 'string' || Number(holder[USERS]) > 0) return;
  // A process a suite left to end on its own may still be writing: a few tries.
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
