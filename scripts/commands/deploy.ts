/**
 * `npm run deploy [-- --env NAME] [--plan] [--allow-delete] [--json | --markdown] [--skip-unconfigured]
 * [--tenant PATH] [--policy PATH]`: build, check (abort on any error), plan against the target, then the
 * real `a0deploy import` — only when the plan has changes. The target is the environment's tenant with
 * --env, else AUTH0_DOMAIN with AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET when set, else the local tenant.
 */
import { readPreviousReport } from '../audit/compare';
import { buildAndCheck, deployTo } from '../deploy/run';
import { commandArgs } from '../lib/args';
import { formatPlanMarkdown, planVerdict } from '../deploy/plan';
import { ALL_ENVIRONMENTS, missingCredentials, readEnvironment, refuseLiteralCredentials } from '../lib/environments';
import { EXIT, ProjectError, runCommand } from '../lib/errors';
import { openTarget, requireCredentials } from '../lib/target';

const USAGE = 'usage: npm run deploy -- [--env NAME] [--plan] [--allow-delete] [--json | --markdown] [--skip-unconfigured] [--audit-report REPORT.json] [--tenant PATH] [--policy PATH]';

void runCommand(async () => {
  const { values } = commandArgs('deploy', USAGE, {
    env: { type: 'string' },
    plan: { type: 'boolean', default: false },
    'allow-delete': { type: 'boolean', default: false },
    'skip-unconfigured': { type: 'boolean', default: false },
    tenant: { type: 'string', default: 'tenant.yaml' },
    policy: { type: 'string' },
    json: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    'audit-report': { type: 'string' },
  });
  if (values.json && values.markdown) throw new ProjectError('usage', '--json and --markdown exclude each other', { hint: USAGE });
  if (values.env === ALL_ENVIRONMENTS) throw new ProjectError('usage', 'deploy takes one environment at a time, in promotion order', { hint: 'e.g. npm run deploy -- --env staging' });
  if (values['skip-unconfigured'] && !(values.plan && values.env)) {
    throw new ProjectError('usage', '--skip-unconfigured goes with --plan and --env: a deploy is never skipped quietly', { hint: USAGE });
  }
  const environment = values.env === undefined ? undefined : readEnvironment(values.tenant, values.env);
  if (environment) refuseLiteralCredentials(environment);
  // With --json or --markdown, stdout carries only the report; the rest goes to stderr.
  const report = values.json || values.markdown;
  const say = report ? (line: string) => console.error(line) : (line: string) => console.log(line);
  const warn = (line: string) => console.error(line);

  if (environment && values['skip-unconfigured']) {
    const missing = missingCredentials(environment);
    if (missing.length > 0) {
      const note = `Plan for environment ${environment.name} skipped: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set (configure ${missing.length === 1 ? 'it' : 'them'} as repository secrets; see the README's "Teams" section).`;
      if (values.markdown) console.log(`## Plan for environment ${environment.name}\n\n${note}`);
      else if (values.json) console.log(JSON.stringify({ environment: environment.name, skipped: true, missing }, null, 2));
      else console.log(note);
      return EXIT.ok;
    }
  }

  if (environment) requireCredentials(environment);
  // An audit report says how many users have no record yet: the plan tells it beside the changes.
  const audited = values['audit-report'] === undefined ? undefined : readPreviousReport(values['audit-report']);
  const users = audited?.users ? { users: audited.users.users, recorded: audited.users.recorded ?? 0, at: audited.generatedAt ?? 'an undated report' } : undefined;
  const options = { tenantPath: values.tenant, policyFile: values.policy, environment, allowDelete: values['allow-delete'], planOnly: values.plan, users, say, warn };
  if (!(await buildAndCheck(options))) return EXIT.findings;
  const target = await openTarget(environment);
  try {
    const outcome = await deployTo(target, options);
    if (values.json) console.log(JSON.stringify({ ...(environment ? { environment: environment.name } : {}), deployed: outcome.deployed, plan: outcome.plan }, null, 2));
    if (values.markdown && outcome.plan) {
      const result = values.plan ? '' : outcome.code === EXIT.ok ? (outcome.deployed ? `\n\nDeployed: ${planVerdict(outcome.plan, true)}.` : '') : '\n\n**The deploy failed**: see the job log.';
      console.log(`${formatPlanMarkdown(outcome.applied ?? outcome.plan)}${result}`);
    }
    return outcome.code;
  } finally {
    await target.close();
  }
});
