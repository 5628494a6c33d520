/**
 * The sourcing policy: where each root attribute of each connection's users may come from, what
 * values are acceptable, and what a violation does. With tenant.yaml, the one file a team edits.
 *
 * - `sources` per connection: `signup` (public signup; also what lets signup supply the attribute),
 *   `import` (bulk import, lazy migration), `management_api` (PATCH/POST /api/v2/users), `idp` (the
 *   upstream identity provider at login), `unknown` (users created before auditing began).
 * - `sync` per upstream connection: the `options.set_user_root_attributes` tenant.yaml must give it.
 * - `enforce`: `deny` ends the signup or login, `flag` reports in the logs and the ID token, `off` ignores.
 *
 * `npm run check` verifies this file against tenant.yaml; `npm run build` inlines it into both Actions.
 */
import { definePolicy } from './lib/define-policy';

export default definePolicy({
  namespace: 'https://example.com/',
  metadataKey: 'root_attributes',
  values: {
    picture: {
      // Google and Microsoft profile photos, Gravatar, and the initials avatars Auth0 assigns by default.
      allowedHosts: ['*.googleusercontent.com', 'gravatar.com', '*.gravatar.com', 'cdn.auth0.com'],
    },
  },
  enforce: {
    signup: { required: 'deny', values: 'deny', sources: 'deny' },
    login: { required: 'flag', values: 'flag', sources: 'flag' },
  },
  unmanagedConnections: 'record',
  connections: {
    'Username-Password-Authentication': {
      sources: ['signup', 'import', 'management_api', 'unknown'],
    },
    'google-oauth2': {
      sync: 'on_first_login',
      sources: ['idp', 'management_api', 'unknown'],
    },
    'corp-oidc': {
      sync: 'on_each_login',
      sources: ['idp'],
      required: ['given_name', 'family_name'],
    },
    email: {
      sources: ['signup', 'management_api', 'unknown'],
    },
  },
});
