/**
 * Connections and their enabled clients — what `a0deploy import` of `databases` and `connections`
 * calls, with Auth0's semantics where this project depends on them:
 * - PATCH replaces `options` wholesale (a deploy that leaves an option out removes it);
 * - `set_user_root_attributes` is omitted from answers while it is `on_each_login`, the default.
 */
import { badRequest, conflict, notFound, type Route } from '../http';
import { newConnectionId, type StateStore, type StoredConnection } from '../state';
import { array, boolean, checkpoint, object, onlyKeys, string } from './validate';

const UPDATABLE = ['options', 'display_name', 'metadata', 'realms', 'is_domain_connection', 'show_as_button', 'enabled_clients', 'authentication', 'connected_accounts'];
const CREATABLE = ['name', 'strategy', ...UPDATABLE];

/** A connection as the API shows it. */
export function publicConnection(connection: StoredConnection) {
  const { set_user_root_attributes: sync, ...options } = connection.options;
  return {
    id: connection.id,
    options: sync === undefined || sync === 'on_each_login' ? options : { ...options, set_user_root_attributes: sync },
    strategy: connection.strategy,
    name: connection.name,
    is_domain_connection: false,
    authentication: { active: true },
    connected_accounts: { active: false },
    realms: [connection.name],
    ...connection.fields,
    enabled_clients: connection.enabled_clients,
  };
}

function findConnection(store: StateStore, id: string): StoredConnection {
  const connection = store.state.connections.find((candidate) => candidate.id === id);
  if (!connection) throw notFound('The connection does not exist', 'inexistent_connection');
  return connection;
}

function options(body: Record<string, unknown>): Record<string, unknown> | undefined {
  if (body.options === undefined || body.options === null) return undefined;
  return object(body.options, 'options');
}

function clientIds(store: StateStore, value: unknown[]): string[] {
  return value.map((id) => {
    if (typeof id !== 'string' || !store.state.clients.some((client) => client.client_id === id)) {
      throw badRequest(`Payload validation error: unknown client ${JSON.stringify(id)} in enabled_clients`);
    }
    return id;
  });
}

/** Top-level fields other than name, strategy, options and enabled_clients, as given. */
function otherFields(body: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of ['display_name', 'metadata', 'realms', 'is_domain_connection', 'show_as_button', 'authentication', 'connected_accounts']) {
    if (body[key] !== undefined) fields[key] = body[key];
  }
  if (fields.display_name !== undefined) string(body, 'display_name', { max: 128 });
  if (fields.is_domain_connection !== undefined) boolean(body, 'is_domain_connection');
  return fields;
}

export function connectionRoutes(store: StateStore): Route[] {
  const { state } = store;
  return [
    {
      method: 'GET',
      path: '/api/v2/connections', scopes: ['read:connections'],
      handler: ({ query }) => {
        let connections = state.connections;
        const strategies = query.getAll('strategy');
        if (strategies.length > 0) connections = connections.filter((connection) => strategies.includes(connection.strategy));
        const name = query.get('name');
        if (name !== null) connections = connections.filter((connection) => connection.name === name);
        const { items, next } = checkpoint(connections, query);
        return { status: 200, body: { connections: items.map(publicConnection), ...(next ? { next } : {}) } };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/connections', scopes: ['create:connections'],
      handler: ({ body }) => {
        const fields = object(body);
        onlyKeys(fields, CREATABLE);
        const name = string(fields, 'name', { required: true, max: 128 }) as string;
        const strategy = string(fields, 'strategy', { required: true, max: 64 }) as string;
        if (state.connections.some((connection) => connection.name === name)) throw conflict('A connection with the same name already exists', 'connection_conflicts');
        const enabled = array(fields, 'enabled_clients');
        const connection: StoredConnection = {
          id: newConnectionId(),
          name,
          strategy,
          options: options(fields) ?? {},
          fields: otherFields(fields),
          enabled_clients: enabled ? clientIds(store, enabled) : [],
          created_at: new Date().toISOString(),
        };
        state.connections.push(connection);
        store.save();
        return { status: 201, body: publicConnection(connection) };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/connections/:id', scopes: ['read:connections'],
      handler: ({ params }) => ({ status: 200, body: publicConnection(findConnection(store, params.id ?? '')) }),
    },
    {
      method: 'PATCH',
      path: '/api/v2/connections/:id', scopes: ['update:connections'],
      handler: ({ params, body }) => {
        const connection = findConnection(store, params.id ?? '');
        const fields = object(body);
        onlyKeys(fields, UPDATABLE);
        const given = options(fields);
        // Auth0 replaces options wholesale on PATCH: whatever the body leaves out is gone.
        if (given !== undefined) connection.options = given;
        Object.assign(connection.fields, otherFields(fields));
        const enabled = array(fields, 'enabled_clients');
        if (enabled) connection.enabled_clients = clientIds(store, enabled);
        store.save();
        return { status: 200, body: publicConnection(connection) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/connections/:id', scopes: ['delete:connections'],
      handler: ({ params }) => {
        const connection = findConnection(store, params.id ?? '');
        state.connections = state.connections.filter((candidate) => candidate.id !== connection.id);
        store.save();
        return { status: 202, body: { deleted_at: new Date().toISOString() } };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/connections/:id/clients', scopes: ['read:connections'],
      handler: ({ params, query }) => {
        const connection = findConnection(store, params.id ?? '');
        const { items, next } = checkpoint(connection.enabled_clients, query);
        return { status: 200, body: { clients: items.map((client_id) => ({ client_id })), ...(next ? { next } : {}) } };
      },
    },
    {
      method: 'PATCH',
      path: '/api/v2/connections/:id/clients', scopes: ['update:connections'],
      handler: ({ params, body }) => {
        const connection = findConnection(store, params.id ?? '');
        if (!Array.isArray(body)) throw badRequest('Payload validation error: body must be an array of { client_id, status }');
        if (body.length > 50) throw badRequest('Payload validation error: at most 50 clients per request');
        for (const item of body) {
          const change = object(item, 'item');
          const [id] = clientIds(store, [change.client_id]);
          const status = boolean(change, 'status');
          if (status === undefined || id === undefined) throw badRequest('Payload validation error: Missing required property: status');
          connection.enabled_clients = connection.enabled_clients.filter((client) => client !== id);
          if (status) connection.enabled_clients.push(id);
        }
        store.save();
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/connections/:id/scim-configuration', scopes: ['read:scim_config'],
      handler: () => {
        throw notFound('Not Found', 'inexistent_scim_configuration');
      },
    },
  ];
}
