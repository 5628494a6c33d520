/** `npm run build [-- --tenant PATH] [--policy PATH]`: builds both Actions and prints each bundle's size against the budget. */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { BUNDLE_BUDGET_BYTES, buildActions } from './lib/build-actions';
import { EXIT, ProjectError, runCommand } from './lib/errors';

void runCommand(async () => {
  let values;
  try {
    ({ values } = parseArgs({ options: { tenant: { type: 'string', default: 'tenant.yaml' }, policy: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new ProjectError('usage', (error as Error).message, { hint: 'usage: npm run build -- [--tenant PATH] [--policy PATH]' });
  }
  const result = await buildActions({ tenantPath: values.tenant, policyFile: values.policy });
  for (const action of result.actions) {
    const kb = (action.bytes / 1000).toFixed(1);
    const share = Math.round((action.bytes / BUNDLE_BUDGET_BYTES) * 100);
    console.log(`${path.relative(process.cwd(), action.file).padEnd(40)} ${kb.padStart(6)} KB  (${share}% of the ${BUNDLE_BUDGET_BYTES / 1000} KB budget)  exports ${action.entry.handler}`);
  }
  console.log(`connections inlined: ${Object.keys(result.table).join(', ') || 'none'}`);
  return EXIT.ok;
});
