/** Discovery and the keys that verify ID tokens. */
import type { Route } from '../http';
import { jwks } from '../id-token';
import type { StateStore } from '../state';

export function wellKnownRoutes(store: StateStore, domain: () => string): Route[] {
  return [
    { method: 'GET', path: '/.well-known/jwks.json', public: true, handler: () => ({ status: 200, body: jwks(store.state) }) },
    {
      method: 'GET',
      path: '/.well-known/openid-configuration',
      public: true,
      handler: () => {
        const issuer = `https://${domain()}/`;
        return {
          status: 200,
          body: {
            issuer,
            token_endpoint: `${issuer}oauth/token`,
            jwks_uri: `${issuer}.well-known/jwks.json`,
            response_types_supported: ['token', 'id_token'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
            grant_types_supported: ['client_credentials', 'http://auth0.com/oauth/grant-type/password-realm', 'http://auth0.com/oauth/grant-type/passwordless/otp'],
            scopes_supported: ['openid', 'profile', 'email'],
            claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'name', 'given_name', 'family_name', 'nickname', 'picture', 'email', 'email_verified', 'updated_at'],
          },
        };
      },
    },
  ];
}
