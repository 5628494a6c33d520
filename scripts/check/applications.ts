/**
 * Applications, APIs and client grants: callback and logout URLs well-formed and https (http only for
 * localhost and 127.0.0.1, as Auth0 allows for development), grant types that fit the application
 * type, and grants naming a client, an API and scopes that tenant.yaml defines.
 */
import { nearest } from '../lib/suggest';
import { isRecord } from '../lib/tenant-model';
import { defineRule, type CheckContext, type Issue, type Rule } from './types';

const URL_LISTS = ['callbacks', 'allowed_logout_urls', 'web_origins', 'allowed_origins'] as const;

/** Token Vault: a confidential app exchanges a token for the access token of a connected account's API. */
const TOKEN_VAULT = 'urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token';
/** Custom Token Exchange (`custom-token-exchange` trigger). */
const CUSTOM_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** Grant types Auth0 lets each application type have. */
const GRANTS_BY_TYPE: Record<string, readonly string[]> = {
  spa: ['authorization_code', 'implicit', 'refresh_token'],
  native: ['authorization_code', 'implicit', 'refresh_token', 'password', 'http://auth0.com/oauth/grant-type/password-realm', 'http://auth0.com/oauth/grant-type/passwordless/otp', 'http://auth0.com/oauth/grant-type/mfa-oob', 'http://auth0.com/oauth/grant-type/mfa-otp', 'http://auth0.com/oauth/grant-type/mfa-recovery-code', 'urn:ietf:params:oauth:grant-type:device_code'],
  regular_web: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials', 'password', 'http://auth0.com/oauth/grant-type/password-realm', 'http://auth0.com/oauth/grant-type/passwordless/otp', 'http://auth0.com/oauth/grant-type/mfa-oob', 'http://auth0.com/oauth/grant-type/mfa-otp', 'http://auth0.com/oauth/grant-type/mfa-recovery-code', TOKEN_VAULT, CUSTOM_TOKEN_EXCHANGE],
  non_interactive: ['client_credentials', 'password', 'http://auth0.com/oauth/grant-type/password-realm', TOKEN_VAULT, CUSTOM_TOKEN_EXCHANGE],
  // The client Auth0 makes for an API that calls others on its own behalf (a0deploy exports it).
  resource_server: ['client_credentials', TOKEN_VAULT],
};

interface Indexed {
  item: Record<string, unknown>;
  index: number;
}

function items(context: CheckContext, section: string): Indexed[] {
  const list = context.data[section];
  return Array.isArray(list) ? list.flatMap((item, index) => (isRecord(item) ? [{ item, index }] : [])) : [];
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** What is wrong with one URL of a client's list, or undefined. Auth0 allows `*` in a subdomain. */
function urlProblem(value: unknown, list: string): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  if (value.includes('##') || value.includes('@@')) return undefined;
  let url: URL;
  try {
    url = new URL(value.replace('*.', 'wildcard.'));
  } catch {
    return 'is not a URL';
  }
  if (url.protocol === 'https:') return list === 'web_origins' || list === 'allowed_origins' ? (url.pathname !== '/' || url.search || url.hash ? 'must be an origin (scheme, host and port; no path)' : undefined) : undefined;
  if (url.protocol === 'http:') return LOCAL_HOSTS.has(url.hostname) ? undefined : 'uses http: only localhost and 127.0.0.1 may (for development)';
  return list === 'callbacks' || list === 'allowed_logout_urls' ? undefined : `uses ${url.protocol}, not https`;
}

export const APPLICATION_RULES: readonly Rule[] = [
  defineRule({
    id: 'client-url-invalid',
    severity: 'error',
    description: 'Callback URLs, allowed logout URLs and web origins are well-formed URLs, https except for localhost and 127.0.0.1.',
    hint: 'write the full URL with https:// (http:// only for localhost or 127.0.0.1 during development)',
    *check(context) {
      for (const { item, index } of items(context, 'clients')) {
        for (const list of URL_LISTS) {
          const values = item[list];
          if (values === undefined) continue;
          if (!Array.isArray(values)) {
            yield { location: context.tenant.locate(['clients', index, list]), message: `${list} of client "${String(item.name)}" must be a list of URLs` };
            continue;
          }
          for (const [position, value] of values.entries()) {
            const problem = urlProblem(value, list);
            // The value is a URL of the team's own app, not a secret: naming it helps find it.
            if (problem) yield { location: context.tenant.locate(['clients', index, list, position]), message: `${list} entry ${JSON.stringify(value)} of client "${String(item.name)}" ${problem}` };
          }
        }
      }
    },
  }),
  defineRule({
    id: 'client-grant-type-unfit',
    severity: 'error',
    description: "An application's grant types are ones Auth0 allows for its app_type (a single-page app has no secret, so no client credentials).",
    hint: 'remove the grant type, or change app_type',
    *check(context) {
      for (const { item, index } of items(context, 'clients')) {
        const type = typeof item.app_type === 'string' ? item.app_type : undefined;
        const allowed = type === undefined ? undefined : GRANTS_BY_TYPE[type];
        if (type !== undefined && !allowed) {
          const suggestion = nearest(type, Object.keys(GRANTS_BY_TYPE));
          yield { location: context.tenant.locate(['clients', index, 'app_type']), message: `app_type "${type}" of client "${String(item.name)}" is not one Auth0 has`, hint: suggestion ? `did you mean ${suggestion}?` : `one of ${Object.keys(GRANTS_BY_TYPE).join(', ')}` };
          continue;
        }
        if (!allowed || !Array.isArray(item.grant_types)) continue;
        for (const [position, grant] of item.grant_types.entries()) {
          if (typeof grant === 'string' && allowed.includes(grant)) continue;
          yield { location: context.tenant.locate(['clients', index, 'grant_types', position]), message: `grant type ${JSON.stringify(grant)} does not fit client "${String(item.name)}" (app_type ${type})`, hint: `a ${type} application may have ${allowed.slice(0, 4).join(', ')}${allowed.length > 4 ? ', …' : ''}` };
        }
        if (type === 'spa' && item.token_endpoint_auth_method !== undefined && item.token_endpoint_auth_method !== 'none') {
          yield { location: context.tenant.locate(['clients', index, 'token_endpoint_auth_method']), message: `client "${String(item.name)}" is a single-page app, which cannot keep a secret`, hint: 'set token_endpoint_auth_method: none (the SPA proves itself with PKCE)' };
        }
      }
    },
  }),
  defineRule({
    id: 'client-grant-unknown',
    severity: 'error',
    description: 'Each client grant names a client and an API of tenant.yaml (or the Management API) and only scopes that API defines.',
    hint: 'name a client and an API tenant.yaml lists, and scopes the API defines',
    *check(context) {
      const clients = items(context, 'clients').map(({ item }) => String(item.name));
      const apis = new Map(items(context, 'resourceServers').map(({ item }) => [String(item.identifier), item]));
      for (const { item, index } of items(context, 'clientGrants')) {
        const issues: Issue[] = [];
        const client = item.client_id;
        if (typeof client !== 'string' || !clients.includes(client)) {
          const suggestion = typeof client === 'string' ? nearest(client, clients) : undefined;
          issues.push({ location: context.tenant.locate(['clientGrants', index, 'client_id']), message: `client grant names the client ${JSON.stringify(client)}, which tenant.yaml does not list under clients:`, hint: suggestion ? `did you mean ${suggestion}?` : 'use the name of a client listed under clients:' });
        }
        const audience = typeof item.audience === 'string' ? item.audience : undefined;
        const management = audience !== undefined && /\/api\/v2\/$/.test(audience);
        const api = audience === undefined ? undefined : apis.get(audience);
        if (!api && !management) {
          const suggestion = audience === undefined ? undefined : nearest(audience, [...apis.keys()]);
          issues.push({ location: context.tenant.locate(['clientGrants', index, 'audience']), message: `client grant names the API ${JSON.stringify(item.audience)}, which tenant.yaml does not list under resourceServers:`, hint: suggestion ? `did you mean ${suggestion}?` : 'use the identifier of an API listed under resourceServers:' });
        }
        if (api && Array.isArray(item.scope)) {
          const defined = (Array.isArray(api.scopes) ? api.scopes : []).flatMap((scope) => (isRecord(scope) && typeof scope.value === 'string' ? [scope.value] : []));
          for (const [position, scope] of item.scope.entries()) {
            if (typeof scope === 'string' && defined.includes(scope)) continue;
            const suggestion = typeof scope === 'string' ? nearest(scope, defined) : undefined;
            issues.push({ location: context.tenant.locate(['clientGrants', index, 'scope', position]), message: `scope ${JSON.stringify(scope)} is not one the API ${audience ?? ''} defines`, hint: suggestion ? `did you mean ${suggestion}?` : `the API defines ${defined.join(', ') || 'no scopes'}` });
          }
        }
        yield* issues;
      }
    },
  }),
];
