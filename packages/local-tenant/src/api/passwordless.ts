/**
 * Passwordless e-mail: `POST /passwordless/start` sends a one-time code (here: into a local outbox), and
 * the token endpoint's passwordless/otp grant verifies it, creating the user at the first login as Auth0
 * does (pre-user-registration runs then; Auth0 keeps no metadata it writes for passwordless users).
 *
 * `GET /local/outbox` is local-only: it stands for the user's mailbox (Management API token required).
 */
import { randomBytes } from 'node:crypto';
import type { Route } from '../http';
import { LOCAL_OUTBOX_SCOPE } from '../scopes';
import { auth0Defaults, userByEmail, authError, failureDescription, findClient, findConnection, newUser, preRegistrationEvent, runTrigger, type LoginContext } from '../login';
import type { StoredClient, StoredConnection, StoredUser } from '../state';
import { isEmailAddress } from '../email';
import { BLOCKED_MESSAGE, isBlocked, recordFailure, recordSuccess } from '../brute-force';
import { countFailedLogin, hasLeft, loginThrottled, PASSWORDLESS_PER_ADDRESS, PASSWORDLESS_PER_IP, SUSPICIOUS_MESSAGE, take } from '../throttle';

export type PasswordlessOutcome = { ok: true; user: StoredUser } | { ok: false; status: number; error: string; description: string };

/**
 * A passwordless login with a code from the outbox: the user is created at the first login, after
 * pre-user-registration (which cannot give passwordless users metadata). From the token endpoint's
 * `passwordless/otp` grant and from the hosted code page.
 */
export async function passwordlessLogin(context: LoginContext, connection: StoredConnection, client: StoredClient, email: string, code: unknown, headers: Record<string, string | string[] | undefined>, ip: string): Promise<PasswordlessOutcome> {
  const { store } = context;
  if (loginThrottled(store, ip)) return { ok: false, status: 429, error: 'too_many_attempts', description: SUSPICIOUS_MESSAGE };
  if (isBlocked(store, connection, email, ip)) return { ok: false, status: 429, error: 'too_many_attempts', description: BLOCKED_MESSAGE };
  const taken = context.store.outbox.take(email, connection.name, 'passwordless', code);
  if (taken !== 'ok') {
    recordFailure(store, connection, email, ip, userByEmail(store, connection.name, email) !== undefined);
    countFailedLogin(store, ip, { client, connection });
    if (taken === 'exhausted') return { ok: false, status: 403, error: 'invalid_grant', description: 'You\'ve reached the maximum number of attempts. Please try to login again.' };
    return { ok: false, status: 403, error: 'invalid_grant', description: 'Wrong email or verification code.' };
  }
  recordSuccess(store, connection, email, ip);
  let user = userByEmail(store, connection.name, email);
  if (!user) {
    const event = preRegistrationEvent(connection, client, headers, { email });
    const result = await runTrigger(context, 'pre-user-registration', event);
    if (result.outcome === 'denied') return { ok: false, status: 403, error: 'access_denied', description: result.validation?.message ?? result.denied?.userMessage ?? 'Sign up was denied.' };
    if (result.outcome === 'failed') return { ok: false, status: 403, error: 'access_denied', description: failureDescription(result) };
    // Two first logins at once: the one that finished first created the user; this one signs in as it.
    const created = userByEmail(store, connection.name, email);
    if (created) return { ok: true, user: created };
    // "You cannot currently use pre-user-registration Actions to add metadata to passwordless users."
    user = newUser(connection, 'email', randomBytes(12).toString('hex'), { email, email_verified: true, ...auth0Defaults(email) });
    user = store.users.add(user);
    store.save();
  }
  return { ok: true, user };
}

/**
 * Starts a passwordless login: a code for this e-mail into the outbox, within the limits per IP and per
 * address (throttle.ts); false when a limit refused it.
 */
export function sendPasswordlessCode(context: LoginContext, connection: StoredConnection, email: string, ip: string): boolean {
  const { store } = context;
  if (!hasLeft(store, `passwordless-address:${email}`, PASSWORDLESS_PER_ADDRESS) || !take(store, `passwordless-ip:${ip}`, PASSWORDLESS_PER_IP)) return false;
  take(store, `passwordless-address:${email}`, PASSWORDLESS_PER_ADDRESS);
  store.outbox.send(email, connection.name, 'passwordless');
  return true;
}

/** Auth0's answer when a rate limit of the Authentication API refuses a request. */
export const TOO_MANY_REQUESTS = 'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.';

export function passwordlessRoutes(context: LoginContext) {
  const { store } = context;

  const routes: Route[] = [
    {
      method: 'POST',
      path: '/passwordless/start',
      public: true,
      handler: ({ body, ip }) => {
        const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
        if (!findClient(store, fields.client_id)) return authError(401, 'unauthorized_client', 'Unknown client.');
        const connection = findConnection(store, fields.connection);
        if (!connection || connection.strategy !== 'email') return authError(400, 'bad.connection', 'The connection must be an email passwordless connection.');
        const email = typeof fields.email === 'string' ? fields.email.trim().toLowerCase() : '';
        if (!isEmailAddress(email)) return authError(400, 'bad.email', 'email is invalid');
        if (!sendPasswordlessCode(context, connection, email, ip)) return authError(429, 'too_many_requests', TOO_MANY_REQUESTS);
        return { status: 200, body: { _id: randomBytes(12).toString('hex'), email, email_verified: false } };
      },
    },
    {
      method: 'GET',
      path: '/local/outbox', scopes: [LOCAL_OUTBOX_SCOPE],
      handler: ({ query }) => ({ status: 200, body: { messages: context.store.outbox.list(query.get('email')) } }),
    },
  ];

  return routes;
}
