/**
 * A team's own post-login Action, in TypeScript, with an npm dependency: tells the app which kind of network
 * the user signed in from (`private`, `loopback`, `unicast`, …), and refuses a login with no IP address.
 * `npm run build` compiles it into build/actions/network-claim.js, which tenant.yaml deploys; Auth0 (and the
 * local tenant) install ipaddr.js as tenant.yaml declares it.
 */
import * as ipaddr from 'ipaddr.js';

interface Event {
  request: { ip?: string };
  secrets: { CLAIM_NAMESPACE?: string };
}

interface Api {
  idToken: { setCustomClaim(name: string, value: unknown): void };
}

export const onExecutePostLogin = async (event: Event, api: Api): Promise<void> => {
  const namespace = event.secrets.CLAIM_NAMESPACE ?? 'https://example.com/';
  if (!event.request.ip) throw new Error('the login has no IP address');
  api.idToken.setCustomClaim(`${namespace}network`, ipaddr.process(event.request.ip).range());
};
