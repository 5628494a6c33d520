/** A live tenant's deployable state, read through the official auth0 SDK. */
import type { ManagementClient } from 'auth0';
import { DEFAULT_SYNC_MODE, connectionKind, isSyncMode, syncSettingApplies } from '../../actions/lib/connection-kinds';
import type { Policy } from '../../actions/lib/define-policy';
import { isRecord } from '../lib/tenant-model';
import { cimdKey, dependencyLabel, grantName, permissionLabels, sha256, sortedScopes, type ActionState, type BindingState, type ConnectionState, type SettingsState, type TenantModel } from './model';

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}

/** What the plan reads of clients, APIs and grants: only the sections tenant.yaml manages. */
export interface LiveSections {
  clients: boolean;
  apis: boolean;
  grants: boolean;
  roles?: boolean;
  /** The deploy client itself: a0deploy never changes it or its grants, so neither does the plan. */
  deployClientId: string;
}

/** The fields of a live resource that tenant.yaml can set (everything but ids and read-only fields). */
function settings(record: Record<string, unknown>, omit: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key, value]) => !omit.includes(key) && value !== undefined));
}

/** The tenant's roles with their permissions, as tenant.yaml names them. */
async function liveRoles(management: ManagementClient): Promise<SettingsState[]> {
  const roles = await all(await management.roles.list({ per_page: 50 }));
  return Promise.all(roles.map(async (role) => {
    const permissions = await all(await management.roles.permissions.list(role.id ?? '', { per_page: 100 }));
    return { name: role.name ?? '', fields: { ...(role.description !== undefined ? { description: role.description } : {}), permissions: permissionLabels(permissions) } };
  }));
}

/**
 * A client's references to profiles and other clients by name, as tenant.yaml writes them (a0deploy maps names
 * to ids when it deploys, and ids to names when it exports: `dump` in its `context/yaml/handlers/clients.js`).
 */
async function namedReferences(management: ManagementClient, clients: Array<Record<string, unknown>>): Promise<(client: Record<string, unknown>) => Record<string, unknown>> {
  const configured = clients.some((client) => isRecord(client.express_configuration) || isRecord(client.my_organization_configuration));
  if (!configured) return (client) => client;
  type Named = { id?: string; name?: string };
  const [attributeProfiles, connectionProfiles] = (await Promise.all([
    all(await management.userAttributeProfiles.list({ take: 50 })),
    all(await management.connectionProfiles.list({ take: 50 })),
  ])) as unknown as [Named[], Named[]];
  const nameIn = (list: Named[], id: unknown) => list.find((item) => item.id === id)?.name ?? id;
  const clientName = (id: unknown) => clients.find((client) => client.client_id === id)?.name ?? id;
  const rename = (config: Record<string, unknown>, key: string, name: (id: unknown) => unknown) => (config[key] === undefined ? config : { ...config, [key]: name(config[key]) });
  return (client) => {
    const named = { ...client };
    if (isRecord(named.express_configuration)) {
      let config = rename(named.express_configuration, 'user_attribute_profile_id', (id) => nameIn(attributeProfiles, id));
      config = rename(config, 'connection_profile_id', (id) => nameIn(connectionProfiles, id));
      named.express_configuration = rename(config, 'okta_oin_client_id', clientName);
    }
    if (isRecord(named.my_organization_configuration)) {
      let config = rename(named.my_organization_configuration, 'user_attribute_profile_id', (id) => nameIn(attributeProfiles, id));
      config = rename(config, 'connection_profile_id', (id) => nameIn(connectionProfiles, id));
      named.my_organization_configuration = rename(config, 'invitation_landing_client_id', clientName);
    }
    return named;
  };
}

async function liveSettings(management: ManagementClient, sections: LiveSections): Promise<Pick<TenantModel, 'clients' | 'apis' | 'grants' | 'roles'>> {
  const roles = sections.roles ? { roles: await liveRoles(management) } : {};
  if (!sections.clients && !sections.apis && !sections.grants) return roles;
  type Listed = Array<Record<string, unknown>>;
  const [clientList, apiList, grantList] = (await Promise.all([
    all(await management.clients.list({ per_page: 100, is_global: false })),
    sections.apis ? all(await management.resourceServers.list({ per_page: 100 })) : [],
    sections.grants ? all(await management.clientGrants.list({ take: 50 })) : [],
  ])) as unknown as [Listed, Listed, Listed];
  const nameOf = new Map(clientList.map((client) => [String(client.client_id), String(client.name)]));
  const result: Pick<TenantModel, 'clients' | 'apis' | 'grants' | 'roles'> = { ...roles };
  if (sections.clients) {
    const named = await namedReferences(management, clientList);
    result.clients = clientList
      .map(named)
      .map((client) => ({
        name: String(client.name),
        ...(typeof client.external_client_id === 'string' && client.external_client_id ? { key: cimdKey(client.external_client_id) } : {}),
        // An export names the deploy client too; a0deploy leaves it alone, whatever tenant.yaml says of it.
        ...(client.client_id === sections.deployClientId ? { untouched: true } : {}),
        fields: settings(client, ['name', 'client_id', 'client_secret', 'tenant', 'global', 'signing_keys', 'external_client_id']),
      }));
  }
  if (sections.apis) {
    result.apis = apiList.map((api) => {
      const fields = settings(api, ['identifier', 'id', 'is_system']);
      if (fields.scopes !== undefined) fields.scopes = sortedScopes(fields.scopes);
      return { name: String(api.identifier), ...(api.is_system === true ? { system: true } : {}), fields };
    });
  }
  if (sections.grants) {
    result.grants = grantList
      .filter((grant) => grant.client_id !== sections.deployClientId)
      .map((grant) => ({
        name: grantName(nameOf.get(String(grant.client_id)) ?? String(grant.client_id), String(grant.audience)),
        fields: { ...settings(grant, ['id', 'client_id', 'audience']), ...(grant.scope !== undefined ? { scope: sortedScopes(grant.scope) } : {}) },
      }));
  }
  return result;
}

export async function liveTenant(management: ManagementClient, triggerIds: readonly string[], policy: Pick<Policy, 'strategies'>, sections?: LiveSections): Promise<TenantModel> {
  const [actionList, connectionList] = await Promise.all([
    all(await management.actions.list({ per_page: 100 })),
    all(await management.connections.list({ take: 50 })),
  ]);

  const actions: ActionState[] = actionList.map((action) => ({
    name: action.name ?? '',
    codeDigest: sha256(action.code ?? ''),
    runtime: action.runtime,
    dependencies: (action.dependencies ?? []).map(dependencyLabel).sort(),
    secretNames: (action.secrets ?? []).map((secret) => secret.name ?? '').sort(),
    triggers: (action.supported_triggers ?? []).map((t) => `${t.id}@${t.version ?? ''}`).sort(),
    deployed: action.all_changes_deployed === true,
  }));

  const triggers: Record<string, BindingState[]> = {};
  for (const trigger of triggerIds) {
    const bindings = await all(await management.actions.triggers.bindings.list(trigger as Parameters<ManagementClient["actions"]["triggers"]["bindings"]["list"]>[0], { per_page: 50 }));
    triggers[trigger] = bindings.map((binding) => ({ action: binding.action?.name ?? '', displayName: binding.display_name }));
  }

  const connections: ConnectionState[] = connectionList.map((connection) => {
    const options = (isRecord(connection.options) ? connection.options : {}) as Record<string, unknown>;
    const { set_user_root_attributes: syncValue, ...rest } = options;
    const strategy = connection.strategy ?? '';
    const kind = connectionKind({ strategy, options }, policy.strategies ?? {});
    const fields: Record<string, unknown> = {};
    const record = connection as unknown as Record<string, unknown>;
    for (const key of ['display_name', 'metadata', 'is_domain_connection', 'show_as_button', 'realms']) if (record[key] !== undefined) fields[key] = record[key];
    return {
      name: connection.name ?? '',
      strategy,
      section: strategy === 'auth0' ? 'databases' : 'connections',
      // Auth0 leaves the option out of its answer while it is on_each_login, set or not: whether the tenant
      // omits it cannot be told, so the plan never says "(the default)" of the live side.
      sync: syncSettingApplies(kind) ? (isSyncMode(syncValue) ? syncValue : DEFAULT_SYNC_MODE) : null,
      syncExplicit: true,
      options: rest,
      fields,
    };
  });
  return { actions, triggers, connections, ...(sections ? await liveSettings(management, sections) : {}) };
}
