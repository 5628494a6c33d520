/**
 * Passwordless e-mail: `POST /passwordless/start` sends a one-time code (here: into a local outbox), and
 * the token endpoint's passwordless/otp grant verifies it, creating the user at the first login as Auth0
 * does (pre-user-registration runs then; Auth0 keeps no metadata it writes for passwordless users).
 *
 * `GET /local/outbox` is local-only: it stands for the user's mailbox (Management API token required).
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Reply, Route } from '../http';
import { LOCAL_OUTBOX_SCOPE } from '../scopes';
import { auth0Defaults, authError, completeLogin, findClient, findConnection, newUser, preRegistrationEvent, runTrigger, tenantKind, type LoginContext } from '../login';

const CODE_LIFETIME_MS = 300_000;

interface Message {
  to: string;
  connection: string;
  code: string;
  sent_at: string;
  expires: number;
}

export function passwordlessRoutes(context: LoginContext) {
  const { store } = context;
  const outbox: Message[] = [];

  const routes: Route[] = [
    {
      method: 'POST',
      path: '/passwordless/start',
      public: true,
      handler: ({ body }) => {
        const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
        if (!findClient(store, fields.client_id)) return authError(401, 'unauthorized_client', 'Unknown client.');
        const connection = findConnection(store, fields.connection);
        if (!connection || connection.strategy !== 'email') return authError(400, 'bad.connection', 'The connection must be an email passwordless connection.');
        const email = typeof fields.email === 'string' ? fields.email.trim().toLowerCase() : '';
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return authError(400, 'bad.email', 'email is invalid');
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        outbox.push({ to: email, connection: connection.name, code, sent_at: new Date().toISOString(), expires: Date.now() + CODE_LIFETIME_MS });
        if (outbox.length > 1000) outbox.shift();
        return { status: 200, body: { _id: randomBytes(12).toString('hex'), email, email_verified: false } };
      },
    },
    {
      method: 'GET',
      path: '/local/outbox', scopes: [LOCAL_OUTBOX_SCOPE],
      handler: ({ query }) => {
        const to = query.get('email');
        const messages = outbox.filter((message) => to === null || message.to === to).map(({ expires: _expires, ...message }) => message);
        return { status: 200, body: { messages } };
      },
    },
  ];

  /** The token endpoint's `passwordless/otp` grant. */
  async function verify(fields: Record<string, string>, headers: Record<string, string | string[] | undefined>): Promise<Reply> {
    const client = findClient(store, fields.client_id);
    if (!client) return authError(401, 'access_denied', 'Unauthorized');
    const connection = findConnection(store, fields.realm);
    if (!connection || tenantKind(connection) !== 'passwordless') return authError(400, 'invalid_request', 'realm must be a passwordless connection');
    const email = (fields.username ?? '').trim().toLowerCase();
    const index = outbox.findIndex((message) => message.to === email && message.connection === connection.name && message.code === fields.otp && message.expires > Date.now());
    if (index < 0) return authError(403, 'invalid_grant', 'Wrong email or verification code.');
    outbox.splice(index, 1);

    let user = store.state.users.find((candidate) => candidate.email === email && candidate.identities.some((identity) => identity.connection === connection.name));
    if (!user) {
      const event = preRegistrationEvent(connection, client, headers, { email });
      const result = await runTrigger(context, 'pre-user-registration', event);
      if (result.outcome === 'denied') return authError(403, 'access_denied', result.denied?.userMessage ?? 'Sign up was denied.');
      if (result.outcome === 'failed') return authError(403, 'access_denied', 'Script execution time exceeded');
      // "You cannot currently use pre-user-registration Actions to add metadata to passwordless users."
      user = newUser(connection, 'email', randomBytes(12).toString('hex'), { email, email_verified: true, ...auth0Defaults(email) });
      store.state.users.push(user);
      store.save();
    }
    return completeLogin(context, { user, connection, client, method: 'email', scope: fields.scope ?? 'openid', audience: fields.audience, headers, body: fields });
  }

  return { routes, verify };
}
