/**
 * Client side of the local tenant's Authentication API, as an application would call it (fetch over
 * HTTPS; this process trusts the tenant's CA through NODE_EXTRA_CA_CERTS), and ID-token verification
 * against the served JWKS.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface LoginClient {
  signup(connection: string, profile: Record<string, unknown>): Promise<Answer>;
  passwordLogin(connection: string, email: string, password: string): Promise<Answer>;
  upstreamLogin(connection: string, profile: Record<string, unknown>): Promise<Answer>;
  passwordlessLogin(connection: string, email: string, outbox: (email: string) => Promise<string | undefined>): Promise<Answer>;
  /** Verifies an ID token (RS256, the tenant's JWKS, issuer and audience) and returns its claims. */
  verify(idToken: string): Promise<JWTPayload>;
}

/** An app's side of the Authentication API: a confidential app sends its secret with each token request. */
export function loginClient(domain: string, clientId: string, clientSecret?: string): LoginClient {
  const base = `https://${domain}`;
  const post = async (path: string, body: object): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed };
  };
  const jwks = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
  const scope = 'openid profile email';
  const app = { client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) };
  return {
    signup: (connection, profile) => post('/dbconnections/signup', { client_id: clientId, connection, ...profile }),
    passwordLogin: (connection, email, password) =>
      post('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', ...app, username: email, password, realm: connection, scope }),
    upstreamLogin: (connection, profile) => post('/local/upstream-login', { ...app, connection, profile, scope }),
    async passwordlessLogin(connection, email, outbox) {
      const started = await post('/passwordless/start', { client_id: clientId, connection, email, send: 'code' });
      if (started.status !== 200) return started;
      const code = await outbox(email);
      return post('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp', ...app, username: email, otp: code ?? '', realm: connection, scope });
    },
    verify: async (idToken) => (await jwtVerify(idToken, jwks, { issuer: `${base}/`, audience: clientId, algorithms: ['RS256'] })).payload,
  };
}
