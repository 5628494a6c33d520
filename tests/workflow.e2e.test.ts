/**
 * The CI workflow forks run (.github/workflows/root-attributes.yml): valid YAML, every command it runs
 * exists, and the same sequence of commands run here against three local tenants standing in for
 * development, staging and production — with GitHub's rules for job order (`needs`), job and step
 * conditions, secrets (an unset one is an empty string) and the job summary file.
 *
 * Not run here: `uses:` steps (checkout and setup: the project copy is already set up). `npm test` (this
 * suite is part of it) is replaced by the one part of it later steps read: `npm run build`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../scripts/lib/build-actions';
import { environmentNames } from '../scripts/lib/environments';
import { spawnLocalTenant, type TenantProcess as LocalTenant } from '@auth0-root-attributes/local-tenant';
import { projectCopy, runAsync, setDomain } from './support/project-copy';
import { SAMPLE, SAMPLE_TENANT } from './support/sample';

jest.setTimeout(600_000);

/** The sample's workflow (a fork edits its own; `npm run check` keeps that one in step with its environments). */
const WORKFLOW_FILE = path.join(SAMPLE, '.github', 'workflows', 'root-attributes.yml');
const STAND_INS: Record<string, string> = { 'npm test': 'npm run build' };

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
}

interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  environment?: string;
  steps: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const workflow = parse(readFileSync(WORKFLOW_FILE, 'utf8')) as Workflow;
const needsOf = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

/** The few expressions the workflow uses, evaluated as GitHub does; anything else fails the test. */
function evaluate(expression: string | undefined, context: { event: string; failed: boolean }): boolean {
  if (expression === undefined) return !context.failed;
  const bare = expression.replace(/^\$\{\{\s*|\s*\}\}$/g, '').trim();
  const event = /^github\.event_name == '([a-z_]+)'$/.exec(bare);
  if (event) return !context.failed && context.event === event[1];
  if (bare === '!cancelled()') return true;
  throw new Error(`the workflow uses an expression this test does not know: ${expression}`);
}

function secretsIn(value: string, secrets: Record<string, string>): string {
  return value.replace(/\$\{\{\s*secrets\.([A-Z0-9_]+)\s*\}\}/g, (_whole, name: string) => secrets[name] ?? '');
}

/** Jobs in an order that respects `needs`, as GitHub schedules them. */
function jobOrder(): string[] {
  const order: string[] = [];
  const visit = (id: string) => {
    if (order.includes(id)) return;
    for (const need of needsOf(workflow.jobs[id] as Job)) visit(need);
    order.push(id);
  };
  for (const id of Object.keys(workflow.jobs)) visit(id);
  return order;
}

interface RunRecord {
  jobs: Record<string, 'success' | 'failure' | 'skipped'>;
  commands: string[];
  summary: string;
  output: string;
}

async function runWorkflow(event: 'pull_request' | 'push', dir: string, secrets: Record<string, string>, baseEnv: NodeJS.ProcessEnv): Promise<RunRecord> {
  const summaryFile = path.join(dir, `summary-${event}-${Date.now()}.md`);
  writeFileSync(summaryFile, '');
  const record: RunRecord = { jobs: {}, commands: [], summary: '', output: '' };
  for (const id of jobOrder()) {
    const job = workflow.jobs[id] as Job;
    const needsMet = needsOf(job).every((need) => record.jobs[need] === 'success');
    if (!needsMet || !evaluate(job.if, { event, failed: false })) {
      record.jobs[id] = 'skipped';
      continue;
    }
    let failed = false;
    for (const step of job.steps) {
      if (step.uses !== undefined || step.run === undefined) continue;
      if (!evaluate(step.if, { event, failed })) continue;
      const command = STAND_INS[step.run.trim()] ?? step.run;
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, secretsIn(String(value), secrets)]));
      record.commands.push(command);
      const ran = await runAsync('bash', ['-e', '-c', command], { cwd: dir, env: { ...baseEnv, ...env, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_EVENT_NAME: event } });
      record.output += `${ran.stdout}${ran.stderr}`;
      if (ran.status !== 0) {
        failed = true;
        record.output += `\n[${id}: \`${command}\` exited with ${ran.status}]\n`;
      }
    }
    record.jobs[id] = failed ? 'failure' : 'success';
  }
  record.summary = readFileSync(summaryFile, 'utf8');
  return record;
}

describe('the workflow file', () => {
  test('runs on pull requests and on pushes to main', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.on.push).toEqual({ branches: ['main'] });
  });

  test('every command it runs is a script in package.json, and every local action it uses exists', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const composite = parse(readFileSync(path.join(PROJECT_ROOT, '.github', 'actions', 'setup', 'action.yml'), 'utf8')) as { runs: { steps: Step[] } };
    const commands = [...steps, ...composite.runs.steps].flatMap((step) => (step.run ? [step.run] : []));
    expect(commands.length).toBeGreaterThan(10);
    for (const command of commands) {
      const match = /^npm (?:run (?:-s )?([a-z:-]+)|(ci|test))\b/.exec(command.trim());
      expect([command, match !== null]).toEqual([command, true]);
      if (match?.[1]) expect(scripts).toContain(match[1]);
    }
    for (const step of steps) {
      if (step.uses?.startsWith('./')) expect(existsSync(path.join(PROJECT_ROOT, step.uses, 'action.yml'))).toBe(true);
    }
  });

  test('deploys every environment in promotion order, each job after the one before', () => {
    const deploys = jobOrder().filter((id) => id.startsWith('deploy-'));
    expect(deploys).toEqual(['deploy-development', 'deploy-staging', 'deploy-production']);
    expect(deploys.map((id) => workflow.jobs[id]?.environment)).toEqual(environmentNames(SAMPLE_TENANT));
    expect(needsOf(workflow.jobs['deploy-staging'] as Job)).toEqual(['deploy-development']);
    expect(needsOf(workflow.jobs['deploy-production'] as Job)).toEqual(['deploy-staging']);
    expect(needsOf(workflow.jobs.audit as Job)).toEqual(['deploy-production']);
  });

  test('binds every job that uses an environment\'s secrets to that GitHub environment, and gives a pull request no production credentials', () => {
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const text = JSON.stringify(job.steps);
      const used = ['development', 'staging', 'production'].filter((name) => text.includes(`secrets.AUTH0_${name.toUpperCase()}_`));
      // The audit job reads every tenant after the deploys; every other job uses one environment, bound to it.
      if (id === 'audit') continue;
      expect({ id, environments: used.length <= 1 ? used : 'more than one' }).toEqual({ id, environments: job.environment ? [job.environment] : [] });
      if ((job.if ?? '').includes("'pull_request'")) expect({ id, production: text.includes('PRODUCTION') }).toEqual({ id, production: false });
    }
  });

  test('gives secrets only to the steps that plan, deploy or audit, never to install or test', () => {
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps) {
        const secretive = JSON.stringify(step).includes('secrets.');
        expect([step.run ?? step.uses, secretive]).toEqual([step.run ?? step.uses, /--env (development|staging|production)\b/.test(step.run ?? '') && !/^npm run check/.test(step.run ?? '')]);
      }
    }
  });
});

describe('the same commands against local tenants', () => {
  const names = ['development', 'staging', 'production'] as const;
  const tenants: Partial<Record<(typeof names)[number], LocalTenant>> = {};
  let dir: string;
  let baseEnv: NodeJS.ProcessEnv;
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    dir = projectCopy();
    const cas: string[] = [];
    for (const name of names) {
      const tenant = await spawnLocalTenant({ stateDir: path.join(dir, `${name}-tenant`), port: 0 });
      tenants[name] = tenant;
      cas.push(tenant.ca);
      const file = path.join(dir, 'environments', `${name}.yaml`);
      writeFileSync(file, setDomain(readFileSync(file, 'utf8'), tenant.domain));
      const upper = name.toUpperCase();
      Object.assign(secrets, {
        [`AUTH0_${upper}_CLIENT_ID`]: tenant.clientId,
        [`AUTH0_${upper}_CLIENT_SECRET`]: tenant.clientSecret,
        [`${upper}_GOOGLE_CLIENT_SECRET`]: `${name}-google-secret-value`,
        [`${upper}_CORP_OIDC_CLIENT_SECRET`]: `${name}-corp-secret-value`,
      });
    }
    // One CA file for the three tenants, as a runner would trust a tenant's public certificate.
    writeFileSync(path.join(dir, 'cas.pem'), cas.join('\n'));
    baseEnv = { NODE_EXTRA_CA_CERTS: path.join(dir, 'cas.pem') };
  });

  afterAll(async () => {
    for (const tenant of Object.values(tenants)) await tenant?.close();
  });

  // Client ids are public (a0deploy logs the one it authenticates with); every other value is a secret.
  const secretValues = () => Object.entries(secrets).filter(([key]) => !key.endsWith('_CLIENT_ID')).map(([, value]) => value);
  const actionsOf = (name: (typeof names)[number]) => tenants[name]?.state().actions.map((action) => action.name).sort() ?? [];

  test('a pull request: checks every environment, plans development and staging into the summary, skips one not configured, never touches production', async () => {
    const withoutStaging = Object.fromEntries(Object.entries(secrets).filter(([key]) => !key.startsWith('AUTH0_STAGING_')));
    const run = await runWorkflow('pull_request', dir, withoutStaging, baseEnv);
    expect(run.jobs).toEqual({ test: 'success', 'plan-development': 'success', 'plan-staging': 'success', 'deploy-development': 'skipped', 'deploy-staging': 'skipped', 'deploy-production': 'skipped', audit: 'skipped' });
    expect(run.commands).toEqual([
      'npm run build',
      'npm run check -- --env all',
      ...(['development', 'staging'] as const).map((name) => `npm run -s deploy -- --env ${name} --plan --markdown --skip-unconfigured >> "$GITHUB_STEP_SUMMARY"`),
    ]);
    expect(run.summary).toContain(`## Plan for environment development (${tenants.development?.domain})\n\n**13 changes to deploy.**`);
    expect(run.summary).toContain('## Plan for environment staging\n\nPlan for environment staging skipped: AUTH0_STAGING_CLIENT_ID and AUTH0_STAGING_CLIENT_SECRET are not set');
    expect(run.summary).not.toContain('environment production');
    expect(run.summary).not.toContain('> auth0-root-attributes'); // npm's own header stays out of the summary
    for (const name of names) expect(actionsOf(name)).toEqual([]);
    for (const value of secretValues()) expect(`${run.summary}${run.output}`.split('\n').filter((line) => line.includes(value))).toEqual([]);
  });

  test('a push to main with staging misconfigured: development deploys, staging fails, production is never touched', async () => {
    const run = await runWorkflow('push', dir, { ...secrets, AUTH0_STAGING_CLIENT_SECRET: 'not-the-staging-secret' }, baseEnv);
    expect(run.jobs).toEqual({ test: 'success', 'plan-development': 'skipped', 'plan-staging': 'skipped', 'deploy-development': 'success', 'deploy-staging': 'failure', 'deploy-production': 'skipped', audit: 'skipped' });
    expect(actionsOf('development')).toEqual(['root-attributes-post-login', 'root-attributes-pre-user-registration']);
    expect(actionsOf('staging')).toEqual([]);
    expect(actionsOf('production')).toEqual([]);
    expect(run.summary).toContain('Deployed: the tenant now matches tenant.yaml.');
  });

  test('the next push to main: development unchanged, staging and production deployed in order, every tenant audited', async () => {
    const run = await runWorkflow('push', dir, secrets, baseEnv);
    expect(run.jobs).toEqual({ test: 'success', 'plan-development': 'skipped', 'plan-staging': 'skipped', 'deploy-development': 'success', 'deploy-staging': 'success', 'deploy-production': 'success', audit: 'success' });
    expect(run.commands.slice(2)).toEqual([
      ...names.map((name) => `npm run -s deploy -- --env ${name} --markdown >> "$GITHUB_STEP_SUMMARY"`),
      ...names.map((name) => `npm run -s audit -- --env ${name} --markdown --html audit-${name}.html >> "$GITHUB_STEP_SUMMARY"`),
    ]);
    // The HTML reports the job keeps as an artifact: one per tenant, with its charts.
    for (const name of names) expect(readFileSync(path.join(dir, `audit-${name}.html`), 'utf8')).toContain(`<title>Root-attribute audit · environment ${name}`);
    for (const name of names) expect(actionsOf(name)).toEqual(['root-attributes-post-login', 'root-attributes-pre-user-registration']);
    expect(run.summary).toContain(`## Plan for environment development (${tenants.development?.domain})\n\nNothing to deploy: the tenant matches tenant.yaml.`);
    for (const name of ['staging', 'production'] as const) {
      expect(run.summary).toContain(`## Plan for environment ${name} (${tenants[name]?.domain})\n\n**13 changes to deploy.**`);
    }
    for (const name of names) {
      expect(run.summary).toContain(`## Root-attribute audit of \`environment ${name} (${tenants[name]?.domain})\`\n\nThe tenant keeps to the policy.`);
    }
    // Each tenant has its own environment's values.
    const google = tenants.production?.state().connections.find((connection) => connection.name === 'google-oauth2');
    expect(google?.options).toMatchObject({ client_id: '100000000003-production.apps.googleusercontent.com', client_secret: 'production-google-secret-value' });
    for (const value of secretValues()) expect(`${run.summary}${run.output}`.split('\n').filter((line) => line.includes(value))).toEqual([]);
  });
});
