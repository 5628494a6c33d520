/**
 * An application's side of the authorization code flow, on the unmodified openid-client (ESM-only,
 * loaded when first used): the URL it sends the browser to, and the code exchange when the browser comes
 * back. With `browser.ts` it signs the story's users in the way a web app signs users in to Auth0.
 */
import type * as OpenIdClient from 'openid-client';

export interface CodeFlowApp {
  /** Starts a login: the /authorize URL (PKCE, state, nonce) with Auth0's extra parameters. */
  start(params?: Record<string, string>): Promise<string>;
  /** Finishes it with the URL the browser arrived at: the tokens, or an error naming what the tenant said. */
  finish(callbackUrl: string): Promise<{ idToken: string; accessToken: string; claims: Record<string, unknown> }>;
}

export async function codeFlowApp(issuer: string, clientId: string, clientSecret: string, redirectUri: string): Promise<CodeFlowApp> {
  const client = (await import('openid-client')) as typeof OpenIdClient;
  const config = await client.discovery(new URL(issuer), clientId, clientSecret);
  const pending = new Map<string, { verifier: string; nonce: string }>();
  return {
    async start(params = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      pending.set(state, { verifier, nonce });
      return client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, scope: 'openid profile email', state, nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params,
      }).href;
    },
    async finish(callbackUrl) {
      const url = new URL(callbackUrl);
      const error = url.searchParams.get('error');
      if (error) throw new Error(`${error}: ${url.searchParams.get('error_description') ?? ''}`);
      const state = url.searchParams.get('state') ?? '';
      const flow = pending.get(state);
      if (!flow) throw new Error('the browser came back with a state this app did not send');
      pending.delete(state);
      const tokens = await client.authorizationCodeGrant(config, url, { pkceCodeVerifier: flow.verifier, expectedState: state, expectedNonce: flow.nonce });
      return { idToken: tokens.id_token ?? '', accessToken: tokens.access_token, claims: { ...tokens.claims() } };
    },
  };
}
