/**
 * oidc-provider alone, for the bench to measure the same code-flow logins against: the library the local tenant
 * is built on, with its in-memory adapter, one confidential app, and a login page that checks nothing but spends
 * one password hash at the tenant's cost, grants consent and finishes the interaction. No SQLite, no Actions, no
 * brute-force protection, no log events, no Auth0 claims: what a login costs before the local tenant adds anything.
 * It is no tenant and stands in for none — a floor beside the tenant's figures, never a target of the tests.
 * Reads `{ dir }` as JSON from argv (its TLS material goes there); prints `{ port, clientId, clientSecret, caPath }`.
 */
import { createServer } from 'node:https';
import { generateKeyPairSync } from 'node:crypto';
import { ensureTlsMaterial, hashPassword } from '@auth0-root-attributes/local-tenant';

const CALLBACK = 'https://127.0.0.1:1/callback';
const CLIENT = { client_id: 'provider-alone', client_secret: 'provider-alone-secret-of-enough-length' };

const page = (uid: string) =>
  `<!doctype html><html><body><form method="post" action="/u/login?state=${uid}"><input name="username"><input name="password" type="password"><button type="submit">Continue</button></form></body></html>`;

async function main(): Promise<void> {
  const { dir } = JSON.parse(process.argv[2] ?? '{}') as { dir: string };
  const tls = ensureTlsMaterial(dir);
  const { default: Provider } = await import('oidc-provider');
  const server = createServer({ key: tls.key, cert: tls.cert });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as { port: number };
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(`https://localhost:${port}/`, {
    clients: [{ ...CLIENT, redirect_uris: [CALLBACK], token_endpoint_auth_method: 'client_secret_post' }],
    jwks: { keys: [{ ...signing, kid: 'provider-alone', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['provider-alone-cookie-key'] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, email: sub, name: sub }) }),
    claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
    interactions: { url: (_ctx, interaction) => `/u/login?state=${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    routes: { jwks: '/.well-known/jwks.json' },
    ttl: { Interaction: 600, Session: 3_600, Grant: 3_600, AccessToken: 3_600, IdToken: 3_600, AuthorizationCode: 60 },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/u/login')) {
      callback(req, res);
      return;
    }
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(details.uid));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      await hashPassword(form.get('password') ?? '');
      const accountId = form.get('username') ?? '';
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope('openid profile email');
      await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: false });
    })().catch(() => {
      if (!res.headersSent) res.writeHead(400).end();
    });
  });
  console.log(JSON.stringify({ port, clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret, caPath: tls.caPath }));
}

void main();
