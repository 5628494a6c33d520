/**
 * The state a deploy of tenant.yaml would leave: tenant.yaml and the files it loads, keyword-replaced as
 * a0deploy replaces them. Reads with the project's tenant.yaml loader.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SYNC_MODE, isSyncMode, syncSettingApplies } from '../../actions/lib/connection-kinds';
import type { Policy } from '../../actions/lib/define-policy';
import { ProjectError } from '../lib/errors';
import { replaceKeywords, type KeywordMappings } from '../lib/keywords';
import { isRecord, kindOf, loadedFiles, tenantConnections } from '../lib/tenant-model';
import { readTenantFile } from '../lib/tenant-yaml';
import { dependencyLabel, grantName, permissionLabels, sha256, sortedScopes, type ActionState, type BindingState, type ConnectionState, type TenantModel } from './model';

function loadFile(file: string, mappings: KeywordMappings): string {
  try {
    return replaceKeywords(readFileSync(file, 'utf8'), mappings);
  } catch (error) {
    throw new ProjectError('tenant-invalid', `cannot read ${path.relative(process.cwd(), file)}, which tenant.yaml names`, { cause: error, hint: 'run `npm run build`, or correct the path' });
  }
}

export function desiredTenant(tenantPath: string, mappings: KeywordMappings, policy: Pick<Policy, 'strategies'>): TenantModel {
  const absolute = path.resolve(tenantPath);
  const dir = path.dirname(absolute);
  const tenant = readTenantFile(absolute, mappings);
  const data = isRecord(tenant.data) ? tenant.data : {};

  const actions: ActionState[] = (Array.isArray(data.actions) ? data.actions : []).filter(isRecord).map((action) => ({
    name: String(action.name),
    codeDigest: sha256(loadFile(path.resolve(dir, String(action.code).replace(/\\/g, '/')), mappings)),
    runtime: typeof action.runtime === 'string' ? action.runtime : undefined,
    dependencies: (Array.isArray(action.dependencies) ? action.dependencies : []).map(dependencyLabel).sort(),
    secretNames: (Array.isArray(action.secrets) ? action.secrets : []).filter(isRecord).map((secret) => String(secret.name)).sort(),
    triggers: (Array.isArray(action.supported_triggers) ? action.supported_triggers : []).filter(isRecord).map((t) => `${String(t.id)}@${String(t.version)}`).sort(),
    deployed: action.deployed === true,
  }));

  const triggers: Record<string, BindingState[]> = {};
  if (isRecord(data.triggers)) {
    for (const [trigger, bindings] of Object.entries(data.triggers)) {
      triggers[trigger] = (Array.isArray(bindings) ? bindings : []).filter(isRecord).map((binding) => ({
        action: String(binding.action_name),
        displayName: typeof binding.display_name === 'string' ? binding.display_name : undefined,
      }));
    }
  }

  const files = loadedFiles(data, dir);
  const connections: ConnectionState[] = tenantConnections(data).map((connection) => {
    const options = structuredClone(connection.options);
    // a0deploy sends the files' contents in place of their names.
    for (const loaded of files.filter((file) => file.connection.section === connection.section && file.connection.path[1] === connection.path[1])) {
      const [field, key] = loaded.at;
      const holder = field === undefined ? undefined : options[field];
      if (isRecord(holder) && key !== undefined) holder[key] = loadFile(loaded.file, mappings);
    }
    const kind = kindOf(connection, policy);
    const { set_user_root_attributes: syncValue, ...rest } = options;
    const item = (Array.isArray(data[connection.section]) ? (data[connection.section] as unknown[]) : [])[connection.path[1] as number];
    const fields: Record<string, unknown> = {};
    if (isRecord(item)) {
      for (const key of ['display_name', 'metadata', 'is_domain_connection', 'show_as_button', 'realms']) if (item[key] !== undefined) fields[key] = item[key];
    }
    return {
      name: connection.name,
      strategy: connection.strategy,
      section: connection.section,
      sync: syncSettingApplies(kind) ? (isSyncMode(syncValue) ? syncValue : DEFAULT_SYNC_MODE) : null,
      syncExplicit: syncValue !== undefined,
      options: rest,
      fields,
    };
  });
  const section = (name: string) => (Array.isArray(data[name]) ? (data[name] as unknown[]).filter(isRecord) : undefined);
  const withoutKeys = (item: Record<string, unknown>, keys: string[]) => Object.fromEntries(Object.entries(item).filter(([key]) => !keys.includes(key)));
  const clients = section('clients')?.map((client) => ({ name: String(client.name), fields: withoutKeys(client, ['name']) }));
  const apis = section('resourceServers')?.map((api) => {
    const fields = withoutKeys(api, ['identifier']);
    if (fields.scopes !== undefined) fields.scopes = sortedScopes(fields.scopes);
    return { name: String(api.identifier), fields };
  });
  const grants = section('clientGrants')?.map((grant) => ({
    name: grantName(String(grant.client_id), String(grant.audience)),
    fields: { ...withoutKeys(grant, ['client_id', 'audience']), ...(grant.scope !== undefined ? { scope: sortedScopes(grant.scope) } : {}) },
  }));
  const roles = section('roles')?.map((role) => ({
    name: String(role.name),
    fields: { ...withoutKeys(role, ['name', 'permissions']), permissions: permissionLabels(role.permissions) },
  }));
  return { actions, triggers, connections, clients, apis, grants, roles };
}
