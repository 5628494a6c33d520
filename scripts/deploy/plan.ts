/**
 * The plan: what a deploy of tenant.yaml would change on the target, resource by resource, and
 * whether a difference is drift (the tenant changed since this checkout last deployed the same
 * tenant.yaml) or a change of tenant.yaml. Never shows option or secret values: only names.
 */
import { SYSTEM_API_FIELDS } from './a0deploy-loader';
import { canonical, sha256, type ActionState, type BindingState, type ConnectionState, type SettingsState, type TenantModel } from './model';

const identity = (item: SettingsState) => item.key ?? item.name;

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

/**
 * A section the project does not model (tenant settings, email templates, prompts, organizations, …): sent to
 * a0deploy as written, and compared only with what this checkout last sent to the target.
 */
export interface SectionItem {
  name: string;
  /** `new`: this checkout never deployed it to the target; `changed`: it differs from what was deployed. */
  state: 'new' | 'changed' | 'unchanged';
}

/** The tenant's users and how many have a provenance record, from an audit report (`deploy --audit-report FILE`). */
export interface PlanUsers {
  users: number;
  recorded: number;
  /** The report's time. */
  at: string;
}

export interface Plan {
  target: string;
  items: PlanItem[];
  users?: PlanUsers;
  /** Every other section tenant.yaml has, in its order. */
  sections: SectionItem[];
  /** Items a0deploy would act on, and sections new or changed; `keep` items (extra live resources without --allow-delete) are not changes. */
  changes: number;
}

/**
 * What the last deploy from this checkout sent, per resource and per other section: to tell drift from a
 * change of tenant.yaml, and a changed section from one already deployed.
 */
export type Ledger = Record<string, string>;

export const resourceKey = (kind: ResourceKind, name: string) => `${kind}:${name}`;
const sectionKey = (name: string) => `section:${name}`;

/** A digest of each other section as a0deploy will send it (its loaded files filled in). */
export function sectionDigests(sections: Readonly<Record<string, unknown>>): Ledger {
  return Object.fromEntries(Object.entries(sections).map(([name, value]) => [sectionKey(name), sha256(canonical(value))]));
}

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

/** What a change of a connection's sync setting means for its users, in plain words. */
export function syncConsequence(from: ConnectionState['sync'], to: ConnectionState['sync']): string | undefined {
  if (to === 'on_first_login' && from === 'on_each_login') return "the IdP will no longer update these users' names and pictures after their first login: your apps and the Management API may change them";
  if (to === 'on_first_login') return "the IdP will set new users' names and pictures at their first login, and the connection will create users at login again";
  if (to === 'on_each_login') return "the IdP will overwrite these users' names and pictures at every login, and Auth0 will refuse Management API changes of them";
  if (to === 'never_on_login') return "the IdP will never set these users' names and pictures, and the connection will no longer create users at login";
  return undefined;
}

function connectionDetails(desired: ConnectionState, live: ConnectionState): string[] {
  const details: string[] = [];
  if (desired.sync !== live.sync) {
    const consequence = syncConsequence(live.sync, desired.sync);
    details.push(`set_user_root_attributes ${syncLabel(live)} → ${syncLabel(desired)}${consequence ? ` — ${consequence}` : ''}`);
  }
  for (const key of Object.keys(desired.options).sort()) {
    if (!covers(desired.options[key], live.options[key])) details.push(live.options[key] === undefined ? `options.${key} added` : `options.${key} changed`);
  }
  // a0deploy sends a connection's whole options and Auth0 replaces them on PATCH; databases are merged first.
  if (desired.section === 'connections') {
    for (const key of Object.keys(live.options).sort()) if (!(key in desired.options)) details.push(`options.${key} removed (not in tenant.yaml)`);
  }
  for (const key of Object.keys(desired.fields).sort()) {
    if (!covers(desired.fields[key], live.fields[key])) details.push(`${key} changed`);
  }
  return details;
}

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Whether the tenant holds what tenant.yaml sets: in a mapping, each key tenant.yaml writes (Auth0 keeps
 * defaults of its own beside them, such as `jwt_configuration.lifetime_in_seconds`); in a list, each item in
 * order; any other value equal. An empty value tenant.yaml writes is held by one the tenant leaves out.
 */
export function covers(desired: unknown, live: unknown): boolean {
  if (Array.isArray(desired)) return Array.isArray(live) ? desired.length === live.length && desired.every((item, i) => covers(item, live[i])) : desired.length === 0 && live == null;
  if (isMapping(desired)) {
    if (!isMapping(live)) return Object.keys(desired).length === 0 && live == null;
    return Object.entries(desired).every(([key, value]) => value === undefined || covers(value, live[key]));
  }
  if (desired === null) return live == null;
  return desired === live;
}

export interface PlanOptions {
  allowDelete: boolean;
  ledger?: Ledger;
  /** The other sections' digests (`sectionDigests`), in tenant.yaml's order. */
  sections?: Ledger;
}

export function computePlan(target: string, desired: TenantModel, live: TenantModel, options: PlanOptions): Plan {
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
    items.push({ kind: 'action', name: action.name, change: options.allowDelete ? 'delete' : 'keep', drift: false, details: [options.allowDelete ? 'not in tenant.yaml: deleted, it stops running wherever it is bound' : 'not in tenant.yaml'] });
  }

  for (const [trigger, bindings] of Object.entries(desired.triggers)) {
    const current = live.triggers[trigger] ?? [];
    if (bindingsEqual(bindings, current)) continue;
    const stopping = current.filter((binding) => !bindings.some((wanted) => wanted.action === binding.action)).map((binding) => binding.action);
    items.push({
      kind: 'trigger',
      name: trigger,
      change: 'update',
      drift: drifted('trigger', trigger),
      details: [
        `bindings ${list(current.map(bindingLabel))} → ${list(bindings.map(bindingLabel))}`,
        ...(stopping.length > 0 ? [`stops running at ${trigger}: ${stopping.join(', ')} (not bound in tenant.yaml)`] : []),
      ],
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
      const existing = current.find((candidate) => identity(candidate) === identity(item));
      if (existing?.untouched) continue;
      if (!existing) {
        items.push({ kind, name: item.name, change: 'create', drift: false, details: [] });
        continue;
      }
      // On an API Auth0 keeps itself, a0deploy writes only a few fields.
      const compared = Object.keys(item.fields).sort().filter((key) => !existing.system || SYSTEM_API_FIELDS.includes(key));
      // Names only: a field's value may be a secret or a URL the team would rather not print.
      const details = compared.filter((key) => !covers(item.fields[key], existing.fields[key])).map((key) => `${key} changed`);
      if (details.length > 0) items.push({ kind, name: item.name, change: 'update', drift: drifted(kind, item.name), details });
    }
    for (const item of current) {
      if (item.system || item.untouched || wanted.some((candidate) => identity(candidate) === identity(item))) continue;
      items.push({ kind, name: item.name, change: options.allowDelete ? 'delete' : 'keep', drift: false, details: ['not in tenant.yaml'] });
    }
  }

  const sections = Object.entries(options.sections ?? {}).map(([key, digest]): SectionItem => ({
    name: key.slice(sectionKey('').length),
    state: ledger[key] === undefined ? 'new' : ledger[key] === digest ? 'unchanged' : 'changed',
  }));
  const changes = items.filter((item) => item.change !== 'keep').length + sections.filter((section) => section.state !== 'unchanged').length;
  return { target, items, sections, changes };
}

const SIGNS: Record<PlanItem['change'], string> = { create: '+', update: '~', delete: '-', keep: '=' };
const SECTION_SIGNS: Record<SectionItem['state'], string> = { new: '+', changed: '~', unchanged: '=' };
const SECTION_WORDS: Record<SectionItem['state'], string> = {
  new: 'send (not deployed here from this checkout before)',
  changed: 'send (changed since the last deploy)',
  unchanged: 'unchanged',
};

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
  if (plan.sections.length > 0) {
    lines.push('  other sections (sent to a0deploy as written; compared with what this checkout last deployed here)');
    for (const section of plan.sections) lines.push(`    ${SECTION_SIGNS[section.state]} ${section.name}  ${SECTION_WORDS[section.state]}`);
  }
  if (plan.users) lines.push(usersLine(plan.users));
  lines.push(`${planVerdict(plan)}${plan.changes === 0 ? ', so a0deploy is not run' : ''}.`);
  return lines.join('\n');
}

/** What the plan says of the tenant's users: how many the deploy meets with no provenance record yet. */
function usersLine(users: PlanUsers): string {
  const without = users.users - users.recorded;
  if (without <= 0) return `  users: every one of the ${users.users.toLocaleString('en')} has a provenance record (audit of ${users.at})`;
  return `  users: ${without.toLocaleString('en')} of ${users.users.toLocaleString('en')} have no provenance record yet (audit of ${users.at}): post-login records them at their next login as it finds them (unknown for most); npm run users -- backfill gives them one now`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The plan as Markdown, for a pull request's job summary: names and digests only, like the text form. */
export function formatPlanMarkdown(plan: Plan): string {
  const lines = [`## Plan for ${plan.target}`, ''];
  lines.push(plan.changes === 0 ? `${planVerdict(plan)}.` : `**${planVerdict(plan)}.**`);
  if (plan.users) lines.push('', usersLine(plan.users).trim().replace(/^users: /, 'Users: '));
  const shown = plan.items;
  if (shown.length > 0) {
    lines.push('', '| | resource | name | change | details |', '|---|---|---|---|---|');
    for (const item of shown) {
      const what = item.change === 'keep' ? 'kept (`--allow-delete` deletes it)' : item.change;
      lines.push(`| ${SIGNS[item.change]} | ${item.kind} | \`${cell(item.name)}\` | ${what}${item.drift ? ' — **drift**: changed on the tenant since the last deploy' : ''} | ${item.details.map(cell).join('<br>')} |`);
    }
  }
  const sent = plan.sections.filter((section) => section.state !== 'unchanged');
  if (plan.sections.length > 0) {
    const unchanged = plan.sections.filter((section) => section.state === 'unchanged').map((section) => `\`${section.name}\``);
    lines.push('', 'Other sections, sent to a0deploy as written (compared with what this checkout last deployed here):', '');
    for (const section of sent) lines.push(`- ${SECTION_SIGNS[section.state]} \`${section.name}\`: ${SECTION_WORDS[section.state]}`);
    if (unchanged.length > 0) lines.push(`- unchanged: ${unchanged.join(', ')}`);
  }
  return lines.join('\n');
}
