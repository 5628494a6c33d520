/**
 * `/oauth/token` is one endpoint with two owners: oidc-provider answers the authorization_code and
 * refresh_token grants, the hand-written routes answer Auth0's others (client credentials,
 * password-realm, passwordless/otp). The server reads the body once to choose; oidc-provider then
 * takes the body read (it falls back to `req.body` when the stream was consumed, as documented).
 */
import type { IncomingMessage } from 'node:http';

export function grantTypeOf(body: Buffer, contentType: string | undefined): string | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  const text = body.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') return new URLSearchParams(text).get('grant_type') ?? undefined;
  if (type === 'application/json') {
    try {
      const parsed = JSON.parse(text) as { grant_type?: unknown };
      return typeof parsed?.grant_type === 'string' ? parsed.grant_type : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

let quieted = false;

/** Hands the body read to oidc-provider, once per process silencing its notice that a body was read before it. */
export function withBody(request: IncomingMessage, body: Buffer): IncomingMessage {
  if (!quieted) {
    quieted = true;
    const warn = console.warn.bind(console);
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('already parsed request body detected')) return;
      warn(...args);
    };
  }
  return Object.assign(request, { body });
}
