/**
 * `npm run build [-- --env NAME] [--tenant PATH] [--policy PATH]`: builds both Actions and prints each bundle's
 * size against the budget. With --env, tenant.yaml is read as that environment fills its placeholders.
 */
import * as path from 'node:path';
import { commandArgs } from './lib/args';
import { BUNDLE_BUDGET_BYTES, buildActions } from './lib/build-actions';
import { ALL_ENVIRONMENTS, readEnvironment, refuseLiteralCredentials } from './lib/environments';
import { EXIT, ProjectError, runCommand } from './lib/errors';

void runCommand(async () => {
  const { values } = commandArgs('build', 'usage: npm run build -- [--env NAME] [--tenant PATH] [--policy PATH]', { env: { type: 'string' }, tenant: { type: 'string', default: 'tenant.yaml' }, policy: { type: 'string' } });
  if (values.env === ALL_ENVIRONMENTS) throw new ProjectError('usage', 'build takes one environment: the bundles go where a0deploy reads them', { hint: 'e.g. npm run build -- --env staging' });
  const environment = values.env === undefined ? undefined : readEnvironment(values.tenant, values.env);
  if (environment) refuseLiteralCredentials(environment);
  const result = await buildActions({ tenantPath: values.tenant, policyFile: values.policy, environment });
  if (environment) console.log(`built for environment ${environment.name} (${environment.file.displayPath})`);
  for (const action of result.actions) {
    const kb = (action.bytes / 1000).toFixed(1);
    const share = Math.round((action.bytes / BUNDLE_BUDGET_BYTES) * 100);
    console.log(`${path.relative(process.cwd(), action.file).padEnd(40)} ${kb.padStart(6)} KB  (${share}% of the ${BUNDLE_BUDGET_BYTES / 1000} KB budget)  exports ${action.entry.handler}`);
  }
  console.log(`connections inlined: ${Object.keys(result.table).join(', ') || 'none'}`);
  return EXIT.ok;
});
