/** Clients (applications): listed so a0deploy can resolve `enabled_clients` names to ids. */
import type { Route } from '../http';
import type { StateStore, StoredClient } from '../state';
import { page } from './validate';

/** A client as the API shows it to a token without read:client_keys: no secret. */
function publicClient(client: StoredClient) {
  const { client_secret: _secret, ...rest } = client;
  return { tenant: 'local', global: false, oidc_conformant: true, token_endpoint_auth_method: 'client_secret_post', ...rest };
}

export function clientRoutes(store: StateStore): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v2/clients', scopes: ['read:clients'],
      handler: ({ query }) => {
        const { page: pageNumber, perPage } = page(query, 50, 100);
        const clients = store.state.clients.slice(pageNumber * perPage, (pageNumber + 1) * perPage).map(publicClient);
        if (query.get('include_totals') === 'true') {
          return { status: 200, body: { total: store.state.clients.length, start: pageNumber * perPage, limit: perPage, clients } };
        }
        return { status: 200, body: clients };
      },
    },
  ];
}
