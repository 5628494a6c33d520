/**
 * Clients (applications) and client grants, as a0deploy deploys them and the login side uses them:
 * `enabled_clients` names resolve to ids through the list, callbacks and logout URLs bound what
 * `/authorize` and `/v2/logout` accept, and a client grant decides which scopes a client-credentials
 * token for an API carries.
 */
import { randomBytes } from 'node:crypto';
import { badRequest, conflict, HttpError, notFound, type Route } from '../http';
import { insufficientScopeMessage } from '../scopes';
import { MANAGEMENT_API_PATH } from '../scopes';
import { newClientId, type StateStore, type StoredClient, type StoredClientGrant } from '../state';
import { array, boolean, listBody, object, projection, string } from './validate';

/** A client as the API shows it: its secret only to a token with read:client_keys (Auth0's rule). */
function publicClient(client: StoredClient, scopes?: ReadonlySet<string>) {
  const { client_secret: secret, fields, ...rest } = client;
  const keys = scopes?.has('read:client_keys') && authMethod(client) !== 'none' ? { client_secret: secret } : {};
  // Auth0 answers custom_login_page_on: true for a client that never set it (every recorded answer does).
  return { tenant: 'local', global: false, oidc_conformant: true, custom_login_page_on: true, ...fields, ...rest, token_endpoint_auth_method: authMethod(client), ...keys };
}

const newSecret = () => randomBytes(48).toString('base64url');

/** A PATCH that sets `client_secret` needs update:client_keys, as on Auth0. */
function requireKeysScope(scopes: ReadonlySet<string> | undefined): void {
  if (!scopes?.has('update:client_keys')) throw new HttpError(403, insufficientScopeMessage(['update:client_keys']), 'insufficient_scope');
}

/** Auth0's defaults by application type. */
const DEFAULT_GRANTS: Record<string, string[]> = {
  spa: ['implicit', 'authorization_code', 'refresh_token'],
  native: ['implicit', 'authorization_code', 'refresh_token'],
  regular_web: ['implicit', 'authorization_code', 'refresh_token', 'client_credentials'],
  non_interactive: ['client_credentials'],
  // The client Auth0 makes for an API that acts on its own behalf (a0deploy exports it).
  resource_server: ['client_credentials'],
};
const APP_TYPES = Object.keys(DEFAULT_GRANTS);
const AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic'];

/** Public clients (SPA, native) authenticate with PKCE alone; the others with their secret. */
export function authMethod(client: Pick<StoredClient, 'app_type' | 'token_endpoint_auth_method'>): string {
  return client.token_endpoint_auth_method ?? (client.app_type === 'spa' || client.app_type === 'native' ? 'none' : 'client_secret_post');
}

const LISTS = ['callbacks', 'allowed_logout_urls', 'web_origins', 'grant_types'] as const;
const KNOWN = ['name', 'app_type', 'is_first_party', 'token_endpoint_auth_method', 'client_id', 'client_secret', ...LISTS];

/** A list of strings, or 400 as Auth0 answers a wrong one. */
function stringList(fields: Record<string, unknown>, field: string): string[] | undefined {
  const list = array(fields, field);
  if (list !== undefined && !list.every((item) => typeof item === 'string')) throw badRequest(`Payload validation error: Expected type string in ${field}`);
  return list as string[] | undefined;
}

function applyFields(client: StoredClient, fields: Record<string, unknown>): void {
  const appType = string(fields, 'app_type');
  if (appType !== undefined) {
    if (!APP_TYPES.includes(appType)) throw invalid(`app_type must be one of ${APP_TYPES.join(', ')}`);
    client.app_type = appType;
  }
  const method = string(fields, 'token_endpoint_auth_method');
  if (method !== undefined) {
    if (!AUTH_METHODS.includes(method)) throw invalid(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
    client.token_endpoint_auth_method = method;
  }
  const firstParty = boolean(fields, 'is_first_party');
  if (firstParty !== undefined) client.is_first_party = firstParty;
  for (const field of LISTS) {
    const value = stringList(fields, field);
    if (value !== undefined) client[field] = value;
  }
  const name = string(fields, 'name', { max: 128 });
  if (name !== undefined) client.name = name;
  const others = Object.fromEntries(Object.entries(fields).filter(([key]) => !KNOWN.includes(key)));
  client.fields = { ...client.fields, ...others };
}

const invalid = (message: string) => badRequest(`Payload validation error: ${message}`);

function findClient(store: StateStore, id: string): StoredClient {
  const client = store.state.clients.find((candidate) => candidate.client_id === id);
  if (!client) throw notFound('Client not found');
  return client;
}

/** The audience as stored: this tenant's own Management API, whatever its port, is `api/v2/`. */
function storedAudience(audience: string, domain: string): string {
  return audience === `https://${domain}/${MANAGEMENT_API_PATH}` ? MANAGEMENT_API_PATH : audience;
}

function publicGrant(grant: StoredClientGrant, domain: string) {
  return { ...grant, audience: grant.audience === MANAGEMENT_API_PATH ? `https://${domain}/${MANAGEMENT_API_PATH}` : grant.audience };
}

function scopeList(fields: Record<string, unknown>): string[] {
  const list = array(fields, 'scope');
  if (list === undefined) return [];
  if (!list.every((item) => typeof item === 'string' && item.length > 0 && item.length <= 280)) throw invalid('scope must be a list of scope names');
  return list as string[];
}

export function clientRoutes(store: StateStore, domain: () => string): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v2/clients', scopes: ['read:clients', 'read:client_keys'],
      handler: ({ query, scopes }) => {
        // `is_global` picks the global client ("All Applications", state.ts) or every other one.
        const global = query.get('is_global');
        const all = global === null ? store.state.clients : store.state.clients.filter((client) => (client.fields?.global === true) === (global === 'true'));
        const appTypes = query.get('app_type')?.split(',');
        const matching = appTypes ? all.filter((client) => appTypes.includes(client.app_type)) : all;
        const project = projection(query);
        return { status: 200, body: listBody(matching.map((client) => project(publicClient(client, scopes))), query, 'clients') };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/clients/:id', scopes: ['read:clients', 'read:client_keys'],
      handler: ({ params, query, scopes }) => ({ status: 200, body: projection(query)(publicClient(findClient(store, params.id ?? ''), scopes)) }),
    },
    {
      method: 'POST',
      path: '/api/v2/clients/cimd/register', scopes: ['create:clients'],
      handler: ({ body, scopes }) => {
        // A Client ID Metadata Document client: Auth0 reads the app's name and URLs from the document at
        // `external_client_id`; the local tenant reaches no public host, so the client is named by its URL.
        const fields = object(body);
        const external = string(fields, 'external_client_id', { required: true, max: 2048 }) as string;
        if (!/^https:\/\//.test(external)) throw invalid('external_client_id must be an https URL');
        const existing = store.state.clients.find((client) => client.fields?.external_client_id === external);
        if (existing) return { status: 200, body: publicClient(existing, scopes) };
        const client: StoredClient = { client_id: newClientId(), client_secret: newSecret(), name: external, app_type: 'regular_web', grant_types: ['authorization_code'], callbacks: [], is_first_party: false, fields: { external_client_id: external } };
        store.state.clients.push(client);
        store.save();
        return { status: 201, body: publicClient(client, scopes) };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/clients/:id/rotate-secret', scopes: ['update:client_keys'],
      handler: ({ params, scopes }) => {
        const client = findClient(store, params.id ?? '');
        client.client_secret = newSecret();
        store.save();
        return { status: 200, body: { ...publicClient(client, scopes), client_secret: client.client_secret } };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/clients', scopes: ['create:clients'],
      handler: ({ body, scopes }) => {
        const fields = object(body);
        const name = string(fields, 'name', { required: true, max: 128 }) as string;
        if (store.state.clients.some((client) => client.name === name)) throw conflict('A client with the same name already exists', 'client_conflicts');
        const appType = string(fields, 'app_type') ?? 'regular_web';
        const client: StoredClient = {
          client_id: newClientId(), client_secret: newSecret(), name, app_type: appType,
          grant_types: DEFAULT_GRANTS[appType] ?? [], callbacks: [], is_first_party: true,
        };
        applyFields(client, fields);
        store.state.clients.push(client);
        store.save();
        // The secret is shown once, at creation, as Auth0 does.
        return { status: 201, body: { ...publicClient(client, scopes), client_secret: client.client_secret } };
      },
    },
    {
      method: 'PATCH',
      path: '/api/v2/clients/:id', scopes: ['update:clients', 'update:client_keys'],
      handler: ({ params, body, scopes }) => {
        const client = findClient(store, params.id ?? '');
        const fields = object(body);
        const secret = string(fields, 'client_secret', { max: 512 });
        if (secret !== undefined) {
          requireKeysScope(scopes);
          if (secret.length < 48) throw invalid('client_secret must be at least 48 characters');
        }
        const name = string(fields, 'name', { max: 128 });
        if (name !== undefined && store.state.clients.some((other) => other !== client && other.name === name)) throw conflict('A client with the same name already exists', 'client_conflicts');
        const draft = structuredClone(client);
        applyFields(draft, fields);
        if (secret !== undefined) draft.client_secret = secret;
        Object.assign(client, draft);
        store.save();
        return { status: 200, body: publicClient(client, scopes) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/clients/:id', scopes: ['delete:clients'],
      handler: ({ params }) => {
        const client = findClient(store, params.id ?? '');
        if (client.client_id === store.state.managementClientId) throw conflict('The local tenant keeps the client its commands use', 'operation_not_supported');
        if (client.fields?.global === true) throw badRequest('The global client cannot be deleted', 'operation_not_supported');
        store.state.clients = store.state.clients.filter((candidate) => candidate !== client);
        store.state.clientGrants = store.state.clientGrants.filter((grant) => grant.client_id !== client.client_id);
        store.save();
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/client-grants', scopes: ['read:client_grants'],
      handler: ({ query }) => {
        let grants = store.state.clientGrants;
        const clientId = query.get('client_id');
        if (clientId !== null) grants = grants.filter((grant) => grant.client_id === clientId);
        const audience = query.get('audience');
        if (audience !== null) grants = grants.filter((grant) => grant.audience === storedAudience(audience, domain()));
        // Checkpoint pagination (`take`, `from`), as a0deploy asks; pages otherwise.
        return { status: 200, body: listBody(grants.map((grant) => publicGrant(grant, domain())), query, 'client_grants', { checkpoint: true }) };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/client-grants', scopes: ['create:client_grants'],
      handler: ({ body }) => {
        const fields = object(body);
        const clientId = string(fields, 'client_id', { required: true }) as string;
        const audience = storedAudience(string(fields, 'audience', { required: true }) as string, domain());
        findClient(store, clientId);
        if (store.state.clientGrants.some((grant) => grant.client_id === clientId && grant.audience === audience)) throw conflict('A client grant for this client and audience already exists', 'client_grant_conflicts');
        const grant: StoredClientGrant = { id: `cgr_${randomBytes(12).toString('hex')}`, client_id: clientId, audience, scope: scopeList(fields) };
        store.state.clientGrants.push(grant);
        store.save();
        return { status: 201, body: publicGrant(grant, domain()) };
      },
    },
    {
      method: 'PATCH',
      path: '/api/v2/client-grants/:id', scopes: ['update:client_grants'],
      handler: ({ params, body }) => {
        const grant = store.state.clientGrants.find((candidate) => candidate.id === params.id);
        if (!grant) throw notFound('Client grant not found');
        const fields = object(body);
        if (fields.scope !== undefined) grant.scope = scopeList(fields);
        store.save();
        return { status: 200, body: publicGrant(grant, domain()) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/client-grants/:id', scopes: ['delete:client_grants'],
      handler: ({ params }) => {
        const grant = store.state.clientGrants.find((candidate) => candidate.id === params.id);
        if (!grant) throw notFound('Client grant not found');
        if (grant.client_id === store.state.managementClientId && grant.audience === MANAGEMENT_API_PATH) throw conflict('The local tenant keeps the grant its commands use', 'operation_not_supported');
        store.state.clientGrants = store.state.clientGrants.filter((candidate) => candidate !== grant);
        store.save();
        return { status: 204 };
      },
    },
  ];
}
