/**
 * One shape for a tenant's deployable state, read from tenant.yaml (what a0deploy will send) or from a
 * live tenant (through the auth0 SDK), so the plan compares like with like.
 */
import { createHash } from 'node:crypto';
import type { SyncMode } from '../../actions/lib/connection-kinds';

export interface ActionState {
  name: string;
  codeDigest: string;
  /** Undefined when tenant.yaml leaves it to Auth0's default. */
  runtime: string | undefined;
  dependencies: string[];
  secretNames: string[];
  triggers: string[];
  deployed: boolean;
}

export interface BindingState {
  action: string;
  /** Undefined when tenant.yaml leaves it to the default (the action's name). */
  displayName: string | undefined;
}

export interface ConnectionState {
  name: string;
  strategy: string;
  section: 'databases' | 'connections';
  /** Effective `set_user_root_attributes` (absent means on_each_login); null where it does not apply. */
  sync: SyncMode | null;
  /** Whether the setting is written out (tenant.yaml) or returned (live: Auth0 omits the default). */
  syncExplicit: boolean;
  options: Record<string, unknown>;
  fields: Record<string, unknown>;
}

/**
 * An application, API or client grant, compared on the fields tenant.yaml sets: a0deploy sends those
 * and Auth0 keeps the others. Named as people name them: a client by name, an API by identifier, a
 * grant as `client → audience`.
 */
export interface SettingsState {
  name: string;
  /** What identifies it across tenant.yaml and the tenant when not its name (a CIMD client's metadata URL). */
  key?: string;
  /** Live only: an API Auth0 keeps itself (`is_system`), which a0deploy neither creates nor deletes. */
  system?: boolean;
  /** Live only: the deploy client itself, which a0deploy never changes or deletes. */
  untouched?: boolean;
  fields: Record<string, unknown>;
}

/** A client registered by metadata document is known by its document's URL: Auth0 names it from the document. */
export const cimdKey = (externalClientId: string) => `cimd:${externalClientId}`;

export interface TenantModel {
  actions: ActionState[];
  /** Bindings per trigger; for tenant.yaml only the triggers it lists. */
  triggers: Record<string, BindingState[]>;
  connections: ConnectionState[];
  /** For tenant.yaml, undefined when it has no such section (the section is then not managed). */
  clients?: SettingsState[];
  apis?: SettingsState[];
  grants?: SettingsState[];
  /** Roles by name, with their permissions (`resource server identifier:permission`, sorted). */
  roles?: SettingsState[];
}

/** A role's permissions as one sorted list of `api:permission`, from tenant.yaml's or the API's shape. */
export function permissionLabels(value: unknown): string[] {
  return (Array.isArray(value) ? value : [])
    .map((item) => (typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {}))
    .map((item) => `${String(item.resource_server_identifier ?? '')}:${String(item.permission_name ?? '')}`)
    .sort();
}

export const grantName = (client: string, audience: string) => `${client} → ${audience}`;

/** Scope lists compare as sets: Auth0 does not keep their order. */
export function sortedScopes(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return [...value].sort((a, b) => canonical(a).localeCompare(canonical(b)));
}

/** The item without the named keys. */
export function omitKeys(item: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([key]) => !keys.includes(key)));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with sorted keys: equal values give equal strings. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().filter((key) => record[key] !== undefined).map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function dependencyLabel(dependency: unknown): string {
  const record = (typeof dependency === 'object' && dependency !== null ? dependency : {}) as Record<string, unknown>;
  return `${String(record.name ?? '?')}@${String(record.version ?? '')}`;
}
