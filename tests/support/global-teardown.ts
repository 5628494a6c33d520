/** Ends the template deploy if it still runs (no suite needed it), removes the template and the run's temporary folder. */
import type { ChildProcess } from 'node:child_process';
import { removeTemplate, stopTemplate, TEMPLATE_VARIABLE } from './deployed';
import { RUNNING } from './global-setup';
import { leaveRunTemp } from './run-temp';

export default function globalTeardown(): void {
  const child = (globalThis as Record<symbol, ChildProcess | undefined>)[RUNNING];
  if (child) stopTemplate(child);
  const root = process.env[TEMPLATE_VARIABLE];
  if (root) removeTemplate(root);
  leaveRunTemp();
}
