/**
 * APIs (resource servers), as a0deploy deploys them: an `audience` at `/authorize` or at the token
 * endpoint names one by its identifier, and its scopes bound what a token for it may carry. The
 * tenant's own Management API is listed as Auth0 lists it (a system API a0deploy leaves alone).
 */
import { randomBytes } from 'node:crypto';
import { badRequest, conflict, notFound, type Route } from '../http';
import { MANAGEMENT_API_PATH } from '../scopes';
import type { StateStore, StoredResourceServer } from '../state';
import { array, boolean, object, page, string } from './validate';

export const MANAGEMENT_API_NAME = 'Auth0 Management API';

const KNOWN = ['id', 'name', 'identifier', 'scopes', 'signing_alg', 'token_lifetime', 'allow_offline_access', 'skip_consent_for_verifiable_first_party_clients', 'is_system'];

export function resourceServers(store: StateStore): StoredResourceServer[] {
  return (store.state.resourceServers ??= []);
}

/** The API an audience names, or undefined. */
export function findResourceServer(store: StateStore, identifier: string): StoredResourceServer | undefined {
  return resourceServers(store).find((server) => server.identifier === identifier);
}

/**
 * The scopes a user's access token may carry for the tenant's Management API (Auth0's "Get Management API
 * tokens for single-page applications"); no Management API route here accepts a user's token.
 */
const CURRENT_USER_SCOPES = [
  'read:current_user', 'update:current_user_identities', 'create:current_user_metadata', 'update:current_user_metadata',
  'delete:current_user_metadata', 'create:current_user_device_credentials', 'delete:current_user_device_credentials',
];

/** The API an `audience` at a user login names — one tenant.yaml registered, or the tenant's Management API — or undefined. */
export function findAudience(store: StateStore, identifier: string, domain: string): StoredResourceServer | undefined {
  if (identifier !== `https://${domain}/${MANAGEMENT_API_PATH}`) return findResourceServer(store, identifier);
  const { is_system: _system, ...management } = managementApi(domain);
  return { ...management, scopes: CURRENT_USER_SCOPES.map((value) => ({ value })), fields: {} };
}

function publicServer(server: StoredResourceServer) {
  const { fields, ...rest } = server;
  return { ...fields, ...rest, is_system: false };
}

function managementApi(domain: string) {
  return {
    id: 'local-management-api', name: MANAGEMENT_API_NAME, identifier: `https://${domain}/${MANAGEMENT_API_PATH}`, is_system: true,
    signing_alg: 'RS256', token_lifetime: 86_400, allow_offline_access: false, skip_consent_for_verifiable_first_party_clients: false, scopes: [],
  };
}

function scopes(fields: Record<string, unknown>): StoredResourceServer['scopes'] | undefined {
  const list = array(fields, 'scopes');
  if (list === undefined) return undefined;
  return list.map((item) => {
    const scope = object(item, 'scopes[]');
    const value = string(scope, 'value', { required: true, max: 280 }) as string;
    if (/\s/.test(value)) throw badRequest(`Payload validation error: a scope value cannot contain spaces (${JSON.stringify(value)})`);
    const description = string(scope, 'description', { max: 500 });
    return { value, ...(description !== undefined ? { description } : {}) };
  });
}

function apply(server: StoredResourceServer, fields: Record<string, unknown>): void {
  const name = string(fields, 'name', { max: 200 });
  if (name !== undefined) server.name = name;
  const list = scopes(fields);
  if (list !== undefined) server.scopes = list;
  const alg = string(fields, 'signing_alg');
  if (alg !== undefined) {
    if (!['RS256', 'HS256', 'PS256'].includes(alg)) throw badRequest('Payload validation error: signing_alg must be RS256, HS256 or PS256');
    server.signing_alg = alg;
  }
  if (fields.token_lifetime !== undefined) {
    if (!Number.isInteger(fields.token_lifetime) || (fields.token_lifetime as number) < 1 || (fields.token_lifetime as number) > 2_592_000) throw badRequest('Payload validation error: token_lifetime must be an integer of seconds up to 2592000');
    server.token_lifetime = fields.token_lifetime as number;
  }
  const offline = boolean(fields, 'allow_offline_access');
  if (offline !== undefined) server.allow_offline_access = offline;
  const skip = boolean(fields, 'skip_consent_for_verifiable_first_party_clients');
  if (skip !== undefined) server.skip_consent_for_verifiable_first_party_clients = skip;
  server.fields = { ...server.fields, ...Object.fromEntries(Object.entries(fields).filter(([key]) => !KNOWN.includes(key))) };
}

export function resourceServerRoutes(store: StateStore, domain: () => string): Route[] {
  const find = (id: string) => {
    const server = resourceServers(store).find((candidate) => candidate.id === id || candidate.identifier === id);
    if (!server) throw notFound('Resource server not found');
    return server;
  };
  return [
    {
      method: 'GET',
      path: '/api/v2/resource-servers', scopes: ['read:resource_servers'],
      handler: ({ query }) => {
        const all = [managementApi(domain()), ...resourceServers(store).map(publicServer)];
        const { page: pageNumber, perPage } = page(query, 50, 100);
        const items = all.slice(pageNumber * perPage, (pageNumber + 1) * perPage);
        if (query.get('include_totals') === 'true') return { status: 200, body: { total: all.length, start: pageNumber * perPage, limit: perPage, resource_servers: items } };
        return { status: 200, body: items };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/resource-servers/:id', scopes: ['read:resource_servers'],
      handler: ({ params }) => ({ status: 200, body: publicServer(find(params.id ?? '')) }),
    },
    {
      method: 'POST',
      path: '/api/v2/resource-servers', scopes: ['create:resource_servers'],
      handler: ({ body }) => {
        const fields = object(body);
        const identifier = string(fields, 'identifier', { required: true, max: 600 }) as string;
        if (identifier === `https://${domain()}/${MANAGEMENT_API_PATH}` || findResourceServer(store, identifier)) throw conflict('A resource server with the same identifier already exists', 'resource_server_conflict');
        const server: StoredResourceServer = {
          id: randomBytes(12).toString('hex'), name: identifier, identifier, scopes: [], signing_alg: 'RS256', token_lifetime: 86_400,
          allow_offline_access: false, skip_consent_for_verifiable_first_party_clients: true, fields: {},
        };
        apply(server, fields);
        resourceServers(store).push(server);
        store.save();
        return { status: 201, body: publicServer(server) };
      },
    },
    {
      method: 'PATCH',
      path: '/api/v2/resource-servers/:id', scopes: ['update:resource_servers'],
      handler: ({ params, body }) => {
        const server = find(params.id ?? '');
        const fields = object(body);
        if (fields.identifier !== undefined && fields.identifier !== server.identifier) throw badRequest('Payload validation error: identifier cannot be changed');
        const draft = structuredClone(server);
        apply(draft, fields);
        Object.assign(server, draft);
        store.save();
        return { status: 200, body: publicServer(server) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/resource-servers/:id', scopes: ['delete:resource_servers'],
      handler: ({ params }) => {
        const server = find(params.id ?? '');
        store.state.resourceServers = resourceServers(store).filter((candidate) => candidate !== server);
        store.state.clientGrants = store.state.clientGrants.filter((grant) => grant.audience !== server.identifier);
        store.save();
        return { status: 204 };
      },
    },
  ];
}
