/**
 * The checker's vocabulary: findings, the rules that produce them, and what every rule can read.
 */
import type { Policy } from '../../actions/lib/define-policy';
import type { Environment } from '../lib/environments';
import type { Location } from '../lib/errors';
import type { PolicySource } from '../lib/policy-source';
import type { TenantConnection } from '../lib/tenant-model';
import type { TenantFile } from '../lib/tenant-yaml';
import type { PlaceholderUse } from '../lib/placeholders';

export type Severity = 'error' | 'warning';

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  hint: string;
  location: Location;
}

/** What a rule reports: where, what, and (when it knows better than the rule's default) how to fix it. */
export interface Issue {
  location: Location;
  message: string;
  hint?: string;
  /** Where one case of a rule weighs differently from the rule's own severity. */
  severity?: Severity;
}

export interface CheckContext {
  tenant: TenantFile;
  /** The tenant document as a mapping (empty when it is not one). */
  data: Record<string, unknown>;
  /**
   * tenant.yaml parsed into a mapping. When it did not, comparing it with the policy would only repeat
   * the syntax finding as a list of "missing" connections.
   */
  tenantReadable: boolean;
  policy: Policy;
  policySource: PolicySource;
  /** Connections of both sections with a string name. */
  connections: TenantConnection[];
  projectRoot: string;
  /** The environment tenant.yaml is checked for (`--env NAME`): `tenant` then has its values filled in. */
  environment: Environment | undefined;
  /** Every placeholder tenant.yaml and the files it loads use, as written. */
  placeholders: readonly PlaceholderUse[];
}

export interface Rule {
  /** Stable id, printed with every finding and used in tests. */
  id: string;
  severity: Severity;
  /** What the rule checks, for the person reading a finding. */
  description: string;
  /** How to fix it, unless the issue says better. */
  hint: string;
  check(context: CheckContext): Iterable<Issue>;
}

/** Declares a rule; returns it unchanged (for type inference, like definePolicy). */
export function defineRule(rule: Rule): Rule {
  return rule;
}
