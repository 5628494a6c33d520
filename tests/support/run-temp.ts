/**
 * One temporary folder per test run, removed when the run ends: every suite's `mkdtemp(tmpdir())`, and every
 * command, tenant and a0deploy the suites start (they inherit TMPDIR), write inside it, so a run leaves nothing
 * behind in the system's temporary folder. Both projects' global set-ups call `enterRunTemp`; the first one
 * makes the folder, the others share it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const RUN_TEMP = 'ROOT_ATTRIBUTES_TEST_TMP';
/** How many projects use the folder: jest may tear one project down while another still runs. */
const USERS = Symbol.for('root-attributes.run-temp-users');
const holder = globalThis as Record<symbol, number | undefined>;

export function enterRunTemp(): void {
  holder[USERS] = (holder[USERS] ?? 0) + 1;
  if (process.env[RUN_TEMP]) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'root-attributes-tests-'));
  process.env[RUN_TEMP] = dir;
  process.env.TMPDIR = dir;
}

/** Removes the folder when the last project that entered it leaves. */
export function leaveRunTemp(): void {
  holder[USERS] = Math.max(0, (holder[USERS] ?? 1) - 1);
  const dir = process.env[RUN_TEMP];
  if (!dir || holder[USERS] > 0) return;
  // A process a suite left to end on its own may still be writing: a few tries.
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
