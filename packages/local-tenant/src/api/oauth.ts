/**
 * The token endpoint, client-credentials grant: what a0deploy and the auth0 SDK call first. Errors use
 * the Authentication API's shape (`{ error, error_description }`), not the Management API's.
 */
import type { Reply, Route } from '../http';
import { authenticatePassword, completeLogin, findConnection, tenantKind, type LoginContext } from '../login';
import { MANAGEMENT_API_PATH } from '../scopes';
import { findResourceServer } from './resource-servers';
import { issueAccessToken, ACCESS_TOKEN_LIFETIME_S } from '../tokens';
import { BLOCKED_MESSAGE } from '../brute-force';



const authError = (status: number, error: string, description: string): Reply => ({ status, body: { error, error_description: description } });

function credentials(fields: Record<string, string>, authorization: string | undefined): { id?: string; secret?: string } {
  const basic = /^Basic (.+)$/.exec(authorization ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1] ?? '', 'base64').toString('utf8').split(':');
    try {
      return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
    } catch {
      // Malformed percent-encoding: no client, which the grant answers as Auth0 does (401).
      return {};
    }
  }
  return { id: fields.client_id, secret: fields.client_secret };
}

const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const PASSWORDLESS_OTP = 'http://auth0.com/oauth/grant-type/passwordless/otp';

/** The password-realm grant: a database user's e-mail (or username) and password in a connection (the realm). */
async function passwordLogin(context: LoginContext, fields: Record<string, string>, headers: Record<string, string | string[] | undefined>, ip: string): Promise<Reply> {
  const client = context.store.state.clients.find((candidate) => candidate.client_id === fields.client_id);
  if (!client) return authError(401, 'access_denied', 'Unauthorized');
  const connection = findConnection(context.store, fields.realm);
  if (!connection || tenantKind(connection) !== 'database') return authError(400, 'invalid_request', 'realm must be a database connection');
  const user = await authenticatePassword(context.store, connection, fields.username, fields.password, { client, headers, ip });
  if (user === 'blocked') return authError(429, 'too_many_attempts', BLOCKED_MESSAGE);
  if (!user) return authError(403, 'invalid_grant', 'Wrong email or password.');
  if (user.blocked) return authError(401, 'unauthorized', 'user is blocked');
  return completeLogin(context, { user, connection, client, method: 'pwd', scope: fields.scope ?? 'openid', audience: fields.audience, headers, body: fields });
}

export function oauthRoutes(context: LoginContext, verifyPasswordless: (fields: Record<string, string>, headers: Record<string, string | string[] | undefined>, ip: string) => Promise<Reply>): Route[] {
  const { store, domain } = context;
  return [
    {
      method: 'POST',
      path: '/oauth/token',
      public: true,
      handler: async ({ body, headers, ip }) => {
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return authError(400, 'invalid_request', 'The request body must be a form or a JSON object.');
        const fields = Object.fromEntries(Object.entries(body).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
        if (fields.grant_type === PASSWORD_REALM) return passwordLogin(context, fields, headers, ip);
        if (fields.grant_type === PASSWORDLESS_OTP) return verifyPasswordless(fields, headers, ip);
        const { id, secret } = credentials(fields, headers.authorization);
        const client = store.state.clients.find((candidate) => candidate.client_id === id);
        if (!client || client.client_secret !== secret) return authError(401, 'access_denied', 'Unauthorized');
        if (fields.grant_type !== 'client_credentials') {
          return authError(403, 'unauthorized_client', `Grant type '${fields.grant_type ?? ''}' not allowed for the client.`);
        }
        const issuer = `https://${domain()}/`;
        const audience = fields.audience ?? `${issuer}${MANAGEMENT_API_PATH}`;
        // The tenant's own Management API is stored as `api/v2/`, whatever the port; other APIs by identifier.
        const management = audience === `${issuer}${MANAGEMENT_API_PATH}`;
        const api = management ? undefined : findResourceServer(store, audience);
        if (!management && !api) return authError(403, 'access_denied', `Service not enabled within domain: ${audience}`);
        const grant = store.state.clientGrants.find((candidate) => candidate.client_id === client.client_id && candidate.audience === (management ? MANAGEMENT_API_PATH : audience));
        if (!grant) return authError(403, 'access_denied', `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API.`);
        // A `scope` parameter asks for part of what the grant allows (Auth0 ignores what it does not).
        const asked = fields.scope === undefined ? undefined : new Set(fields.scope.split(' '));
        const scope = grant.scope.filter((name) => asked === undefined || asked.has(name)).join(' ');
        const lifetime = api?.token_lifetime ?? ACCESS_TOKEN_LIFETIME_S;
        const accessToken = await issueAccessToken(store.state, { iss: issuer, sub: `${client.client_id}@clients`, aud: audience, azp: client.client_id, scope, gty: 'client-credentials' }, lifetime);
        return { status: 200, body: { access_token: accessToken, scope, expires_in: lifetime, token_type: 'Bearer' } };
      },
    },
  ];
}
