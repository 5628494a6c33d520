/**
 * What reaches oidc-provider's token endpoint. Auth0 takes a token request as a form or as JSON (the
 * `auth0` SDK and auth0.js send JSON); oidc-provider parses forms only, so a JSON body is handed over as
 * the same fields in a form. `POST /local/upstream-login` (local only: a login through an upstream IdP
 * without its pages, `{ client_id, client_secret?, connection, profile, scope? }`, scope `openid profile
 * email` unless given) is a token request of the local upstream grant.
 */
import type { IncomingMessage } from 'node:http';
import { LOCAL_UPSTREAM } from './grants';

const TOKEN = '/oauth/token';
const LOCAL_UPSTREAM_LOGIN = '/local/upstream-login';

export function isTokenRequest(pathname: string): boolean {
  return pathname === TOKEN || pathname === LOCAL_UPSTREAM_LOGIN;
}

/** A JSON object's fields as form fields: strings as they are, numbers and booleans as text, objects as JSON. */
function formOf(fields: Record<string, unknown>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    form.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return form;
}

function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

let quieted = false;

/**
 * The request as oidc-provider's token endpoint reads it: the body already read (oidc-provider falls back
 * to `req.body`, as documented, and says so once per process, which is silenced), JSON turned into a form.
 * A JSON body that is not an object stays as it is, for oidc-provider to refuse as a body it cannot parse.
 */
export function asTokenRequest(request: IncomingMessage, pathname: string, body: Buffer): IncomingMessage {
  if (!quieted) {
    quieted = true;
    const warn = console.warn.bind(console);
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('already parsed request body detected')) return;
      warn(...args);
    };
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const fields = type === 'application/json' ? jsonObject(body) : undefined;
  let form: URLSearchParams | undefined = fields ? formOf(fields) : undefined;
  if (pathname === LOCAL_UPSTREAM_LOGIN) {
    form ??= type === 'application/x-www-form-urlencoded' ? new URLSearchParams(body.toString('utf8')) : new URLSearchParams();
    form.set('grant_type', LOCAL_UPSTREAM);
    // What the IdP stand-in page's login asks for: the profile is the point of an upstream login.
    if (!form.has('scope')) form.set('scope', 'openid profile email');
    request.url = TOKEN;
  }
  if (form) {
    request.headers['content-type'] = 'application/x-www-form-urlencoded';
    return Object.assign(request, { body: Buffer.from(form.toString()) });
  }
  return Object.assign(request, { body });
}
