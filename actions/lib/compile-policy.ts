/**
 * Turns the policy and the connection table into lookups the Actions use on every execution:
 * per connection and attribute, the allowed sources, whether it is required, and what each kind of
 * violation does at signup and at login. Runs once per Actions instance (module scope).
 */
import { isRootAttribute, ROOT_ATTRIBUTES, RECORDED_SOURCES, type RecordedSource, type RootAttribute } from './attributes';
import type { ConnectionKind, SyncMode } from './connection-kinds';
import type { ActionConnectionTable } from './connection-table';
import type { ConnectionPolicy, EnforcementModes, Policy } from './define-policy';
import { fingerprint } from './digest';
import { compileValueRules, VALUE_RULES_VERSION, type ValueChecker } from './value-rules';

export type Trigger = 'signup' | 'login';
export type ViolationCategory = keyof EnforcementModes;

export interface CompiledAttribute {
  sources: ReadonlySet<RecordedSource>;
  required: boolean;
  enforce: Readonly<Record<Trigger, EnforcementModes>>;
}

export interface CompiledConnection {
  name: string;
  kind: ConnectionKind;
  sync: SyncMode | null;
  /** False for a connection the policy does not manage but records (`unmanagedConnections: 'record'`). */
  managed: boolean;
  attributes: Readonly<Record<RootAttribute, CompiledAttribute>>;
}

export interface CompiledPolicy {
  policy: Policy;
  /** Changes whenever the policy or the connection table changes: stored violations are then re-checked. */
  fingerprint: string;
  values: Readonly<Record<RootAttribute, ValueChecker>>;
  /** The connection's compiled policy, or what `unmanagedConnections` says for one it does not know. */
  connection(name: string): CompiledConnection | 'ignore' | 'deny';
}

const OFF: EnforcementModes = { required: 'off', values: 'off', sources: 'off' };

function compileConnection(name: string, policy: Policy, table: ActionConnectionTable, settings: ConnectionPolicy): CompiledConnection {
  const entry = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
  const attributes = {} as Record<RootAttribute, CompiledAttribute>;
  for (const attribute of ROOT_ATTRIBUTES) {
    const own = settings.attributes?.[attribute];
    const modes = (trigger: Trigger): EnforcementModes => ({
      ...policy.enforce[trigger],
      ...settings.enforce?.[trigger],
      ...own?.enforce?.[trigger],
    });
    attributes[attribute] = {
      sources: new Set(own?.sources ?? settings.sources),
      required: settings.required?.includes(attribute) ?? false,
      enforce: { signup: modes('signup'), login: modes('login') },
    };
  }
  return { name, kind: entry?.kind ?? 'unknown', sync: entry?.sync ?? null, managed: true, attributes };
}

function recordOnly(name: string, table: ActionConnectionTable): CompiledConnection {
  const entry = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
  const attribute: CompiledAttribute = { sources: new Set(RECORDED_SOURCES), required: false, enforce: { signup: OFF, login: OFF } };
  const attributes = Object.fromEntries(ROOT_ATTRIBUTES.map((a) => [a, attribute])) as Record<RootAttribute, CompiledAttribute>;
  return { name, kind: entry?.kind ?? 'unknown', sync: entry?.sync ?? null, managed: false, attributes };
}

/**
 * Compiles the policy over the connection table. The build passes the fingerprint it computed over the
 * full table (the bundles carry only each connection's kind and sync setting); scripts compute the same.
 */
export function compilePolicy(policy: Policy, table: ActionConnectionTable, precomputedFingerprint?: string): CompiledPolicy {
  const compiled = new Map<string, CompiledConnection>();
  for (const [name, settings] of Object.entries<ConnectionPolicy>(policy.connections)) {
    compiled.set(name, compileConnection(name, policy, table, settings));
  }
  const unmanaged = new Map<string, CompiledConnection>();
  return {
    policy,
    fingerprint: precomputedFingerprint ?? fingerprint({ policy, table, rules: VALUE_RULES_VERSION }),
    values: compileValueRules(policy.values),
    connection(name) {
      const known = compiled.get(name);
      if (known) return known;
      if (policy.unmanagedConnections !== 'record') return policy.unmanagedConnections;
      let entry = unmanaged.get(name);
      if (!entry) {
        entry = recordOnly(name, table);
        if (unmanaged.size < 100) unmanaged.set(name, entry);
      }
      return entry;
    },
  };
}

/** Which kind of violation a code (`<attribute>.<rule>`) is. */
export function violationCategory(code: string): ViolationCategory {
  const rule = code.slice(code.indexOf('.') + 1);
  if (rule === 'required') return 'required';
  if (rule === 'source-not-allowed') return 'sources';
  return 'values';
}

/** What a violation does on this connection at this trigger; `off` for a code naming no tracked attribute. */
export function enforcementOf(connection: CompiledConnection, code: string, trigger: Trigger) {
  const attribute = code.slice(0, code.indexOf('.'));
  if (!isRootAttribute(attribute)) return 'off';
  return connection.attributes[attribute].enforce[trigger][violationCategory(code)];
}
