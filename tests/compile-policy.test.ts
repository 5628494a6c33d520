import { compilePolicy, enforcementOf, violationCategory } from '../actions/lib/compile-policy';
import { definePolicy, type Policy } from '../actions/lib/define-policy';

const base = definePolicy({
  namespace: 'https://example.com/',
  metadataKey: 'root_attributes',
  values: {},
  enforce: {
    signup: { required: 'deny', values: 'deny', sources: 'deny' },
    login: { required: 'flag', values: 'flag', sources: 'off' },
  },
  unmanagedConnections: 'ignore',
  connections: {
    db: {
      sources: ['signup', 'unknown'],
      required: ['given_name'],
      enforce: { login: { values: 'deny' } },
      attributes: { picture: { sources: ['management_api'], enforce: { login: { values: 'off', sources: 'deny' } } } },
    },
  },
});
const table = { db: { strategy: 'auth0', kind: 'database', sync: null } } as const;

function connection(policy: Policy = base, name = 'db') {
  const compiled = compilePolicy(policy, table).connection(name);
  if (typeof compiled === 'string') throw new Error(`expected a compiled connection, got ${compiled}`);
  return compiled;
}

describe('compiling the policy', () => {
  it('lets a connection override the policy\'s enforcement and an attribute override the connection\'s', () => {
    const db = connection();
    expect(db.attributes.name.enforce.login).toEqual({ required: 'flag', values: 'deny', sources: 'off' });
    expect(db.attributes.picture.enforce.login).toEqual({ required: 'flag', values: 'off', sources: 'deny' });
    expect(db.attributes.picture.enforce.signup).toEqual({ required: 'deny', values: 'deny', sources: 'deny' });
  });

  it('gives each attribute the connection\'s sources unless it has its own', () => {
    const db = connection();
    expect([...db.attributes.name.sources]).toEqual(['signup', 'unknown']);
    expect([...db.attributes.picture.sources]).toEqual(['management_api']);
    expect(db.attributes.given_name.required).toBe(true);
    expect(db.attributes.name.required).toBe(false);
  });

  it('takes kind and sync from the table', () => {
    expect(connection()).toMatchObject({ name: 'db', kind: 'database', sync: null, managed: true });
  });

  it.each(['ignore', 'deny'] as const)('answers "%s" for a connection it does not know, as unmanagedConnections says', (handling) => {
    expect(compilePolicy({ ...base, unmanagedConnections: handling }, table).connection('other')).toBe(handling);
  });

  it('records an unknown connection without enforcing anything when unmanagedConnections is "record"', () => {
    const other = connection({ ...base, unmanagedConnections: 'record' }, 'other');
    expect(other).toMatchObject({ name: 'other', kind: 'unknown', managed: false });
    expect(other.attributes.name.enforce).toEqual({
      signup: { required: 'off', values: 'off', sources: 'off' },
      login: { required: 'off', values: 'off', sources: 'off' },
    });
  });

  it('fingerprints the policy and table, so a changed policy re-checks stored violations', () => {
    const first = compilePolicy(base, table).fingerprint;
    expect(compilePolicy(base, table).fingerprint).toBe(first);
    expect(compilePolicy({ ...base, namespace: 'https://other.example/' }, table).fingerprint).not.toBe(first);
  });

  it('sorts violation codes into their kind and finds what they do', () => {
    expect(violationCategory('name.required')).toBe('required');
    expect(violationCategory('name.source-not-allowed')).toBe('sources');
    expect(violationCategory('picture.host-not-allowed')).toBe('values');
    const db = connection();
    expect(enforcementOf(db, 'picture.source-not-allowed', 'login')).toBe('deny');
    expect(enforcementOf(db, 'name.web-address', 'login')).toBe('deny');
    expect(enforcementOf(db, 'toString.x', 'login')).toBe('off');
    expect(enforcementOf(db, '__proto__.x', 'signup')).toBe('off');
  });
});
