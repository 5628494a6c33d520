/**
 * The tenant against tenant.yaml, as far as the audit cares (applications, APIs and grants are the
 * deploy's business, not the audit's): each connection's sync setting and presence,
 * each action's deployed code against the built bundle, each trigger's bindings. Read from the deploy plan,
 * leaving out option-level differences (comparing those needs the secrets).
 */
import { AUDITED_KINDS, type Plan } from '../deploy/plan';

export interface Drift {
  kind: 'connection' | 'action' | 'trigger';
  name: string;
  problem: string;
}

const RELEVANT = [/^set_user_root_attributes /, /^code sha256 /, /^has changes that are not deployed$/, /^bindings /, /^runtime /, /^supported triggers /];

/** The plan speaks of changes to make; the audit of how the tenant differs. */
function reword(detail: string): string {
  // The plan adds what the change would do to the users (after " — "): the audit says only how the tenant differs.
  const sync = /^set_user_root_attributes (.+?) → (.+?)(?: — .*)?$/.exec(detail);
  if (sync) return `syncs ${sync[1] ?? ''} on the tenant; tenant.yaml says ${sync[2] ?? ''}`;
  const code = /^code sha256 (\w+) → (\w+)$/.exec(detail);
  if (code) return `code on the tenant (sha256 ${code[1] ?? ''}) is not the built bundle (${code[2] ?? ''})`;
  const bindings = /^bindings (.+) → (.+)$/.exec(detail);
  if (bindings) return `bound on the tenant: ${bindings[1] ?? ''}; tenant.yaml: ${bindings[2] ?? ''}`;
  return detail;
}

export function driftFrom(plan: Plan): Drift[] {
  const drift: Drift[] = [];
  for (const item of plan.items) {
    if (!AUDITED_KINDS.has(item.kind)) continue;
    const kind = item.kind as Drift['kind'];
    if (item.change === 'create') drift.push({ kind, name: item.name, problem: 'in tenant.yaml but missing on the tenant' });
    else if (item.change === 'keep' || item.change === 'delete') drift.push({ kind, name: item.name, problem: 'on the tenant but not in tenant.yaml' });
    else for (const detail of item.details) if (RELEVANT.some((pattern) => pattern.test(detail))) drift.push({ kind, name: item.name, problem: reword(detail) });
  }
  return drift;
}
