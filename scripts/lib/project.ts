/** tenant.yaml and the policy, read and compiled the way the built Actions compile them. */
import { compilePolicy, type CompiledPolicy } from '../../actions/lib/compile-policy';
import type { ConnectionTable } from '../../actions/lib/connection-table';
import type { Policy } from '../../actions/lib/define-policy';
import { connectionTableFor, policyFileFor, policyFor, type EnvironmentSettings } from './build-actions';
import { readTenantFile, type TenantFile } from './tenant-yaml';

export interface Project {
  tenant: TenantFile;
  policy: Policy;
  table: ConnectionTable;
  /** Same fingerprint as the bundles': records stamped here are trusted by post-login as its own. */
  compiled: CompiledPolicy;
}

/** With an environment, tenant.yaml is read as its values fill it: the table and fingerprint its bundles carry. */
export function loadProject(tenantPath: string, policyFile?: string, environment?: EnvironmentSettings): Project {
  const tenant = readTenantFile(tenantPath, environment?.values);
  const policy = policyFor(policyFileFor(tenantPath, policyFile), environment);
  const table = connectionTableFor(tenant, policy);
  return { tenant, policy, table, compiled: compilePolicy(policy, table) };
}
