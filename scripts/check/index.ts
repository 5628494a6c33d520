/**
 * `check`: tenant.yaml and the policy, every rule over both, every finding located. The rule areas are
 * listed by name, so an area left out of the list fails to compile.
 */
import { policyFileFor, policyFor, PROJECT_ROOT } from '../lib/build-actions';
import { readPolicySource } from '../lib/policy-source';
import { isRecord, tenantConnections } from '../lib/tenant-model';
import type { Environment } from '../lib/environments';
import type { KeywordValue } from '../lib/keywords';
import { readTenantFile } from '../lib/tenant-yaml';
import { ACTION_RULES } from './actions';
import { APPLICATION_RULES } from './applications';
import { CONNECTION_RULES } from './connections';
import { placeholderUsesOf, type PlaceholderUse } from '../lib/placeholders';
import { ENVIRONMENT_RULES } from './environments';
import { POLICY_RULES } from './policy';
import { STRUCTURE_RULES } from './structure';
import { TRIGGER_RULES } from './triggers';
import type { CheckContext, Finding, Rule } from './types';

type Area = 'structure' | 'connections' | 'policy' | 'actions' | 'triggers' | 'applications' | 'environments';

export const RULE_AREAS: Readonly<Record<Area, readonly Rule[]>> = {
  structure: STRUCTURE_RULES,
  connections: CONNECTION_RULES,
  policy: POLICY_RULES,
  actions: ACTION_RULES,
  triggers: TRIGGER_RULES,
  applications: APPLICATION_RULES,
  environments: ENVIRONMENT_RULES,
};

export const RULES: readonly Rule[] = Object.values(RULE_AREAS).flat();

export interface CheckOptions {
  tenantPath: string;
  policyFile?: string;
  /** Check tenant.yaml as this environment fills its placeholders, and the environment's file. */
  environment?: Environment;
}

export interface CheckResult {
  /** The environment checked (`--env NAME`), if any. */
  environment?: string;
  tenantFile: string;
  policyFile: string;
  findings: Finding[];
  errors: number;
  warnings: number;
}

/** Runs every rule. Throws ProjectError only when tenant.yaml or the policy cannot be read at all. */
/** Findings that cause others: the file's structure, a value no rule can reason about, a policy that does not load. */
const CAUSES = new Set([
  'yaml-syntax', 'yaml-root', 'unknown-section', 'section-type', 'missing-field', 'field-type', 'duplicate-name', 'policy-invalid',
  'sync-invalid', 'strategy-unclassified', 'database-in-connections', 'non-database-in-databases', 'environment-invalid', 'action-bundle-missing',
]);

export function runCheck(options: CheckOptions): CheckResult {
  const environment = options.environment;
  const written = readTenantFile(options.tenantPath);
  const placeholders = placeholderUsesOf(written);
  const filled = environment ? fillable(environment, placeholders) : undefined;
  const tenant = filled ? readTenantFile(options.tenantPath, filled) : written;
  const policyFile = policyFileFor(options.tenantPath, options.policyFile);
  const policy = policyFor(policyFile, environment);
  const policySource = readPolicySource(policyFile);
  const data = isRecord(tenant.data) ? tenant.data : {};
  const tenantReadable = tenant.syntaxErrors.length === 0 && isRecord(tenant.data);
  const context: CheckContext = { tenant, data, tenantReadable, policy, policySource, connections: tenantConnections(data), projectRoot: PROJECT_ROOT, environment, placeholders };

  const findings: Finding[] = [];
  for (const rule of RULES) {
    try {
      for (const issue of rule.check(context)) {
        findings.push({ code: rule.id, severity: issue.severity ?? rule.severity, message: issue.message, hint: issue.hint ?? rule.hint, location: issue.location });
      }
    } catch (error) {
      // A rule that fails is a bug here, never a reason to give no answer: report it and go on.
      findings.push({
        code: 'checker-error',
        severity: 'error',
        message: `rule ${rule.id} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        hint: 'please report this; the other rules still ran',
        location: { file: tenant.displayPath, line: 1, col: 1 },
      });
    }
  }
  if (environment && filled) annotateFilled(findings, environment, placeholders, Object.keys(filled));
  // What makes other findings follow prints first (a YAML syntax error, a misspelt sync value), then by place.
  const rank = (finding: Finding) => (CAUSES.has(finding.code) ? 0 : 1);
  findings.sort((a, b) => rank(a) - rank(b) || a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line || a.location.col - b.location.col || a.code.localeCompare(b.code));
  return {
    ...(environment ? { environment: environment.name } : {}),
    tenantFile: tenant.displayPath,
    policyFile: policySource.displayPath,
    findings,
    errors: findings.filter((finding) => finding.severity === 'error').length,
    warnings: findings.filter((finding) => finding.severity === 'warning').length,
  };
}

/**
 * The environment's values tenant.yaml is read with. A value filling a secret field stays a placeholder:
 * the environment rules report it once, at its line in the environment file.
 */
function fillable(environment: Environment, uses: readonly PlaceholderUse[]): Record<string, KeywordValue> {
  const secret = new Set(uses.filter((use) => use.secret).map((use) => use.name));
  return Object.fromEntries(Object.entries(environment.values).filter(([key]) => !secret.has(key)));
}

/** A finding on a line the environment filled in says which value it was and where that value is written. */
function annotateFilled(findings: Finding[], environment: Environment, uses: readonly PlaceholderUse[], filled: readonly string[]): void {
  for (const finding of findings) {
    const use = uses.find((u) => filled.includes(u.name) && u.location.file === finding.location.file && u.location.line === finding.location.line);
    if (!use) continue;
    const where = environment.file.locate(['values', use.name], 'value');
    finding.message += ` (${use.name} is set by ${where.file}:${where.line}:${where.col})`;
  }
}
