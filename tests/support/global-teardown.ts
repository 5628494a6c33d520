/** Ends the template deploy if it still runs (no suite needed it) and removes the template. */
import type { ChildProcess } from 'node:child_process';
import { removeTemplate, stopTemplate, TEMPLATE_VARIABLE } from './deployed';
import { RUNNING } from './global-setup';

export default function globalTeardown(): void {
  const child = (globalThis as Record<symbol, ChildProcess | undefined>)[RUNNING];
  if (child) stopTemplate(child);
  const root = process.env[TEMPLATE_VARIABLE];
  if (root) removeTemplate(root);
}
