/**
 * A regular web app built on the unmodified express-openid-connect (which needs openid-client, ESM-only:
 * so it runs here, in a child process). It listens on HTTPS on 127.0.0.1 (same-site with the tenant)
 * and, once told its client, requires a login on every page: `/` shows the ID token's claims as JSON.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

type Message =
  | { id: number; call: 'listen'; certPath: string; keyPath: string }
  | { id: number; call: 'configure'; issuer: string; clientId: string; clientSecret: string };

async function main(): Promise<void> {
  const express = (await import('express')).default;
  const { auth } = await import('express-openid-connect');
  let handler: ((req: unknown, res: unknown) => void) | undefined;
  let baseURL = '';
  const server = createServer();
  server.on('request', (req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end('not configured');
  });

  const handlers = {
    async listen(message: Extract<Message, { call: 'listen' }>) {
      server.setSecureContext({ cert: readFileSync(message.certPath), key: readFileSync(message.keyPath) });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      baseURL = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return { baseURL };
    },
    async configure(message: Extract<Message, { call: 'configure' }>) {
      const app = express();
      app.use(auth({
        issuerBaseURL: message.issuer,
        baseURL,
        clientID: message.clientId,
        clientSecret: message.clientSecret,
        secret: 'a long enough cookie secret for the sample web app',
        authRequired: true,
        idpLogout: true,
        // On 127.0.0.1 eoc cannot tell the issuer is Auth0's: ask for /v2/logout explicitly.
        auth0Logout: true,
        clientAuthMethod: 'client_secret_post',
        authorizationParams: { response_type: 'code', scope: 'openid profile email' },
      }));
      app.get('/', (req, res) => {
        res.json({ claims: req.oidc.idTokenClaims, user: req.oidc.user });
      });
      app.get('/profile', async (req, res) => {
        res.json(await req.oidc.fetchUserInfo());
      });
      handler = app as unknown as (req: unknown, res: unknown) => void;
      return { ok: true };
    },
  };

  process.on('message', (message: Message) => {
    const run = handlers[message.call] as (message: Message) => Promise<unknown>;
    run(message).then(
      (result) => process.send?.({ id: message.id, result }),
      (error: unknown) => process.send?.({ id: message.id, error: { name: (error as Error).name, message: (error as Error).message } }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ id: 0, result: 'ready' });
}

void main();
