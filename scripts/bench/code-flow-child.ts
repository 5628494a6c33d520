/**
 * Logins as an application makes them, in a process of its own (the app is not the tenant): the
 * authorization code flow with PKCE on the unmodified openid-client, the hosted login page fetched and its
 * form posted over HTTP as a browser would, post-login running in the tenant, the code exchanged and the ID
 * token's signature verified against the JWKS (jose). `concurrency` clients log in until `logins` are done, each
 * login a browser session of its own (its own cookies), over connections kept alive between requests as browsers
 * and openid-client keep them.
 * Reads its settings as JSON from argv; prints `{ latenciesNs, failed, elapsedMs, roundTripNs }`.
 * NODE_EXTRA_CA_CERTS must name the tenant's CA (openid-client's fetch trusts it so).
 */
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { UserAgent } from '@auth0-root-attributes/local-tenant';
import { codeFlowApp } from '../story/code-flow';

export interface CodeFlowSettings {
  domain: string;
  caPath: string;
  clientId: string;
  clientSecret: string;
  callback: string;
  connection: string;
  emails: string[];
  password: string;
  concurrency: number;
  logins: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as CodeFlowSettings;
  const ca = readFileSync(settings.caPath, 'utf8');
  const issuer = `https://${settings.domain}/`;
  const app = await codeFlowApp(issuer, settings.clientId, settings.clientSecret, settings.callback);
  const jwks = createRemoteJWKSet(new URL(`${issuer}.well-known/jwks.json`));

  const login = async (email: string): Promise<void> => {
    const browser = new UserAgent(ca);
    const first = await browser.open(await app.start({ connection: settings.connection }), settings.callback);
    if (!('page' in first)) throw new Error('the tenant skipped its login page');
    const step = await browser.submit(first.page, settings.callback, { username: email, password: settings.password }, 'Continue');
    if (!('arrived' in step)) throw new Error(`the login page answered ${step.page.status}`);
    const tokens = await app.finish(step.arrived);
    await jwtVerify(tokens.idToken, jwks, { issuer, audience: settings.clientId, algorithms: ['RS256'] });
  };

  // Warm-up: the JIT, the JWKS cache, the tenant's first logins.
  for (let i = 0; i < 10; i++) await login(settings.emails[i % settings.emails.length] ?? '');
  const roundTrip: number[] = [];
  const probe = new UserAgent(ca);
  for (let i = 0; i < 200; i++) {
    const started = process.hrtime.bigint();
    await probe.fetch(`${issuer}.well-known/jwks.json`);
    roundTrip.push(Number(process.hrtime.bigint() - started));
  }

  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: settings.concurrency }, async () => {
      while (next < settings.logins) {
        const index = next++;
        const begun = process.hrtime.bigint();
        try {
          await login(settings.emails[index % settings.emails.length] ?? '');
          latencies.push(Number(process.hrtime.bigint() - begun));
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(JSON.stringify({ latenciesNs: latencies, failed, elapsedMs, roundTripNs: roundTrip }));
}

void main();
