/**
 * Typed, tolerant views of tenant.yaml's sections. Wrong types are skipped here (the checker reports
 * them); what is returned keeps its YAML path so findings can be located.
 */
import { connectionKind, DEFAULT_SYNC_MODE, isSyncMode, syncSettingApplies, type ConnectionKind } from '../../actions/lib/connection-kinds';
import type { ConnectionTable } from '../../actions/lib/connection-table';
import type { Policy } from '../../actions/lib/define-policy';
import * as path from 'node:path';
import type { YamlPath } from './tenant-yaml';

export type ConnectionSection = 'databases' | 'connections';

export interface TenantConnection {
  section: ConnectionSection;
  path: YamlPath;
  name: string;
  /** As written; databases default to `auth0` as in a0deploy. Empty when a connection gives none. */
  strategy: string;
  options: Record<string, unknown>;
  /** False when `options` is given but is not a mapping (the checker's field-type rule reports it). */
  optionsValid: boolean;
  /** `options.set_user_root_attributes` exactly as written, or undefined when absent. */
  syncValue: unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The connections of both sections that have a string name (databases default to strategy `auth0`). */
export function tenantConnections(data: unknown): TenantConnection[] {
  if (!isRecord(data)) return [];
  const found: TenantConnection[] = [];
  for (const section of ['databases', 'connections'] as const) {
    const list = data[section];
    if (!Array.isArray(list)) continue;
    list.forEach((item: unknown, index) => {
      if (!isRecord(item) || typeof item.name !== 'string') return;
      const strategy = typeof item.strategy === 'string' ? item.strategy : section === 'databases' ? 'auth0' : '';
      const options = isRecord(item.options) ? item.options : {};
      const optionsValid = item.options === undefined || item.options === null || isRecord(item.options);
      found.push({ section, path: [section, index], name: item.name, strategy, options, optionsValid, syncValue: options.set_user_root_attributes });
    });
  }
  return found;
}

export function kindOf(connection: TenantConnection, policy: Pick<Policy, 'strategies'>): ConnectionKind {
  return connectionKind({ strategy: connection.strategy, options: connection.options }, policy.strategies ?? {});
}

/**
 * The connection table the Actions carry: name → strategy, kind, effective sync setting
 * (absent means `on_each_login`; a value Auth0 would not accept is left to the checker and read as absent).
 */
export function deriveConnectionTable(data: unknown, policy: Pick<Policy, 'strategies'>): ConnectionTable {
  const table: Record<string, ConnectionTable[string]> = {};
  for (const connection of tenantConnections(data)) {
    const kind = kindOf(connection, policy);
    const sync = syncSettingApplies(kind) ? (isSyncMode(connection.syncValue) ? connection.syncValue : DEFAULT_SYNC_MODE) : null;
    table[connection.name] = { strategy: connection.strategy, kind, sync };
  }
  return table;
}

/** A file a0deploy reads because tenant.yaml names it (keyword-replaced like tenant.yaml itself). */
export interface LoadedFile {
  connection: TenantConnection;
  /** Where in the connection's options the file name is, and so where its contents go. */
  at: readonly string[];
  /** As written in tenant.yaml. */
  name: string;
  /** Resolved the way a0deploy resolves it, from tenant.yaml's folder. */
  file: string;
}

/** The passwordless email templates and custom database scripts tenant.yaml names. */
export function loadedFiles(data: unknown, tenantDir: string): LoadedFile[] {
  const files: LoadedFile[] = [];
  const resolve = (dir: string, name: string) => path.resolve(dir, name.replace(/\\/g, '/'));
  for (const connection of tenantConnections(data)) {
    const email = connection.options.email;
    if (connection.strategy === 'email' && isRecord(email) && typeof email.body === 'string') {
      files.push({ connection, at: ['email', 'body'], name: email.body, file: resolve(path.join(tenantDir, 'connections'), email.body) });
    }
    const scripts = connection.options.customScripts;
    if (connection.section === 'databases' && isRecord(scripts)) {
      for (const [script, name] of Object.entries(scripts)) {
        if (typeof name === 'string') files.push({ connection, at: ['customScripts', script], name, file: resolve(tenantDir, name) });
      }
    }
  }
  return files;
}
