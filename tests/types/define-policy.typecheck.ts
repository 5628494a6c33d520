/**
 * Compile-only checks of the policy's types: `npm test` runs `tsc --noEmit` over this file, and each
 * `@ts-expect-error` fails the type check if the line below it ever compiles.
 */
import { definePolicy } from '../../actions/lib/define-policy';

const base = {
  namespace: 'https://example.com/',
  metadataKey: 'root_attributes',
  values: {},
  enforce: {
    signup: { required: 'deny', values: 'deny', sources: 'deny' },
    login: { required: 'flag', values: 'flag', sources: 'flag' },
  },
  unmanagedConnections: 'record',
} as const;

const policy = definePolicy({ ...base, connections: { db: { sources: ['signup'] }, google: { sync: 'on_first_login', sources: ['idp'] } } });
// Connection names stay literal: a typo in code that reads the policy fails to compile.
policy.connections.db.sources satisfies readonly string[];
// @ts-expect-error -- no connection named 'dbb'
void policy.connections.dbb;

// @ts-expect-error -- 'email' is not a tracked root attribute
definePolicy({ ...base, connections: { db: { sources: ['signup'], required: ['email'] } } });
// @ts-expect-error -- 'ldap' is not a source
definePolicy({ ...base, connections: { db: { sources: ['ldap'] } } });
// @ts-expect-error -- 'on_first_logon' is not a sync mode
definePolicy({ ...base, connections: { google: { sync: 'on_first_logon', sources: ['idp'] } } });
// @ts-expect-error -- 'block' is not an enforcement
definePolicy({ ...base, connections: { db: { sources: ['signup'], enforce: { login: { values: 'block' } } } } });
// @ts-expect-error -- 'title' is not a tracked root attribute
definePolicy({ ...base, connections: { db: { sources: ['signup'], attributes: { title: { sources: ['signup'] } } } } });
// @ts-expect-error -- 'emoji' is not a text rule id
definePolicy({ ...base, values: { name: { disable: ['emoji'] } }, connections: {} });
// @ts-expect-error -- 'galaxy' is not a connection kind
definePolicy({ ...base, strategies: { x: 'galaxy' }, connections: {} });
