/**
 * The deploy pipeline shared by `npm run deploy`, `npm start` and `npm run simulate`: build, check
 * (abort on any error), plan against the target, then the real `a0deploy import` — only when the plan
 * has changes.
 */
import { runCheck } from '../check/index';
import { buildActions, loadPolicy } from '../lib/build-actions';
import { EXIT, ProjectError } from '../lib/errors';
import { placeholders } from '../lib/keywords';
import type { Target } from '../lib/target';
import { isRecord } from '../lib/tenant-model';
import { readTenantFile } from '../lib/tenant-yaml';
import { runA0deploy } from './a0deploy';
import { desiredTenant } from './desired';
import { readLedger, writeLedger } from './ledger';
import { liveTenant } from './live';
import { computePlan, desiredDigests, formatPlan, type Plan } from './plan';

const SECTIONS = ['actions', 'triggers', 'databases', 'connections'];

export interface DeployOptions {
  tenantPath: string;
  policyFile?: string;
  allowDelete: boolean;
  /** Print the plan and stop. */
  planOnly: boolean;
  /** Receives what a person reads (progress, the plan, a0deploy's redacted lines). */
  say: (line: string) => void;
  /** Receives problems (check findings, failures). */
  warn: (line: string) => void;
}

export interface DeployOutcome {
  code: number;
  plan?: Plan;
  deployed: boolean;
}

/** Values for the placeholders tenant.yaml names, from the environment; local stand-ins only for the local tenant. */
export function keywordMappings(names: readonly string[], target: Pick<Target, 'local'>): { mappings: Record<string, string>; standIns: string[] } {
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

/** Builds and checks; false when the check found errors (they have been reported). */
export async function buildAndCheck(options: Pick<DeployOptions, 'tenantPath' | 'policyFile' | 'say' | 'warn'>): Promise<boolean> {
  try {
    const built = await buildActions({ tenantPath: options.tenantPath, policyFile: options.policyFile });
    for (const action of built.actions) options.say(`built ${action.entry.bundle}.js (${(action.bytes / 1000).toFixed(1)} KB)`);
  } catch (error) {
    // A tenant.yaml too broken to build from: the checker says everything that is wrong with it.
    if (!(error instanceof ProjectError && error.code === 'tenant-invalid')) throw error;
  }
  const check = runCheck({ tenantPath: options.tenantPath, policyFile: options.policyFile });
  for (const finding of check.findings) {
    const { file, line, col } = finding.location;
    options.warn(`${file}:${line}:${col} ${finding.severity} ${finding.code} ${finding.message}\n  hint: ${finding.hint}`);
  }
  if (check.errors > 0) {
    options.warn(`deploy aborted: npm run check found ${check.errors} error${check.errors === 1 ? '' : 's'}; nothing was sent`);
    return false;
  }
  return true;
}

async function planFor(target: Target, options: DeployOptions, mappings: Record<string, string>) {
  const policy = loadPolicy(options.policyFile);
  const desired = desiredTenant(options.tenantPath, mappings, policy);
  const live = await liveTenant(target.management, Object.keys(desired.triggers), policy);
  return { desired, plan: computePlan(target.label, desired, live, { allowDelete: options.allowDelete, ledger: readLedger(target.ledgerFile) }) };
}

/** Plans and, unless the plan is empty or only asked for, deploys to an open target. Build and check first. */
export async function deployTo(target: Target, options: DeployOptions): Promise<DeployOutcome> {
  const tenant = readTenantFile(options.tenantPath);
  const sections = SECTIONS.filter((section) => isRecord(tenant.data) && tenant.data[section] !== undefined);
  // Placeholders in values only: a0deploy replaces them in comments too, where they mean nothing.
  const { mappings, standIns } = keywordMappings(placeholders(JSON.stringify(tenant.data)), target);
  if (standIns.length > 0) options.say(`the local tenant gets stand-in values for ${standIns.join(', ')} (set them in the environment to use your own)`);
  const { desired, plan } = await planFor(target, options, mappings);
  options.say(formatPlan(plan));
  if (options.planOnly || plan.changes === 0) return { code: EXIT.ok, plan, deployed: false };

  options.say(`deploying to ${target.label} with a0deploy (sections ${sections.join(', ')}${options.allowDelete ? ', deletes allowed' : ''})`);
  const code = await runA0deploy({ tenantPath: options.tenantPath, target, mappings, sections, allowDelete: options.allowDelete, onLine: (line) => options.say(`  a0deploy: ${line}`) });
  if (code !== 0) {
    options.warn(`deploy failed: a0deploy exited with code ${code} (its messages are above)`);
    return { code: EXIT.findings, plan, deployed: false };
  }
  writeLedger(target.ledgerFile, desiredDigests(desired));
  const after = (await planFor(target, options, mappings)).plan;
  if (after.changes > 0) {
    options.warn(`a0deploy finished, but the tenant still differs from tenant.yaml:\n${formatPlan(after)}`);
    return { code: EXIT.findings, plan: after, deployed: true };
  }
  options.say(`deployed ${plan.changes} change${plan.changes === 1 ? '' : 's'} to ${target.label}; the tenant now matches tenant.yaml`);
  return { code: EXIT.ok, plan: after, deployed: true };
}
