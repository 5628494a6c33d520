/**
 * A relying party built on the unmodified openid-client (ESM-only, so it runs here, in a child process,
 * never inside Jest): the test drives the browser side and hands this process the URLs; each message
 * is one call of the library. Started by `startRelyingParty` (relying-party.ts) with the tenant's CA in
 * NODE_EXTRA_CA_CERTS, as any Node app pointed at the local tenant would be.
 */
import type * as OpenIdClient from 'openid-client';

type Message =
  | { id: number; call: 'init'; issuer: string; clientId: string; clientSecret?: string }
  | { id: number; call: 'authorize'; redirectUri: string; params: Record<string, string> }
  | { id: number; call: 'callback'; url: string }
  | { id: number; call: 'refresh'; refreshToken: string }
  | { id: number; call: 'userinfo'; accessToken: string; sub: string }
  | { id: number; call: 'logoutUrl'; params: Record<string, string> };

interface Pending {
  verifier: string;
  nonce: string;
  state: string;
}

async function main(): Promise<void> {
  const client = (await import('openid-client')) as typeof OpenIdClient;
  let config: OpenIdClient.Configuration | undefined;
  const pending = new Map<string, Pending>();
  const ready = () => {
    if (!config) throw new Error('init first');
    return config;
  };

  const handlers = {
    async init(message: Extract<Message, { call: 'init' }>) {
      config = await client.discovery(new URL(message.issuer), message.clientId, message.clientSecret);
      return { issuer: config.serverMetadata().issuer };
    },
    async authorize(message: Extract<Message, { call: 'authorize' }>) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(ready(), {
        redirect_uri: message.redirectUri,
        scope: 'openid profile email',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...message.params,
      });
      pending.set(state, { verifier, nonce, state });
      return { url: url.href, state };
    },
    async callback(message: Extract<Message, { call: 'callback' }>) {
      const url = new URL(message.url);
      const state = url.searchParams.get('state') ?? '';
      const flow = pending.get(state);
      if (!flow) throw new Error(`no authorization started with state ${state}`);
      const tokens = await client.authorizationCodeGrant(ready(), url, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce });
      return { tokens, claims: tokens.claims() };
    },
    async refresh(message: Extract<Message, { call: 'refresh' }>) {
      const tokens = await client.refreshTokenGrant(ready(), message.refreshToken);
      return { tokens, claims: tokens.claims() };
    },
    async userinfo(message: Extract<Message, { call: 'userinfo' }>) {
      return client.fetchUserInfo(ready(), message.accessToken, message.sub);
    },
    async logoutUrl(message: Extract<Message, { call: 'logoutUrl' }>) {
      return { url: client.buildEndSessionUrl(ready(), message.params).href };
    },
  };

  process.on('message', (message: Message) => {
    const handler = handlers[message.call] as (message: Message) => Promise<unknown>;
    handler(message).then(
      (result) => process.send?.({ id: message.id, result: JSON.parse(JSON.stringify(result ?? null)) as unknown }),
      (error: unknown) => {
        const failure = error as { name?: string; message?: string; error?: string; error_description?: string; code?: string };
        process.send?.({ id: message.id, error: { name: failure.name, message: failure.message, code: failure.code, error: failure.error, error_description: failure.error_description } });
      },
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ id: 0, result: 'ready' });
}

void main();
