/**
 * The state a deploy of tenant.yaml would leave: tenant.yaml read by a0deploy's own loader (its keyword
 * replacement, the files each section names filled in), shaped as a0deploy's handlers write it.
 */
import { DEFAULT_SYNC_MODE, isSyncMode, syncSettingApplies } from '../../actions/lib/connection-kinds';
import type { Policy } from '../../actions/lib/define-policy';
import type { KeywordMappings } from '../lib/keywords';
import { isRecord, kindOf, tenantConnections } from '../lib/tenant-model';
import { clientAsSent, clientGrantAsSent, isCimdClient, loadAsDeployCli, resourceServerAsSent } from './a0deploy-loader';
import { cimdKey, dependencyLabel, omitKeys, grantName, permissionLabels, sha256, sortedScopes, type ActionState, type BindingState, type ConnectionState, type TenantModel } from './model';

export async function desiredTenant(tenantPath: string, mappings: KeywordMappings, policy: Pick<Policy, 'strategies'>): Promise<TenantModel> {
  return desiredFrom(await loadAsDeployCli(tenantPath, mappings), policy);
}

/** The model of what a0deploy's loader made of tenant.yaml (`loadAsDeployCli`). */
export function desiredFrom(data: Record<string, unknown>, policy: Pick<Policy, 'strategies'>): TenantModel {
  const actions: ActionState[] = (Array.isArray(data.actions) ? data.actions : []).filter(isRecord).map((action) => ({
    name: String(action.name),
    codeDigest: sha256(typeof action.code === 'string' ? action.code : ''),
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

  const connections: ConnectionState[] = tenantConnections(data).map((connection) => {
    const options = structuredClone(connection.options);
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
  const clients = section('clients')?.map((client) => {
    const sent = clientAsSent(client);
    return isCimdClient(client)
      ? { name: String(client.name), key: cimdKey(String(client.external_client_id)), fields: omitKeys(sent, ['name', 'external_client_id']) }
      : { name: String(client.name), fields: omitKeys(sent, ['name']) };
  });
  const apis = section('resourceServers')?.map((api) => {
    const fields = omitKeys(resourceServerAsSent(api), ['identifier']);
    if (fields.scopes !== undefined) fields.scopes = sortedScopes(fields.scopes);
    return { name: String(api.identifier), fields };
  });
  const grants = section('clientGrants')?.map((grant) => ({
    name: grantName(String(grant.client_id), String(grant.audience)),
    fields: { ...omitKeys(clientGrantAsSent(grant), ['client_id', 'audience']), ...(grant.scope !== undefined ? { scope: sortedScopes(grant.scope) } : {}) },
  }));
  const roles = section('roles')?.map((role) => ({
    name: String(role.name),
    fields: { ...omitKeys(role, ['name', 'permissions']), permissions: permissionLabels(role.permissions) },
  }));
  return { actions, triggers, connections, clients, apis, grants, roles };
}
