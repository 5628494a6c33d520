/** Access tokens of the local tenant: HS256 JWTs signed with the tenant's secret, valid for a day. */
import { createHmac, timingSafeEqual } from 'node:crypto';

const LIFETIME_S = 86_400;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function issueAccessToken(secret: string, claims: { sub: string; aud: string; iss: string; scope: string; gty?: string }, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ ...claims, iat, exp: iat + LIFETIME_S })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export const ACCESS_TOKEN_LIFETIME_S = LIFETIME_S;

/** Whether an Authorization header carries a token this tenant issued for `audience` and that has not expired. */
export function verifyBearer(secret: string, header: string | undefined, audience: string, now = Date.now()): boolean {
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match) return false;
  const [, head, payload, signature] = match as unknown as [string, string, string, string];
  const expected = createHmac('sha256', secret).update(`${head}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown; aud?: unknown };
    return typeof claims.exp === 'number' && claims.exp * 1000 > now && claims.aud === audience;
  } catch {
    return false;
  }
}
