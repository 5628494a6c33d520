/**
 * The token endpoint, client-credentials grant: what a0deploy and the auth0 SDK call first. Errors use
 * the Authentication API's shape (`{ error, error_description }`), not the Management API's.
 */
import type { Reply, Route } from '../http';
import type { StateStore } from '../state';
import { issueAccessToken, ACCESS_TOKEN_LIFETIME_S } from '../tokens';

const SCOPES = [
  'read:actions', 'create:actions', 'update:actions', 'delete:actions', 'read:clients', 'read:connections',
  'create:connections', 'update:connections', 'delete:connections', 'read:connections_options', 'update:connections_options',
  'read:users', 'create:users', 'update:users', 'delete:users', 'read:users_app_metadata', 'update:users_app_metadata',
].join(' ');

const authError = (status: number, error: string, description: string): Reply => ({ status, body: { error, error_description: description } });

function credentials(fields: Record<string, string>, authorization: string | undefined): { id?: string; secret?: string } {
  const basic = /^Basic (.+)$/.exec(authorization ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1] ?? '', 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
  }
  return { id: fields.client_id, secret: fields.client_secret };
}

export function oauthRoutes(store: StateStore, domain: () => string): Route[] {
  return [
    {
      method: 'POST',
      path: '/oauth/token',
      public: true,
      handler: ({ body, headers }) => {
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return authError(400, 'invalid_request', 'The request body must be a form or a JSON object.');
        const fields = Object.fromEntries(Object.entries(body).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
        const { id, secret } = credentials(fields, headers.authorization);
        const client = store.state.clients.find((candidate) => candidate.client_id === id);
        if (!client || client.client_secret !== secret) return authError(401, 'access_denied', 'Unauthorized');
        if (fields.grant_type !== 'client_credentials') {
          return authError(403, 'unauthorized_client', `Grant type '${fields.grant_type ?? ''}' not allowed for the client.`);
        }
        const audience = `https://${domain()}/api/v2/`;
        if (fields.audience !== undefined && fields.audience !== audience) return authError(403, 'access_denied', `Service not enabled within domain: ${fields.audience}`);
        if (client.client_id !== store.state.managementClientId) return authError(403, 'access_denied', 'Client has not been granted scopes for the Management API');
        const accessToken = issueAccessToken(store.state.signingSecret, { sub: `${client.client_id}@clients`, aud: audience, iss: `https://${domain()}/`, scope: SCOPES });
        return { status: 200, body: { access_token: accessToken, scope: SCOPES, expires_in: ACCESS_TOKEN_LIFETIME_S, token_type: 'Bearer' } };
      },
    },
  ];
}
