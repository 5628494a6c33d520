/**
 * `npm run deploy [-- --plan] [--allow-delete] [--tenant PATH] [--policy PATH] [--json]`: build, check (abort on any
 * error), plan against the target, then the real `a0deploy import` — only when the plan has changes.
 * Targets AUTH0_DOMAIN with AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET when set, the local tenant otherwise.
 */
import { parseArgs } from 'node:util';
import { runCheck } from './check/index';
import { desiredTenant } from './deploy/desired';
import { runA0deploy } from './deploy/a0deploy';
import { readLedger, writeLedger } from './deploy/ledger';
import { liveTenant } from './deploy/live';
import { computePlan, desiredDigests, formatPlan, type Plan } from './deploy/plan';
import { buildActions, loadPolicy } from './lib/build-actions';
import { EXIT, ProjectError, runCommand } from './lib/errors';
import { placeholders } from './lib/keywords';
import { openTarget, trustLocalTenantOrRerun, type Target } from './lib/target';
import { isRecord } from './lib/tenant-model';
import { readTenantFile } from './lib/tenant-yaml';

const SECTIONS = ['actions', 'triggers', 'databases', 'connections'];
const USAGE = 'usage: npm run deploy -- [--plan] [--allow-delete] [--tenant PATH] [--policy PATH] [--json]';

/** Values for the placeholders tenant.yaml names, from the environment; local stand-ins only for the local tenant. */
function keywordMappings(names: readonly string[], target: Target): { mappings: Record<string, string>; standIns: string[] } {
  const mappings: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const value = process.env[name];
    if (value === undefined) missing.push(name);
    else mappings[name] = value;
  }
  if (missing.length > 0 && !target.local) {
    throw new ProjectError('usage', `tenant.yaml needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not set in the environment`, {
      hint: 'set each as an environment variable (a CI secret for a real tenant); nothing was sent',
    });
  }
  for (const name of missing) mappings[name] = `local-${name.toLowerCase()}`;
  return { mappings, standIns: missing };
}

async function planFor(target: Target, tenantPath: string, policyFile: string | undefined, mappings: Record<string, string>, allowDelete: boolean) {
  const policy = loadPolicy(policyFile);
  const desired = desiredTenant(tenantPath, mappings, policy);
  const live = await liveTenant(target.management, Object.keys(desired.triggers), policy);
  return { desired, plan: computePlan(target.label, desired, live, { allowDelete, ledger: readLedger(target.ledgerFile) }) };
}

void runCommand(async () => {
  trustLocalTenantOrRerun();
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
  const say = (line: string) => {
    if (!values.json) console.log(line);
  };
  const allowDelete = values['allow-delete'];

  try {
    const built = await buildActions({ tenantPath: values.tenant, policyFile: values.policy });
    for (const action of built.actions) say(`built ${action.entry.bundle}.js (${(action.bytes / 1000).toFixed(1)} KB)`);
  } catch (error) {
    // A tenant.yaml too broken to build from: the checker says everything that is wrong with it.
    if (!(error instanceof ProjectError && error.code === 'tenant-invalid')) throw error;
  }
  const check = runCheck({ tenantPath: values.tenant, policyFile: values.policy });
  for (const finding of check.findings) {
    const { file, line, col } = finding.location;
    console.error(`${file}:${line}:${col} ${finding.severity} ${finding.code} ${finding.message}\n  hint: ${finding.hint}`);
  }
  if (check.errors > 0) {
    console.error(`deploy aborted: npm run check found ${check.errors} error${check.errors === 1 ? '' : 's'}; nothing was sent`);
    return EXIT.findings;
  }

  const tenant = readTenantFile(values.tenant);
  const sections = SECTIONS.filter((section) => isRecord(tenant.data) && tenant.data[section] !== undefined);
  const target = await openTarget();
  try {
    // Placeholders in values only: a0deploy replaces them in comments too, where they mean nothing.
    const { mappings, standIns } = keywordMappings(placeholders(JSON.stringify(tenant.data)), target);
    if (standIns.length > 0) say(`the local tenant gets stand-in values for ${standIns.join(', ')} (set them in the environment to use your own)`);
    const { desired, plan } = await planFor(target, values.tenant, values.policy, mappings, allowDelete);
    const report = (final: Plan, deployed: boolean) => {
      if (values.json) console.log(JSON.stringify({ deployed, plan: final }, null, 2));
    };
    say(formatPlan(plan));
    if (values.plan) {
      report(plan, false);
      return EXIT.ok;
    }
    if (plan.changes === 0) {
      report(plan, false);
      return EXIT.ok;
    }

    say(`deploying to ${target.label} with a0deploy (sections ${sections.join(', ')}${allowDelete ? ', deletes allowed' : ''})`);
    const code = await runA0deploy({
      tenantPath: values.tenant,
      target,
      mappings,
      sections,
      allowDelete,
      onLine: (line) => (values.json ? console.error(`a0deploy: ${line}`) : console.log(`  a0deploy: ${line}`)),
    });
    if (code !== 0) {
      console.error(`deploy failed: a0deploy exited with code ${code} (its messages are above)`);
      return EXIT.findings;
    }
    writeLedger(target.ledgerFile, desiredDigests(desired));
    const after = (await planFor(target, values.tenant, values.policy, mappings, allowDelete)).plan;
    report(after, true);
    if (after.changes > 0) {
      console.error(`a0deploy finished, but the tenant still differs from tenant.yaml:\n${formatPlan(after)}`);
      return EXIT.findings;
    }
    say(`deployed ${plan.changes} change${plan.changes === 1 ? '' : 's'} to ${target.label}; the tenant now matches tenant.yaml`);
    return EXIT.ok;
  } finally {
    await target.close();
  }
});
