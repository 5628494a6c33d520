/**
 * The deploy pipeline shared by `npm run deploy`, `npm start` and `npm run simulate`: build, check
 * (abort on any error), plan against the target, then the real `a0deploy import` — only when the plan
 * has changes.
 */
import { runCheck } from '../check/index';
import { buildActions, policyFileFor, policyFor } from '../lib/build-actions';
import { EXIT, ProjectError } from '../lib/errors';
import { placeholderUsesOf } from '../lib/placeholders';
import { DEPLOY_CLI_SECTIONS } from '../lib/deploy-cli';
import type { Environment } from '../lib/environments';
import type { KeywordValue } from '../lib/keywords';
import type { Target } from '../lib/target';
import { isRecord } from '../lib/tenant-model';
import { readTenantFile, type TenantFile } from '../lib/tenant-yaml';
import { runA0deploy } from './a0deploy';
import { loadAsDeployCli } from './a0deploy-loader';
import { desiredFrom } from './desired';
import { readLedger, writeLedger } from './ledger';
import { liveTenant } from './live';
import { computePlan, desiredDigests, formatPlan, planVerdict, sectionDigests, type Plan, type PlanUsers } from './plan';

/** The sections the plan models resource by resource; a0deploy gets every other section tenant.yaml has too. */
const MODELLED_SECTIONS: ReadonlySet<string> = new Set(['actions', 'triggers', 'databases', 'connections', 'clients', 'resourceServers', 'clientGrants', 'roles']);

export interface DeployOptions {
  tenantPath: string;
  policyFile?: string;
  /** Deploy for this environment (`--env NAME`): its values fill tenant.yaml, its variables give the secrets. */
  environment?: Environment;
  allowDelete: boolean;
  /** Print the plan and stop. */
  planOnly: boolean;
  /** From an audit report: the tenant's users and how many have a record, for the plan to tell. */
  users?: PlanUsers;
  /** Receives what a person reads (progress, the plan, a0deploy's redacted lines). */
  say: (line: string) => void;
  /** Receives problems (check findings, failures). */
  warn: (line: string) => void;
}

export interface DeployOutcome {
  code: number;
  /** The plan for the tenant as it is at the end (after a deploy: what still differs, normally nothing). */
  plan?: Plan;
  /** The plan a0deploy carried out, when it ran. */
  applied?: Plan;
  deployed: boolean;
}

export interface Mappings {
  mappings: Record<string, KeywordValue>;
  /** Values that are secrets: no output may show them. */
  secrets: string[];
  /** Placeholders the local tenant got made-up values for. */
  standIns: string[];
}

/**
 * Values for the placeholders tenant.yaml (and the files it loads) uses. For an environment: its values,
 * and its secrets from the variables it names. Otherwise from the environment variables of the same
 * name, with made-up stand-ins for the local tenant only; every such value counts as a secret.
 */
export function keywordMappings(tenant: TenantFile, target: Pick<Target, 'local'>, environment?: Environment): Mappings {
  const names = [...new Set(placeholderUsesOf(tenant).map((use) => use.name))];
  const mappings: Record<string, KeywordValue> = {};
  const secrets: string[] = [];
  const missing: string[] = [];
  for (const name of names) {
    if (environment) {
      const variable = environment.secrets[name];
      if (Object.prototype.hasOwnProperty.call(environment.values, name)) mappings[name] = environment.values[name] as KeywordValue;
      else if (variable === undefined) missing.push(`${name} (not in ${environment.file.displayPath})`);
      // An unset CI secret reaches the job as an empty string: empty counts as not set.
      else if (!process.env[variable]) missing.push(`${variable} (for ${name})`);
      else secrets.push((mappings[name] = process.env[variable] ?? ''));
      continue;
    }
    const value = process.env[name];
    if (value === undefined) missing.push(name);
    else secrets.push((mappings[name] = value));
  }
  if (missing.length > 0 && (environment || !target.local)) {
    const needs = environment ? `environment ${environment.name} needs` : 'tenant.yaml needs';
    throw new ProjectError('usage', `${needs} ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not set`, {
      hint: environment ? `run npm run check -- --env ${environment.name}, and set each variable (a CI secret); nothing was sent` : 'set each as an environment variable (a CI secret for a real tenant); nothing was sent',
    });
  }
  for (const name of missing) mappings[name] = `local-${name.toLowerCase()}`;
  return { mappings, secrets, standIns: missing };
}

/** Builds and checks; false when the check found errors (they have been reported). */
export async function buildAndCheck(options: Pick<DeployOptions, 'tenantPath' | 'policyFile' | 'environment' | 'say' | 'warn'>): Promise<boolean> {
  try {
    const built = await buildActions({ tenantPath: options.tenantPath, policyFile: options.policyFile, environment: options.environment });
    for (const action of built.actions) options.say(`built ${action.entry.bundle}.js (${(action.bytes / 1000).toFixed(1)} KB)`);
  } catch (error) {
    // A tenant.yaml or policy too broken to build from: the checker says everything that is wrong with them.
    if (!(error instanceof ProjectError && (error.code === 'tenant-invalid' || error.code === 'policy-invalid'))) throw error;
  }
  const check = runCheck({ tenantPath: options.tenantPath, policyFile: options.policyFile, environment: options.environment });
  for (const finding of check.findings) {
    const { file, line, col } = finding.location;
    options.warn(`${file}:${line}:${col} ${finding.severity} ${finding.code} ${finding.message}\n  hint: ${finding.hint}`);
  }
  if (check.errors > 0) {
    const command = options.environment ? `npm run check -- --env ${options.environment.name}` : 'npm run check';
    options.warn(`deploy aborted: ${command} found ${check.errors} error${check.errors === 1 ? '' : 's'}; nothing was sent`);
    return false;
  }
  return true;
}

const DEPLOYED_SECTIONS: ReadonlySet<string> = new Set(DEPLOY_CLI_SECTIONS.filter((section) => section !== 'exclude' && section !== 'include'));

/** The sections a0deploy gets: every one tenant.yaml has (a0deploy leaves the absent ones alone), in its order. */
function sectionsOf(tenant: TenantFile): string[] {
  return isRecord(tenant.data) ? Object.keys(tenant.data).filter((key) => (tenant.data as Record<string, unknown>)[key] !== undefined && DEPLOYED_SECTIONS.has(key)) : [];
}

async function planFor(target: Target, options: DeployOptions, mappings: Record<string, KeywordValue>, sections: readonly string[]) {
  const policy = policyFor(policyFileFor(options.tenantPath, options.policyFile), options.environment);
  const sent = await loadAsDeployCli(options.tenantPath, mappings);
  const desired = desiredFrom(sent, policy);
  const others = sections.filter((section) => !MODELLED_SECTIONS.has(section));
  const digests = sectionDigests(Object.fromEntries(others.map((section) => [section, sent[section]])));
  const live = await liveTenant(target.management, Object.keys(desired.triggers), policy, {
    clients: desired.clients !== undefined, apis: desired.apis !== undefined, grants: desired.grants !== undefined, roles: desired.roles !== undefined, deployClientId: target.clientId,
  });
  const plan = computePlan(target.label, desired, live, { allowDelete: options.allowDelete, ledger: readLedger(target.ledgerFile), sections: digests });
  return { ledger: { ...desiredDigests(desired), ...digests }, plan };
}

/** Plans and, unless the plan is empty or only asked for, deploys to an open target. Build and check first. */
export async function deployTo(target: Target, options: DeployOptions): Promise<DeployOutcome> {
  const tenant = readTenantFile(options.tenantPath);
  const sections = sectionsOf(tenant);
  // Placeholders in values (and unquoted ones, which YAML reads as comments but a0deploy fills); not those in real comments.
  const { mappings, secrets, standIns } = keywordMappings(tenant, target, options.environment);
  if (standIns.length > 0) options.say(`the local tenant gets stand-in values for ${standIns.join(', ')} (set them in the environment to use your own)`);
  const { ledger, plan } = await planFor(target, options, mappings, sections);
  if (options.users) plan.users = options.users;
  options.say(formatPlan(plan));
  if (options.planOnly || plan.changes === 0) return { code: EXIT.ok, plan, deployed: false };

  options.say(`deploying to ${target.label} with a0deploy (sections ${sections.join(', ')}${options.allowDelete ? ', deletes allowed' : ''})`);
  // The tenant's own words for what it refused (a0deploy prints them inside a JSON body dump).
  const refusals: string[] = [];
  const onLine = (line: string) => {
    options.say(`  a0deploy: ${line}`);
    const message = /^\s*"message":\s*("(?:[^"\\]|\\.)*")/.exec(line)?.[1];
    if (message) refusals.push(JSON.parse(message) as string);
  };
  let interrupted: NodeJS.Signals | undefined;
  const deploy = async () => {
    const run = await runA0deploy({ tenantPath: options.tenantPath, target, mappings, secrets, sections, allowDelete: options.allowDelete, onLine });
    interrupted = run.interrupted;
    if (interrupted) return false;
    if (run.code === 0) return true;
    const why = refusals.length > 0 ? `: ${[...new Set(refusals)].join('; ')}` : '';
    options.warn(`deploy failed: a0deploy exited with code ${run.code}${why} (its messages are above)`);
    return false;
  };
  /** After Ctrl-C: what a0deploy got done is on the tenant; what it did not, the plan shows. */
  const stopped = async (): Promise<DeployOutcome> => {
    const left = (await planFor(target, options, mappings, sections)).plan;
    options.warn(`deploy interrupted (${interrupted ?? 'signal'}): a0deploy was stopped part-way, and the changes it had made stay on ${target.label}. What the tenant still lacks of tenant.yaml:\n${formatPlan(left)}\nRun npm run deploy again to finish.`);
    return { code: EXIT.interrupted, plan: left, applied: plan, deployed: false };
  };
  if (!(await deploy())) return interrupted ? stopped() : { code: EXIT.findings, plan, deployed: false };
  writeLedger(target.ledgerFile, ledger);
  let after = (await planFor(target, options, mappings, sections)).plan;
  const unsettled = after.items.filter((item) => item.change !== 'keep');
  if (unsettled.length > 0 && unsettled.every((item) => item.change === 'update' && plan.items.some((done) => done.kind === item.kind && done.name === item.name && done.change === 'create'))) {
    // a0deploy creates some resources from less than tenant.yaml says — a client registered by metadata document
    // takes its settings from the document, and a0deploy sets tenant.yaml's only when it updates the client.
    options.say(`a0deploy created ${unsettled.map((item) => `${item.kind} ${item.name}`).join(', ')} without all of tenant.yaml's settings; running it again to set them`);
    if (!(await deploy())) return interrupted ? stopped() : { code: EXIT.findings, plan: after, applied: plan, deployed: true };
    after = (await planFor(target, options, mappings, sections)).plan;
  }
  if (after.changes > 0) {
    options.warn(`a0deploy finished, but the tenant still differs from tenant.yaml:\n${formatPlan(after)}`);
    return { code: EXIT.findings, plan: after, applied: plan, deployed: true };
  }
  options.say(`deployed ${plan.changes} change${plan.changes === 1 ? '' : 's'} to ${target.label}; ${planVerdict(after, true)}`);
  return { code: EXIT.ok, plan: after, applied: plan, deployed: true };
}
