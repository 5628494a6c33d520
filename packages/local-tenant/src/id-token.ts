/**
 * ID tokens of Auth0's own grants (password-realm, passwordless/otp, the local upstream login): RS256, signed
 * with the tenant's key, whose public half oidc-provider serves at `/.well-known/jwks.json`.
 */
import { SignJWT } from 'jose';
import type { TenantState } from './state';
import { signingKey } from './tokens';

export const ID_TOKEN_LIFETIME_S = 36_000;

export async function signIdToken(state: TenantState, claims: Record<string, unknown>, options: { issuer: string; audience: string; subject: string }): Promise<string> {
  const key = signingKey(state).privateKey;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: state.idTokenKey.kid })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime(`${ID_TOKEN_LIFETIME_S}s`)
    .sign(key);
}
