/**
 * The plan: what a deploy of tenant.yaml would change on the target, resource by resource, and
 * whether a difference is drift (the tenant changed since this checkout last deployed the same
 * tenant.yaml) or a change of tenant.yaml. Never shows option or secret values: only names.
 */
import { canonical, sha256, type ActionState, type BindingState, type ConnectionState, type TenantModel } from './model';

export type ResourceKind = 'action' | 'trigger' | 'connection' | 'client' | 'api' | 'grant' | 'role';

/** The sections of clients, APIs and grants, by the model's field. */
const SETTINGS_KINDS = [['clients', 'client'], ['apis', 'api'], ['grants', 'grant'], ['roles', 'role']] as const;

export interface PlanItem {
  kind: ResourceKind;
  name: string;
  change: 'create' | 'update' | 'delete' | 'keep';
  /** The tenant changed behind tenant.yaml's back (known when this checkout deployed the same tenant.yaml before). */
  drift: boolean;
  details: string[];
}

export interface Plan {
  target: string;
  items: PlanItem[];
  /** Items a0deploy would act on; `keep` items (extra live resources without --allow-delete) are not changes. */
  changes: number;
}

/** What the last deploy from this checkout sent, per resource: to tell drift from a change of tenant.yaml. */
export type Ledger = Record<string, string>;

export const resourceKey = (kind: ResourceKind, name: string) => `${kind}:${name}`;

/**
 * A digest per resource of what tenant.yaml says (SHA-256 of its canonical JSON): enough to tell drift from
 * a change, and nothing to read a value from — options hold IdP client secrets.
 */
export function desiredDigests(desired: TenantModel): Ledger {
  const ledger: Ledger = {};
  const put = (kind: ResourceKind, name: string, value: unknown) => {
    ledger[resourceKey(kind, name)] = sha256(canonical(value));
  };
  for (const action of desired.actions) put('action', action.name, action);
  for (const [trigger, bindings] of Object.entries(desired.triggers)) put('trigger', trigger, bindings);
  for (const connection of desired.connections) put('connection', connection.name, connection);
  for (const [field, kind] of SETTINGS_KINDS) for (const item of desired[field] ?? []) put(kind, item.name, item);
  return ledger;
}

const short = (digest: string) => digest.slice(0, 12);
const list = (items: readonly string[]) => (items.length === 0 ? 'none' : items.join(', '));

function actionDetails(desired: ActionState, live: ActionState): string[] {
  const details: string[] = [];
  if (desired.codeDigest !== live.codeDigest) details.push(`code sha256 ${short(live.codeDigest)} → ${short(desired.codeDigest)}`);
  if (desired.runtime !== undefined && desired.runtime !== live.runtime) details.push(`runtime ${live.runtime ?? 'none'} → ${desired.runtime}`);
  if (canonical(desired.dependencies) !== canonical(live.dependencies)) details.push(`dependencies ${list(live.dependencies)} → ${list(desired.dependencies)}`);
  if (canonical(desired.secretNames) !== canonical(live.secretNames)) details.push(`secret names ${list(live.secretNames)} → ${list(desired.secretNames)}`);
  if (canonical(desired.triggers) !== canonical(live.triggers)) details.push(`supported triggers ${list(live.triggers)} → ${list(desired.triggers)}`);
  if (desired.deployed && !live.deployed) details.push('has changes that are not deployed');
  return details;
}

function bindingLabel(binding: BindingState): string {
  return binding.displayName && binding.displayName !== binding.action ? `${binding.action} ("${binding.displayName}")` : binding.action;
}

function bindingsEqual(desired: readonly BindingState[], live: readonly BindingState[]): boolean {
  return desired.length === live.length && desired.every((binding, i) => {
    const other = live[i];
    return other !== undefined && other.action === binding.action && (binding.displayName === undefined || binding.displayName === other.displayName);
  });
}

function syncLabel(connection: ConnectionState): string {
  return `${connection.sync ?? 'none'}${connection.sync === 'on_each_login' && !connection.syncExplicit ? ' (the default)' : ''}`;
}

function connectionDetails(desired: ConnectionState, live: ConnectionState): string[] {
  const details: string[] = [];
  if (desired.sync !== live.sync) details.push(`set_user_root_attributes ${syncLabel(live)} → ${syncLabel(desired)}`);
  for (const key of Object.keys(desired.options).sort()) {
    if (canonical(desired.options[key]) !== canonical(live.options[key])) details.push(live.options[key] === undefined ? `options.${key} added` : `options.${key} changed`);
  }
  // a0deploy sends a connection's whole options and Auth0 replaces them on PATCH; databases are merged first.
  if (desired.section === 'connections') {
    for (const key of Object.keys(live.options).sort()) if (!(key in desired.options)) details.push(`options.${key} removed (not in tenant.yaml)`);
  }
  for (const key of Object.keys(desired.fields).sort()) {
    if (canonical(desired.fields[key]) !== canonical(live.fields[key])) details.push(`${key} changed`);
  }
  return details;
}

export function computePlan(target: string, desired: TenantModel, live: TenantModel, options: { allowDelete: boolean; ledger?: Ledger }): Plan {
  const ledger = options.ledger ?? {};
  const digests = desiredDigests(desired);
  const drifted = (kind: ResourceKind, name: string) => ledger[resourceKey(kind, name)] !== undefined && ledger[resourceKey(kind, name)] === digests[resourceKey(kind, name)];
  const items: PlanItem[] = [];

  for (const action of desired.actions) {
    const current = live.actions.find((candidate) => candidate.name === action.name);
    if (!current) {
      items.push({ kind: 'action', name: action.name, change: 'create', drift: false, details: [`code sha256 ${short(action.codeDigest)}${action.deployed ? ', deployed' : ''}`] });
      continue;
    }
    const details = actionDetails(action, current);
    if (details.length > 0) items.push({ kind: 'action', name: action.name, change: 'update', drift: drifted('action', action.name), details });
  }
  for (const action of live.actions) {
    if (desired.actions.some((candidate) => candidate.name === action.name)) continue;
    items.push({ kind: 'action', name: action.name, change: options.allowDelete ? 'delete' : 'keep', drift: false, details: ['not in tenant.yaml'] });
  }

  for (const [trigger, bindings] of Object.entries(desired.triggers)) {
    const current = live.triggers[trigger] ?? [];
    if (bindingsEqual(bindings, current)) continue;
    items.push({
      kind: 'trigger',
      name: trigger,
      change: 'update',
      drift: drifted('trigger', trigger),
      details: [`bindings ${list(current.map(bindingLabel))} → ${list(bindings.map(bindingLabel))}`],
    });
  }

  for (const connection of desired.connections) {
    const current = live.connections.find((candidate) => candidate.name === connection.name);
    if (!current) {
      items.push({ kind: 'connection', name: connection.name, change: 'create', drift: false, details: [`strategy ${connection.strategy}${connection.sync ? `, syncs ${connection.sync}` : ''}`] });
      continue;
    }
    const details = connectionDetails(connection, current);
    if (details.length > 0) items.push({ kind: 'connection', name: connection.name, change: 'update', drift: drifted('connection', connection.name), details });
  }
  for (const connection of live.connections) {
    if (desired.connections.some((candidate) => candidate.name === connection.name)) continue;
    items.push({ kind: 'connection', name: connection.name, change: options.allowDelete ? 'delete' : 'keep', drift: false, details: ['not in tenant.yaml'] });
  }

  for (const [field, kind] of SETTINGS_KINDS) {
    const wanted = desired[field];
    if (wanted === undefined) continue;
    const current = live[field] ?? [];
    for (const item of wanted) {
      const existing = current.find((candidate) => candidate.name === item.name);
      if (!existing) {
        items.push({ kind, name: item.name, change: 'create', drift: false, details: [] });
        continue;
      }
      // Names only: a field's value may be a secret or a URL the team would rather not print.
      const details = Object.keys(item.fields).sort().filter((key) => canonical(item.fields[key]) !== canonical(existing.fields[key])).map((key) => `${key} changed`);
      if (details.length > 0) items.push({ kind, name: item.name, change: 'update', drift: drifted(kind, item.name), details });
    }
    for (const item of current) {
      if (wanted.some((candidate) => candidate.name === item.name)) continue;
      items.push({ kind, name: item.name, change: options.allowDelete ? 'delete' : 'keep', drift: false, details: ['not in tenant.yaml'] });
    }
  }

  return { target, items, changes: items.filter((item) => item.change !== 'keep').length };
}

const SIGNS: Record<PlanItem['change'], string> = { create: '+', update: '~', delete: '-', keep: '=' };

/** What the audit compares (applications, APIs, grants and roles are the deploy's business alone). */
export const AUDITED_KINDS: ReadonlySet<ResourceKind> = new Set(['connection', 'action', 'trigger']);

/**
 * Whether the tenant matches tenant.yaml once the plan's changes are made: resources kept on the tenant
 * but not in tenant.yaml mean it does not, and the audit fails on the connections, actions and triggers
 * among them — deploy says so in the same words instead of claiming a match.
 */
export function planVerdict(plan: Plan, deployed = false): string {
  const kept = plan.items.filter((item) => item.change === 'keep' && AUDITED_KINDS.has(item.kind));
  const extra = kept.length === 0 ? '' : `the tenant also has ${kept.map((item) => `${item.kind} ${item.name}`).join(', ')}, on the tenant but not in tenant.yaml (npm run audit reports this as drift; add ${kept.length === 1 ? 'it' : 'them'} to tenant.yaml, or deploy --allow-delete to delete ${kept.length === 1 ? 'it' : 'them'})`;
  if (deployed) return kept.length === 0 ? 'the tenant now matches tenant.yaml' : `the tenant now has what tenant.yaml says, but ${extra}`;
  if (plan.changes > 0) return `${plan.changes} change${plan.changes === 1 ? '' : 's'} to deploy${kept.length === 0 ? '' : `; ${extra}`}`;
  return kept.length === 0 ? 'Nothing to deploy: the tenant matches tenant.yaml' : `Nothing to deploy, but the tenant does not match tenant.yaml: ${extra}`;
}

export function formatPlan(plan: Plan): string {
  const lines = [`Plan for ${plan.target}:`];
  for (const kind of ['action', 'trigger', 'connection', 'client', 'api', 'grant', 'role'] as const) {
    const items = plan.items.filter((item) => item.kind === kind);
    if (items.length === 0) continue;
    lines.push(`  ${kind === 'api' ? 'APIs' : `${kind}s`}`);
    for (const item of items) {
      const what = item.change === 'keep' ? 'kept (deploy --allow-delete deletes it)' : item.change;
      lines.push(`    ${SIGNS[item.change]} ${item.name}  ${what}${item.drift ? ' — drift: changed on the tenant since the last deploy' : ''}`);
      for (const detail of item.details) lines.push(`        ${detail}`);
    }
  }
  lines.push(`${planVerdict(plan)}${plan.changes === 0 ? ', so a0deploy is not run' : ''}.`);
  return lines.join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The plan as Markdown, for a pull request's job summary: names and digests only, like the text form. */
export function formatPlanMarkdown(plan: Plan): string {
  const lines = [`## Plan for ${plan.target}`, ''];
  lines.push(plan.changes === 0 ? `${planVerdict(plan)}.` : `**${planVerdict(plan)}.**`);
  const shown = plan.items;
  if (shown.length > 0) {
    lines.push('', '| | resource | name | change | details |', '|---|---|---|---|---|');
    for (const item of shown) {
      const what = item.change === 'keep' ? 'kept (`--allow-delete` deletes it)' : item.change;
      lines.push(`| ${SIGNS[item.change]} | ${item.kind} | \`${cell(item.name)}\` | ${what}${item.drift ? ' — **drift**: changed on the tenant since the last deploy' : ''} | ${item.details.map(cell).join('<br>')} |`);
    }
  }
  return lines.join('\n');
}
