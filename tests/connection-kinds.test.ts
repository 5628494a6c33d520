import {
  CONNECTION_KINDS,
  connectionKind,
  ENTERPRISE_STRATEGIES,
  possibleSources,
  SOCIAL_STRATEGIES,
  syncSettingApplies,
} from '../actions/lib/connection-kinds';

describe('connection kinds', () => {
  it.each([
    [{ strategy: 'auth0' }, 'database'],
    [{ strategy: 'auth0', options: { enabledDatabaseCustomization: true, import_mode: true } }, 'custom-db-import'],
    [{ strategy: 'auth0', options: { enabledDatabaseCustomization: true, import_mode: false } }, 'custom-db-external'],
    [{ strategy: 'auth0', options: { enabledDatabaseCustomization: true } }, 'custom-db-external'],
    [{ strategy: 'auth0', options: { import_mode: true } }, 'database'],
    [{ strategy: 'email' }, 'passwordless'],
    [{ strategy: 'sms' }, 'passwordless'],
    [{ strategy: 'google-oauth2' }, 'social'],
    [{ strategy: 'apple' }, 'social'],
    [{ strategy: 'oauth2' }, 'social'],
    [{ strategy: 'oidc' }, 'enterprise'],
    [{ strategy: 'samlp' }, 'enterprise'],
    [{ strategy: 'waad' }, 'enterprise'],
    [{ strategy: 'google-apps' }, 'enterprise'],
    [{ strategy: 'okta' }, 'enterprise'],
    [{ strategy: 'my-bank-id' }, 'unknown'],
  ] as const)('classifies %j as %s', (connection, kind) => {
    expect(connectionKind(connection)).toBe(kind);
  });

  it('lets the policy classify a strategy no list knows, and override a listed one', () => {
    expect(connectionKind({ strategy: 'my-bank-id' }, { 'my-bank-id': 'legal-identity' })).toBe('legal-identity');
    expect(connectionKind({ strategy: 'oauth2' }, { oauth2: 'legal-identity' })).toBe('legal-identity');
  });

  it('does not mistake inherited object keys for strategies', () => {
    expect(connectionKind({ strategy: 'constructor' })).toBe('unknown');
    expect(connectionKind({ strategy: '__proto__' })).toBe('unknown');
  });

  it('keeps the social and enterprise lists apart and complete for the common providers', () => {
    expect(SOCIAL_STRATEGIES.filter((s) => ENTERPRISE_STRATEGIES.includes(s))).toEqual([]);
    for (const s of ['facebook', 'github', 'linkedin', 'twitter', 'windowslive', 'line', 'salesforce']) expect(SOCIAL_STRATEGIES).toContain(s);
    for (const s of ['ad', 'adfs', 'pingfederate', 'office365', 'auth0-oidc']) expect(ENTERPRISE_STRATEGIES).toContain(s);
  });

  it('applies the sync setting to upstream kinds only', () => {
    const applies = CONNECTION_KINDS.filter(syncSettingApplies);
    expect(applies).toEqual(['custom-db-external', 'social', 'enterprise', 'legal-identity']);
  });
});

describe('possible sources per kind and sync setting', () => {
  it('never allows the Management API on a synced attribute under on_each_login (Auth0 answers 400)', () => {
    expect(possibleSources('social', 'on_each_login')).toEqual(['idp', 'unknown']);
    expect(possibleSources('enterprise', 'on_first_login')).toEqual(['management_api', 'idp', 'unknown']);
    expect(possibleSources('social', 'never_on_login')).toEqual(['management_api', 'unknown']);
  });

  it('allows signup and import only where Auth0 stores the user', () => {
    expect(possibleSources('database', null)).toEqual(['signup', 'import', 'management_api', 'unknown']);
    expect(possibleSources('custom-db-import', null)).toEqual(['signup', 'import', 'management_api', 'unknown']);
    expect(possibleSources('passwordless', null)).toEqual(['signup', 'management_api', 'unknown']);
    expect(possibleSources('custom-db-external', 'on_each_login')).toEqual(['signup', 'idp', 'unknown']);
    expect(possibleSources('unknown', null)).toEqual(['unknown']);
  });
});
