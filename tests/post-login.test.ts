import { auth0Defaults } from '@auth0-root-attributes/local-tenant';
import { loadActions, postLoginEvent, TARGETS, type ActionsUnderTest, type PostLoginEvent } from './kit';
import { CONNECTIONS, FIXTURE, FIXTURE_KEY, FIXTURE_NAMESPACE, freezeClock, logsOf, NOW } from './support/scenario';
import { SAMPLE_TENANT } from './support/sample';

type Connection = (typeof CONNECTIONS)[keyof typeof CONNECTIONS];

const SOURCES_CLAIM = `${FIXTURE_NAMESPACE}root_attribute_sources`;
const VIOLATIONS_CLAIM = `${FIXTURE_NAMESPACE}root_attribute_violations`;

/** A user of `connection` with a picture the fixture policy accepts. */
function login(connection: Connection, overrides: Parameters<typeof postLoginEvent>[0] = {}): PostLoginEvent {
  return postLoginEvent({
    connection,
    user: { picture: 'https://lh3.googleusercontent.com/a/photo=s96-c', nickname: 'ada' },
    ...overrides,
    ...(overrides.user ? { user: { picture: 'https://lh3.googleusercontent.com/a/photo=s96-c', nickname: 'ada', ...overrides.user } } : {}),
  });
}

describe.each(TARGETS)('post-login Action (%s)', (target) => {
  let actions: ActionsUnderTest;
  beforeAll(async () => {
    actions = await loadActions(target, FIXTURE);
  });
  afterAll(() => actions.close());
  freezeClock();

  /** Logs in, then logs in again with the record the first login wrote and `changes` applied. */
  async function secondLogin(first: PostLoginEvent, changes: Partial<PostLoginEvent['user']>) {
    const firstRun = await actions.postLogin(first);
    const record = firstRun.state.appMetadata[FIXTURE_KEY];
    expect(record).toBeDefined();
    const second: PostLoginEvent = {
      ...first,
      stats: { logins_count: 2 },
      user: { ...first.user, ...changes, app_metadata: { [FIXTURE_KEY]: record } },
    };
    return { firstRun, secondRun: await actions.postLogin(second), record };
  }

  describe("Auth0's own defaults (name = the e-mail, nickname its local part, the Gravatar picture)", () => {
    it.each(['jane@example.com', 'jane.doe+news@example.com', 'j.doe@mail.corp.example.co.uk', 'Jane.Doe@Example.COM'])(
      'are no violation for %s, at the first login and at later logins without a record',
      async (email) => {
        for (const logins of [1, 9]) {
          const run = await actions.postLogin(postLoginEvent({ connection: CONNECTIONS.database, stats: { logins_count: logins }, user: { email, given_name: 'Jane', family_name: undefined, ...auth0Defaults(email) } }));
          expect(run.state.denied).toBeNull();
          expect((run.state.appMetadata[FIXTURE_KEY] as { violations: string[] }).violations).toEqual([]);
          expect(run.state.idTokenClaims).not.toHaveProperty(VIOLATIONS_CLAIM);
        }
      },
    );

    it('still flags an e-mail address that is not the user\'s own', async () => {
      const run = await actions.postLogin(postLoginEvent({ connection: CONNECTIONS.database, stats: { logins_count: 3 }, user: { email: 'jane@example.com', given_name: 'Jane', family_name: undefined, ...auth0Defaults('jane@example.com'), name: 'boss@example.com' } }));
      expect(run.state.idTokenClaims[VIOLATIONS_CLAIM]).toEqual(['name.email-address']);
    });
  });

  describe('names the source of what it sees (docs/design.md §3)', () => {
    it.each([
      ['no record, first login, upstream on_first_login', CONNECTIONS.google, 1, 'idp'],
      ['no record, first login, upstream on_each_login', CONNECTIONS.corp, 1, 'idp'],
      ['no record, later login, upstream on_each_login (the IdP just wrote it)', CONNECTIONS.corp, 7, 'idp'],
      ['no record, first login, legal identity on_first_login', CONNECTIONS.bankId, 1, 'idp'],
      ['no record, first login, custom DB with external store', CONNECTIONS.externalDb, 1, 'idp'],
      ['no record, first login, custom DB with import mode (lazy migration)', CONNECTIONS.importDb, 1, 'import'],
      ['no record, first login, passwordless email', CONNECTIONS.email, 1, 'signup'],
      ['no record, first login, passwordless sms', CONNECTIONS.sms, 1, 'signup'],
      ['no record, first login, database', CONNECTIONS.database, 1, 'unknown'],
      ['no record, later login, database', CONNECTIONS.database, 4, 'unknown'],
      ['no record, later login, upstream on_first_login', CONNECTIONS.google, 4, 'unknown'],
      ['no record, first login, upstream never_on_login (the IdP sets nothing)', CONNECTIONS.github, 1, 'unknown'],
    ] as const)('%s: %s', async (_situation, connection, logins, source) => {
      const run = await actions.postLogin(login(connection, { stats: { logins_count: logins }, user: { family_name: 'Lovelace', given_name: 'Ada' } }));
      const record = run.state.appMetadata[FIXTURE_KEY] as { attributes: Record<string, { source: string; at: string }> };
      expect(record.attributes.name).toEqual({ source, at: NOW, digest: expect.stringMatching(/^[A-Za-z0-9_-]{12}$/) });
      expect(run.state.idTokenClaims[SOURCES_CLAIM]).toMatchObject({ name: source, given_name: source, picture: source });
    });

    it.each([
      ['upstream on_each_login', CONNECTIONS.corp, 'idp'],
      ['custom DB with external store (on_each_login)', CONNECTIONS.externalDb, 'idp'],
      ['upstream on_first_login', CONNECTIONS.google, 'management_api'],
      ['upstream never_on_login', CONNECTIONS.github, 'management_api'],
      ['database (Auth0 as IdP)', CONNECTIONS.database, 'management_api'],
      ['passwordless (Auth0 as IdP)', CONNECTIONS.email, 'management_api'],
      ['custom DB with import mode (Auth0 as IdP)', CONNECTIONS.importDb, 'management_api'],
    ] as const)('digest changed, %s: %s', async (_situation, connection, source) => {
      const first = login(connection, { user: { given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace' } });
      const { firstRun, secondRun } = await secondLogin(first, { name: 'Ada King' });
      const before = (firstRun.state.appMetadata[FIXTURE_KEY] as { attributes: Record<string, { source: string }> }).attributes.name?.source;
      expect(secondRun.state.appMetadata[FIXTURE_KEY]).toMatchObject({ attributes: { name: { source, at: NOW } } });
      expect(logsOf(secondRun.logs, 'root_attribute_changed')).toEqual([
        { event: 'root_attribute_changed', user_id: first.user.user_id, connection: connection.name, attribute: 'name', source, previous_source: before },
      ]);
    });

    it('keeps the recorded source while the digest is unchanged', async () => {
      const first = login(CONNECTIONS.email);
      const { secondRun } = await secondLogin(first, {});
      expect(secondRun.state.idTokenClaims[SOURCES_CLAIM]).toMatchObject({ name: 'signup', picture: 'signup' });
    });

    it('records a removed attribute as a change with no new source', async () => {
      const first = login(CONNECTIONS.google, { user: { given_name: 'Ada', family_name: 'Lovelace' } });
      const { secondRun } = await secondLogin(first, { nickname: undefined });
      const written = secondRun.state.appMetadata[FIXTURE_KEY] as { attributes: Record<string, unknown> };
      expect(written.attributes.nickname).toBeUndefined();
      expect(logsOf(secondRun.logs, 'root_attribute_changed')).toEqual([
        expect.objectContaining({ attribute: 'nickname', source: null, previous_source: 'idp' }),
      ]);
    });

    it('attributes values Auth0 filled in at creation to the signup that created the user', async () => {
      const signupRecord = {
        v: 1,
        connection: 'email',
        digest: 'AAAAAAAAAAAA',
        policy: 'AAAAAAAAAAAA',
        attributes: {},
        violations: [],
      };
      const run = await actions.postLogin(
        login(CONNECTIONS.email, { user: { app_metadata: { [FIXTURE_KEY]: signupRecord } } }),
      );
      expect(run.state.idTokenClaims[SOURCES_CLAIM]).toMatchObject({ name: 'signup', nickname: 'signup', picture: 'signup' });
    });

    it('attributes a linked account\'s login to the primary identity\'s connection', async () => {
      const event = login(CONNECTIONS.google, {
        user: {
          identities: [
            { connection: 'corp-oidc', provider: 'oidc', isSocial: false, user_id: 'corp|1' },
            { connection: 'google-oauth2', provider: 'google-oauth2', isSocial: true, user_id: '1' },
          ],
          given_name: 'Ada',
          family_name: 'Lovelace',
        },
        stats: { logins_count: 9 },
      });
      const run = await actions.postLogin(event);
      expect(run.state.appMetadata[FIXTURE_KEY]).toMatchObject({ connection: 'corp-oidc', attributes: { name: { source: 'idp' } } });
    });
  });

  describe('writes metadata only when the record changes', () => {
    it('writes nothing and logs nothing at a login that changed nothing', async () => {
      const first = login(CONNECTIONS.google, { user: { given_name: 'Ada', family_name: 'Lovelace' } });
      const { secondRun } = await secondLogin(first, {});
      expect(secondRun.calls.map((call) => call.method)).toEqual(['idToken.setCustomClaim']);
      expect(secondRun.rawLogs).toEqual([]);
    });

    it('writes once per login, however many attributes changed', async () => {
      const first = login(CONNECTIONS.corp, { user: { given_name: 'Ada', family_name: 'Lovelace' } });
      const { secondRun } = await secondLogin(first, { name: 'A L', given_name: 'A', nickname: 'al' });
      expect(secondRun.calls.filter((call) => call.method === 'user.setAppMetadata')).toHaveLength(1);
      expect(logsOf(secondRun.logs, 'root_attribute_changed').map((line) => line.attribute)).toEqual(['name', 'given_name', 'nickname']);
    });

    it('re-checks and rewrites the record when the policy changed since it was written', async () => {
      const first = login(CONNECTIONS.google, { user: { given_name: 'Ada', family_name: 'Lovelace' } });
      const firstRun = await actions.postLogin(first);
      const record = { ...(firstRun.state.appMetadata[FIXTURE_KEY] as object), policy: 'olderPolicy1' };
      const run = await actions.postLogin({ ...first, user: { ...first.user, app_metadata: { [FIXTURE_KEY]: record } } });
      expect(run.state.appMetadata[FIXTURE_KEY]).toMatchObject({ policy: expect.not.stringMatching('olderPolicy1') });
      expect(logsOf(run.logs, 'root_attribute_changed')).toEqual([]);
    });

    it('leaves the rest of app_metadata alone', async () => {
      const run = await actions.postLogin(login(CONNECTIONS.google, { user: { app_metadata: { plan: 'gold' }, given_name: 'A', family_name: 'B' } }));
      expect(Object.keys(run.state.appMetadata)).toEqual([FIXTURE_KEY]);
    });
  });

  describe('claims', () => {
    it('puts the source of every present attribute in the namespaced ID-token claim', async () => {
      const run = await actions.postLogin(login(CONNECTIONS.google, { user: { given_name: 'Ada', family_name: 'Lovelace', nickname: undefined } }));
      expect(run.state.idTokenClaims).toEqual({
        [SOURCES_CLAIM]: { name: 'idp', given_name: 'idp', family_name: 'idp', picture: 'idp' },
      });
      expect(run.state.accessTokenClaims).toEqual({});
    });

    it('adds the violations claim and a log line when something is flagged', async () => {
      const run = await actions.postLogin(login(CONNECTIONS.google, { user: { given_name: 'Ada', family_name: 'Lovelace', picture: 'https://evil.example/p.png' } }));
      expect(run.state.denied).toBeNull();
      expect(run.state.idTokenClaims[VIOLATIONS_CLAIM]).toEqual(['picture.host-not-allowed']);
      expect(logsOf(run.logs, 'root_attribute_violation')).toEqual([
        { event: 'root_attribute_violation', user_id: expect.any(String), connection: 'google-oauth2', code: 'picture.host-not-allowed', enforcement: 'flag' },
      ]);
    });

    it('keeps flagging a stored violation at a login that changed nothing, without logging it again', async () => {
      const first = login(CONNECTIONS.google, { user: { given_name: 'Ada', family_name: 'Lovelace', picture: 'https://evil.example/p.png' } });
      const { secondRun } = await secondLogin(first, {});
      expect(secondRun.state.idTokenClaims[VIOLATIONS_CLAIM]).toEqual(['picture.host-not-allowed']);
      expect(secondRun.rawLogs).toEqual([]);
    });

    it('flags values from a source the policy does not allow, and accepts allowed ones', async () => {
      // bank-id allows idp and management_api only: a user seen first at a later login has unknown sources.
      const run = await actions.postLogin(login(CONNECTIONS.bankId, { stats: { logins_count: 5 }, user: { given_name: 'A', family_name: 'B' } }));
      expect(run.state.idTokenClaims[SOURCES_CLAIM]).toMatchObject({ name: 'unknown' });
      expect(run.state.idTokenClaims[VIOLATIONS_CLAIM]).toEqual([
        'name.source-not-allowed',
        'given_name.source-not-allowed',
        'family_name.source-not-allowed',
        'nickname.source-not-allowed',
        'picture.source-not-allowed',
      ]);
      const first = login(CONNECTIONS.database, { user: { given_name: 'Ada' } });
      const { secondRun } = await secondLogin(first, { picture: 'https://cdn.example.com/new.png' });
      expect(secondRun.state.idTokenClaims[SOURCES_CLAIM]).toMatchObject({ picture: 'management_api' });
      expect(secondRun.state.idTokenClaims[VIOLATIONS_CLAIM]).toBeUndefined();
    });
  });

  describe('denies', () => {
    it('denies a login that lacks a required attribute, with a message for the user and the code in the logs', async () => {
      const run = await actions.postLogin(login(CONNECTIONS.corp, { user: { family_name: undefined, given_name: 'Ada' } }));
      expect(run.state.denied).toEqual({ reason: 'Please provide your last name.' });
      expect(logsOf(run.logs, 'login_denied')).toEqual([
        { event: 'login_denied', user_id: expect.any(String), connection: 'corp-oidc', code: 'family_name.required' },
      ]);
      expect(run.state.idTokenClaims).toEqual({});
    });

    it('denies a login whose value breaks a rule the connection enforces with deny', async () => {
      const run = await actions.postLogin(login(CONNECTIONS.corp, { user: { family_name: 'Lovelace', name: 'Ada www.spam.example.com' } }));
      expect(run.state.denied).toEqual({ reason: "Your name can't contain a web address." });
      expect(logsOf(run.logs, 'login_denied')[0]).toMatchObject({ code: 'name.web-address' });
    });

    it('denies a login whose attribute came from a source the policy denies, and still records the change', async () => {
      const first = login(CONNECTIONS.database, { user: { given_name: 'Ada' } });
      const { secondRun } = await secondLogin(first, { nickname: 'changed' });
      expect(secondRun.state.denied).toEqual({ reason: "Your nickname was changed in a way this application doesn't accept." });
      expect(logsOf(secondRun.logs, 'login_denied')[0]).toMatchObject({ code: 'nickname.source-not-allowed' });
      expect(secondRun.state.appMetadata[FIXTURE_KEY]).toMatchObject({ attributes: { nickname: { source: 'management_api' } } });
    });

    it('keeps denying at the next login from the stored violation, without re-checking', async () => {
      const first = login(CONNECTIONS.corp, { user: { family_name: undefined, given_name: 'Ada' } });
      const firstRun = await actions.postLogin(first);
      const record = firstRun.state.appMetadata[FIXTURE_KEY];
      const again = await actions.postLogin({ ...first, user: { ...first.user, app_metadata: { [FIXTURE_KEY]: record } } });
      expect(again.state.denied).toEqual({ reason: 'Please provide your last name.' });
      expect(again.calls.map((call) => call.method)).toEqual(['access.deny']);
    });

    it('denies a login through a connection tenant.yaml does not know, as the policy says', async () => {
      const run = await actions.postLogin(login({ name: 'rogue', strategy: 'samlp' } as unknown as Connection));
      expect(run.state.denied).toEqual({ reason: 'This sign-in method is not available.' });
      expect(logsOf(run.logs, 'login_denied')[0]).toMatchObject({ code: 'connection.unmanaged' });
    });
  });

  describe('corrupt records', () => {
    it.each([
      ['a string', 'oops', 'corrupt'],
      ['an array', [1, 2], 'corrupt'],
      ['an unknown version', { v: 9 }, 'unknown-version'],
      ['an own __proto__ key', JSON.parse('{"__proto__":{"admin":true}}'), 'corrupt'],
      ['a forged source', { v: 1, connection: 'c', digest: 'a', policy: 'b', attributes: { name: { source: 'root', at: NOW, digest: 'a' } }, violations: [] }, 'corrupt'],
      ['an oversized record', { v: 1, connection: 'c'.repeat(10_000), digest: 'a', policy: 'b', attributes: {}, violations: [] }, 'oversized'],
    ])('replaces %s and logs it', async (_label, stored, problem) => {
      const event = login(CONNECTIONS.google, { stats: { logins_count: 5 }, user: { given_name: 'A', family_name: 'B', app_metadata: { [FIXTURE_KEY]: stored } } });
      const run = await actions.postLogin(event);
      expect(run.state.appMetadata[FIXTURE_KEY]).toMatchObject({ v: 1, connection: 'google-oauth2', attributes: { name: { source: 'unknown' } } });
      expect(logsOf(run.logs, 'provenance_record_replaced')).toEqual([
        { event: 'provenance_record_replaced', user_id: expect.any(String), connection: 'google-oauth2', problem },
      ]);
      expect(run.state.denied).toBeNull();
    });
  });

  describe('odd events', () => {
    it.each([
      ['no user', { user: undefined }],
      ['no connection', { connection: undefined }],
      ['no stats', { stats: undefined }],
      ['app_metadata that is not an object', { user: { app_metadata: 'x' } }],
      ['attributes of the wrong type', { user: { name: 42, picture: { url: 'x' }, given_name: null } }],
      ['identities that are not a list', { user: { identities: 'x' } }],
    ])('does not throw on an event with %s', async (_label, overrides) => {
      const event = postLoginEvent(overrides as Parameters<typeof postLoginEvent>[0]);
      await expect(actions.postLogin(event)).resolves.toBeDefined();
      const run = await actions.postLogin(event);
      expect(logsOf(run.logs, 'action_error')).toEqual([]);
    });
  });

  it('never writes an attribute value into a log line', async () => {
    const secretish = { name: 'Zebediah Quixote', given_name: 'Zebediah', family_name: 'Quixote', nickname: 'zq-nick', picture: 'https://evil.example/zq.png' };
    const first = login(CONNECTIONS.google, { user: secretish });
    const { firstRun, secondRun } = await secondLogin(first, { name: 'Zebediah Q. Changed' });
    for (const line of [...firstRun.rawLogs, ...secondRun.rawLogs]) {
      for (const value of [...Object.values(secretish), 'Zebediah Q. Changed']) expect(line).not.toContain(value);
    }
    expect(firstRun.rawLogs.length).toBeGreaterThan(0);
  });
});

describe.each(TARGETS)('post-login Action with the sample policy and tenant.yaml, as shipped (%s)', (target) => {
  let actions: ActionsUnderTest;
  beforeAll(async () => {
    actions = await loadActions(target, { tenant: SAMPLE_TENANT });
  });
  afterAll(() => actions.close());
  freezeClock();

  it('records provenance under root_attributes and claims the sources under https://example.com/', async () => {
    const run = await actions.postLogin(postLoginEvent({ connection: CONNECTIONS.google }));
    expect(run.state.appMetadata.root_attributes).toMatchObject({ v: 1, connection: 'google-oauth2', attributes: { name: { source: 'idp', at: NOW } } });
    expect(run.state.idTokenClaims['https://example.com/root_attribute_sources']).toMatchObject({ name: 'idp', picture: 'idp' });
  });

  it('flags a database user whose picture is on a host outside the allow-list', async () => {
    const run = await actions.postLogin(postLoginEvent({ user: { picture: 'https://tracker.example/p.gif' } }));
    expect(run.state.denied).toBeNull();
    expect(run.state.idTokenClaims['https://example.com/root_attribute_violations']).toEqual(['picture.host-not-allowed']);
  });

  it('records a login through a connection the policy does not list, noting violations without enforcing them', async () => {
    const run = await actions.postLogin(postLoginEvent({ connection: { name: 'new-saml', strategy: 'samlp' }, user: { name: 'www.x.com' } }));
    expect(run.state.denied).toBeNull();
    expect(run.state.appMetadata.root_attributes).toMatchObject({ connection: 'new-saml', violations: ['name.web-address'] });
    expect(run.state.idTokenClaims['https://example.com/root_attribute_violations']).toBeUndefined();
  });
});

describe.each(TARGETS)('post-login Action on an adopted tenant (%s)', (target) => {
  let actions: ActionsUnderTest;
  beforeAll(async () => {
    actions = await loadActions(target, { ...FIXTURE, policy: require.resolve('./fixtures/adopted-policy.ts') });
  });
  afterAll(() => actions.close());
  freezeClock();

  it.each([
    ['passwordless email', CONNECTIONS.email],
    ['passwordless sms', CONNECTIONS.sms],
    ['custom DB with import mode', CONNECTIONS.importDb],
  ] as const)('takes the first login of a %s user the tenant had before adoption for an existing user, never a new signup or import', async (_kind, connection) => {
    const sources = async (createdAt: string) => {
      const run = await actions.postLogin(login(connection, { stats: { logins_count: 1 }, user: { created_at: createdAt, family_name: 'Lovelace', given_name: 'Ada' } }));
      return (run.state.idTokenClaims[SOURCES_CLAIM] as Record<string, string>).name;
    };
    expect(await sources('2026-10-01T09:00:00.000Z')).toBe('unknown');
    // Created after adoption: the first login is the one that created them, as on any tenant.
    expect(await sources('2026-11-20T09:00:00.000Z')).toBe(connection === CONNECTIONS.importDb ? 'import' : 'signup');
  });
});
