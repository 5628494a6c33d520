/**
 * The sample single-page app: the unmodified @auth0/auth0-spa-js (bundled by esbuild, no CDN) against the
 * local tenant or any Auth0 tenant. `/config.json` (served beside this bundle) names the tenant and client.
 */
import { createAuth0Client, type Auth0Client, type IdToken } from '@auth0/auth0-spa-js';

interface Config {
  domain: string;
  clientId: string;
  /** The policy's claim namespace, e.g. `https://example.com/`. */
  namespace: string;
}

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const PROTOCOL_CLAIMS = new Set(['iss', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'sid', 'auth_time', 'azp', '__raw']);

function show(id: string, visible: boolean): void {
  element(id).hidden = !visible;
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function row(...cells: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const text of cells) tr.append(cell(text));
  return tr;
}

function showError(error: unknown): void {
  const { error: code, error_description: description, message } = error as { error?: string; error_description?: string; message?: string };
  const box = element('error');
  box.textContent = code ? `${code}: ${description ?? ''}` : String(message ?? error);
  box.hidden = false;
}

function render(config: Config, claims: IdToken | undefined): void {
  const signedIn = claims !== undefined;
  element('status').textContent = signedIn ? 'You are signed in.' : 'You are not signed in.';
  for (const id of ['login', 'signup', 'google']) show(id, !signedIn);
  for (const id of ['silent', 'logout', 'profile']) show(id, signedIn);
  if (!claims) return;
  element('sub').textContent = String(claims.sub);
  const sources = (claims[`${config.namespace}root_attribute_sources`] ?? {}) as Record<string, string>;
  element('sources').replaceChildren(...Object.entries(sources).map(([attribute, source]) => row(attribute, source)));
  const violations = (claims[`${config.namespace}root_attribute_violations`] ?? []) as string[];
  show('violations-block', violations.length > 0);
  element('violations').replaceChildren(...violations.map((code) => Object.assign(document.createElement('li'), { textContent: code })));
  const shown = Object.entries(claims).filter(([name]) => !PROTOCOL_CLAIMS.has(name) && !name.startsWith(config.namespace));
  element('claims').replaceChildren(...shown.map(([name, value]) => row(name, typeof value === 'string' ? value : JSON.stringify(value))));
}

async function main(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as Config;
  const auth0: Auth0Client = await createAuth0Client({
    domain: config.domain,
    clientId: config.clientId,
    authorizationParams: { redirect_uri: `${window.location.origin}/` },
  });
  const query = new URLSearchParams(window.location.search);
  if (query.has('state') && (query.has('code') || query.has('error'))) {
    try {
      await auth0.handleRedirectCallback();
    } catch (error) {
      showError(error);
    }
    window.history.replaceState({}, document.title, '/');
  }
  render(config, await auth0.getIdTokenClaims());

  element('login').addEventListener('click', () => void auth0.loginWithRedirect());
  element('signup').addEventListener('click', () => void auth0.loginWithRedirect({ authorizationParams: { screen_hint: 'signup' } }));
  element('google').addEventListener('click', () => void auth0.loginWithRedirect({ authorizationParams: { connection: 'google-oauth2' } }));
  element('logout').addEventListener('click', () => void auth0.logout({ logoutParams: { returnTo: `${window.location.origin}/` } }));
  element('silent').addEventListener('click', () => {
    // prompt=none in a hidden iframe, answered by web_message: the tenant's session, no page shown.
    auth0.getTokenSilently({ cacheMode: 'off', detailedResponse: true }).then(
      async (tokens) => {
        render(config, await auth0.getIdTokenClaims());
        element('token').textContent = `Got a token silently (expires in ${tokens?.expires_in ?? "?"} s).`;
      },
      showError,
    );
  });
  // After a reload the SDK's memory is empty: the silent button is how the app asks the tenant again.
  if (!(await auth0.isAuthenticated())) show('silent', true);
}

main().catch(showError);
