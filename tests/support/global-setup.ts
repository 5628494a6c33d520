/**
 * The integration project's set-up: the run's own temporary folder (run-temp.ts); names the run's deployed-tenant template (tests/support/deployed.ts) and,
 * on a run of the whole project, starts its one real deploy now, so it runs beside the first suites instead
 * of in front of the suite that first needs it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startTemplate, TEMPLATE_VARIABLE } from './deployed';
import { enterRunTemp } from './run-temp';

export const RUNNING = Symbol.for('root-attributes.template-deploy');

export default function globalSetup(globalConfig: { testPathPatterns?: { isSet(): boolean } }): void {
  enterRunTemp();
  const root = mkdtempSync(path.join(tmpdir(), 'deployed-template-'));
  process.env[TEMPLATE_VARIABLE] = root;
  if (globalConfig.testPathPatterns?.isSet()) return;
  (globalThis as Record<symbol, ChildProcess | undefined>)[RUNNING] = startTemplate(root);
}
