/** ID tokens: RS256, signed with the tenant's key, whose public half `/.well-known/jwks.json` serves. */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import type { TenantState } from './state';

export const ID_TOKEN_LIFETIME_S = 36_000;

export function jwks(state: TenantState) {
  const jwk = createPublicKey(createPrivateKey(state.idTokenKey.privatePem)).export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: state.idTokenKey.kid, alg: 'RS256', use: 'sig' }] };
}

export async function signIdToken(state: TenantState, claims: Record<string, unknown>, options: { issuer: string; audience: string; subject: string }): Promise<string> {
  const key = await importPKCS8(state.idTokenKey.privatePem, 'RS256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: state.idTokenKey.kid })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime(`${ID_TOKEN_LIFETIME_S}s`)
    .sign(key);
}
