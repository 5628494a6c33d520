/**
 * Access tokens of the local tenant, shaped like Auth0's and signed with the tenant's RS256 key (the one
 * `/.well-known/jwks.json` publishes) through jose. The Management API accepts only client-credentials
 * tokens issued for its audience; what each carries is checked by jose, never by hand.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { TenantState } from './state';

const LIFETIME_S = 86_400;

export const ACCESS_TOKEN_LIFETIME_S = LIFETIME_S;

interface KeyPair {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const keyCache = new WeakMap<TenantState['idTokenKey'], KeyPair>();

/** The tenant's signing key pair, parsed once per state. */
export function signingKey(state: Pick<TenantState, 'idTokenKey'>): KeyPair {
  let pair = keyCache.get(state.idTokenKey);
  if (!pair) {
    const privateKey = createPrivateKey(state.idTokenKey.privatePem);
    pair = { kid: state.idTokenKey.kid, privateKey, publicKey: createPublicKey(privateKey) };
    keyCache.set(state.idTokenKey, pair);
  }
  return pair;
}

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  scope: string;
  azp: string;
  /** Auth0's grant type marker: `client-credentials`, `password`, `refresh_token`… */
  gty?: string;
  [claim: string]: unknown;
}

export async function issueAccessToken(state: Pick<TenantState, 'idTokenKey'>, claims: AccessTokenClaims, lifetimeSeconds = LIFETIME_S): Promise<string> {
  const key = signingKey(state);
  const { iss, sub, aud, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
    .setIssuer(iss)
    .setSubject(sub)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSeconds}s`)
    .sign(key.privateKey);
}

export interface ManagementCaller {
  /** `CLIENT_ID@clients`. */
  subject: string;
  scopes: ReadonlySet<string>;
}

/**
 * The caller of a Management API request, or undefined when the Authorization header carries no token
 * this tenant issued for `audience` by the client-credentials grant (user tokens never qualify, whatever
 * audience they asked for).
 */
export async function verifyManagementToken(state: Pick<TenantState, 'idTokenKey'>, header: string | undefined, options: { issuer: string; audience: string }): Promise<ManagementCaller | undefined> {
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header ?? '');
  if (!match) return undefined;
  try {
    const { payload } = await jwtVerify(match[1] ?? '', signingKey(state).publicKey, { issuer: options.issuer, audience: options.audience, algorithms: ['RS256'] });
    if (payload.gty !== 'client-credentials' || typeof payload.sub !== 'string' || !payload.sub.endsWith('@clients')) return undefined;
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return { subject: payload.sub, scopes: new Set(scopes) };
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined;
    throw error;
  }
}
