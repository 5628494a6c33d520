/**
 * `/userinfo` for access tokens issued for an API: Auth0 adds `https://DOMAIN/userinfo` to their
 * audience, so one token reaches both the API and `/userinfo`. oidc-provider accepts only tokens without
 * an audience there (those it keeps answering); these JWTs are verified with jose and answered here.
 */
import { jwtVerify, errors } from 'jose';
import type { Reply } from '../http';
import { profileClaims, type LoginContext } from '../login';
import { signingKey } from '../tokens';
import type { StateStore } from '../state';

const tokenKey = (payload: Record<string, unknown>, clientId: unknown) => `${String(payload.sub)}\u0000${String(clientId)}\u0000${String(payload.iat)}`;

/**
 * A JWT access token is not stored (oidc-provider keeps only opaque ones), so the grant it was made from is
 * remembered beside it until it expires: when that grant is revoked (a code replayed, a logout, a refresh
 * token revoked), `/userinfo` refuses the token as it refuses the opaque ones.
 */
export function rememberGrantOf(store: StateStore, payload: Record<string, unknown>, clientId: unknown, grantId: string | undefined): void {
  if (!grantId || typeof payload.exp !== 'number') return;
  const key = tokenKey(payload, clientId);
  const grants = store.records.get<string[]>('accessToken', key) ?? [];
  store.records.put('accessToken', key, [...grants, grantId], payload.exp * 1000);
}

function grantLives(store: StateStore, payload: Record<string, unknown>): boolean {
  const grants = store.records.get<string[]>('accessToken', tokenKey(payload, payload.azp));
  if (grants === undefined) return true;
  const now = Math.floor(Date.now() / 1000);
  return grants.some((id) => {
    const entry = store.oidc.get('Grant', id);
    return entry !== undefined && (entry.expiresAt === undefined || entry.expiresAt > now);
  });
}

/** Whether an Authorization header carries a JWT (the tokens oidc-provider issues without an audience are opaque). */
export function carriesJwt(header: string | undefined): boolean {
  return /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(header ?? '');
}

const invalid = (description: string): Reply => ({
  status: 401,
  body: { error: 'invalid_token', error_description: description },
  headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` },
});

export async function jwtUserinfo(context: LoginContext, header: string): Promise<Reply> {
  const issuer = `https://${context.domain()}/`;
  try {
    const { payload } = await jwtVerify(header.slice('Bearer '.length), signingKey(context.store.state).publicKey, { issuer, audience: `${issuer}userinfo`, algorithms: ['RS256'] });
    const user = typeof payload.sub === 'string' ? context.store.users.get(payload.sub) : undefined;
    if (!user) return invalid('the user no longer exists');
    if (user.blocked) return invalid('the user is blocked');
    if (!grantLives(context.store, payload)) return invalid('the grant of this token was revoked');
    const scopes = new Set(String(payload.scope ?? '').split(' '));
    return { status: 200, body: { sub: user.user_id, ...profileClaims(user, scopes) } };
  } catch (error) {
    if (error instanceof errors.JOSEError) return invalid('invalid token');
    throw error;
  }
}
