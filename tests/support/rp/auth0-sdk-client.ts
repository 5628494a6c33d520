/**
 * The official `auth0` SDK's AuthenticationClient (`auth0/legacy`, the v4 API auth0@7 ships), run in a
 * child process started with the tenant's CA in NODE_EXTRA_CA_CERTS, as a team's Node service runs it.
 * It checks every ID token it gets: RS256 signature against /.well-known/jwks.json, iss, aud, nonce.
 */
// auth0/legacy's types resolve only under moduleResolution node16+; the project compiles with node10.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AuthenticationClient } = require('auth0/legacy') as {
  AuthenticationClient: new (options: { domain: string; clientId: string; clientSecret?: string }) => AuthenticationClient;
};

interface AuthenticationClient {
  oauth: {
    passwordGrant(options: { username: string; password: string; realm: string; scope?: string }): Promise<{ data: unknown }>;
    clientCredentialsGrant(options: { audience: string }): Promise<{ data: unknown }>;
  };
}

type Message =
  | { id: number; call: 'init'; domain: string; clientId: string; clientSecret?: string }
  | { id: number; call: 'passwordGrant'; username: string; password: string; realm: string; scope?: string }
  | { id: number; call: 'clientCredentials'; audience: string };

let client: AuthenticationClient | undefined;

const handlers = {
  async init(message: Extract<Message, { call: 'init' }>) {
    client = new AuthenticationClient({ domain: message.domain, clientId: message.clientId, ...(message.clientSecret ? { clientSecret: message.clientSecret } : {}) });
    return { ok: true };
  },
  async passwordGrant(message: Extract<Message, { call: 'passwordGrant' }>) {
    const { data } = await client!.oauth.passwordGrant({ username: message.username, password: message.password, realm: message.realm, scope: message.scope ?? 'openid profile email' });
    return data;
  },
  async clientCredentials(message: Extract<Message, { call: 'clientCredentials' }>) {
    const { data } = await client!.oauth.clientCredentialsGrant({ audience: message.audience });
    return data;
  },
};

process.on('message', (message: Message) => {
  const run = handlers[message.call] as (message: Message) => Promise<unknown>;
  run(message).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) => {
      const failure = error as { name?: string; message?: string; error?: string; error_description?: string; statusCode?: number };
      process.send?.({ id: message.id, error: { name: failure.name, message: failure.message, error: failure.error, error_description: failure.error_description, code: String(failure.statusCode ?? '') } });
    },
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, result: 'ready' });
