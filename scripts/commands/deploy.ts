/**
 * `npm run deploy [-- --plan] [--allow-delete] [--tenant PATH] [--policy PATH] [--json]`: build, check
 * (abort on any error), plan against the target, then the real `a0deploy import` — only when the plan
 * has changes. Targets AUTH0_DOMAIN with AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET when set, the local tenant
 * otherwise.
 */
import { parseArgs } from 'node:util';
import { buildAndCheck, deployTo } from '../deploy/run';
import { EXIT, ProjectError, runCommand } from '../lib/errors';
import { openTarget } from '../lib/target';

const USAGE = 'usage: npm run deploy -- [--plan] [--allow-delete] [--tenant PATH] [--policy PATH] [--json]';

void runCommand(async () => {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        plan: { type: 'boolean', default: false },
        'allow-delete': { type: 'boolean', default: false },
        tenant: { type: 'string', default: 'tenant.yaml' },
        policy: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ProjectError('usage', (error as Error).message, { hint: USAGE });
  }
  // With --json, stdout carries only the JSON report; the rest goes to stderr.
  const say = values.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  const warn = (line: string) => console.error(line);
  const options = { tenantPath: values.tenant, policyFile: values.policy, allowDelete: values['allow-delete'], planOnly: values.plan, say, warn };
  if (!(await buildAndCheck(options))) return EXIT.findings;
  const target = await openTarget();
  try {
    const outcome = await deployTo(target, options);
    if (values.json) console.log(JSON.stringify({ deployed: outcome.deployed, plan: outcome.plan }, null, 2));
    return outcome.code;
  } finally {
    await target.close();
  }
});
