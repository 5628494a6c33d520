import { loadActions, postLoginEvent, preUserRegistrationEvent, TARGETS, type ActionsUnderTest } from './kit';
import { CONNECTIONS, FIXTURE, FIXTURE_KEY, freezeClock, logsOf, NOW } from './support/scenario';
import { SAMPLE_TENANT } from './support/sample';

describe.each(TARGETS)('pre-user-registration Action (%s)', (target) => {
  let actions: ActionsUnderTest;
  beforeAll(async () => {
    actions = await loadActions(target, FIXTURE);
  });
  afterAll(() => actions.close());
  freezeClock();

  type SignupUser = NonNullable<NonNullable<Parameters<typeof preUserRegistrationEvent>[0]>['user']>;
  const signup = (user: SignupUser = {}, connection: { name: string; strategy: string } = CONNECTIONS.database) =>
    preUserRegistrationEvent({ connection, user: { nickname: 'ada', ...user } });

  it.each(['data:text/html,<p>hi', 'javascript:alert(1)', 'file:///etc/passwd', 'ftp:files.example.org', 'mailto:sales', 'tel:+15555550100'])(
    'denies a name with the address %j as name.web-address',
    async (name) => {
      const run = await actions.preUserRegistration(signup({ name }));
      expect(run.state.denied).toEqual({ reason: 'name.web-address', userMessage: "Your name can't contain a web address." });
    },
  );

  it("lets a signup whose name is the user's own e-mail through (Auth0's default), but not another address", async () => {
    const own = await actions.preUserRegistration(preUserRegistrationEvent({ connection: CONNECTIONS.database, user: { email: 'Jane.Doe+news@Example.com', name: 'jane.doe+news@example.com', nickname: 'Jane.Doe+news', given_name: 'Jane', family_name: undefined, picture: undefined } }));
    expect(own.state.denied).toBeNull();
    const other = await actions.preUserRegistration(preUserRegistrationEvent({ connection: CONNECTIONS.database, user: { email: 'jane@example.com', name: 'boss@example.com', nickname: 'jane', given_name: 'Jane', family_name: undefined, picture: undefined } }));
    expect(other.state.denied?.reason).toBe('name.email-address');
  });

  it('lets a valid signup through and stamps provenance signup for what it supplied', async () => {
    const run = await actions.preUserRegistration(signup({ picture: undefined }, CONNECTIONS.database));
    expect(run.state.denied).toBeNull();
    expect(run.state.appMetadata[FIXTURE_KEY]).toEqual({
      v: 1,
      connection: 'Username-Password-Authentication',
      digest: expect.stringMatching(/^[A-Za-z0-9_-]{12}$/),
      policy: expect.stringMatching(/^[A-Za-z0-9_-]{12}$/),
      attributes: {
        name: { source: 'signup', at: NOW, digest: expect.any(String) },
        given_name: { source: 'signup', at: NOW, digest: expect.any(String) },
        family_name: { source: 'signup', at: NOW, digest: expect.any(String) },
        nickname: { source: 'signup', at: NOW, digest: expect.any(String) },
      },
      violations: [],
    });
    expect(run.rawLogs).toEqual([]);
  });

  it('stamps only the attributes signup supplied', async () => {
    const run = await actions.preUserRegistration(signup({ name: undefined, family_name: undefined, nickname: undefined, picture: undefined }));
    expect(Object.keys((run.state.appMetadata[FIXTURE_KEY] as { attributes: object }).attributes)).toEqual(['given_name']);
  });

  it.each([
    [{ name: 'Ada www.example.com' }, 'name.web-address', "Your name can't contain a web address."],
    [{ given_name: 'ada@example.com' }, 'given_name.email-address', "Your first name can't contain an email address."],
    [{ name: '<img src=x onerror=alert(1)>' }, 'name.markup', "Your name can't contain the characters < or > or code."],
    [{ name: 'Ada\u202Eecalevol' }, 'name.bidi-controls', 'Your name contains characters that change the direction of text.'],
    [{ name: 'A\u200Bda' }, 'name.zero-width', 'Your name contains invisible characters.'],
    [{ name: 'Ada\u0007' }, 'name.control-characters', "Your name contains characters that can't be displayed."],
    [{ name: 'Ade\u0301le' }, 'name.not-nfc', 'Your name uses an unusual character encoding. Please type it again.'],
    [{ family_name: 'x'.repeat(151) }, 'family_name.length', 'Your last name must be between 1 and 150 characters long.'],
    [{ nickname: 'a' }, 'nickname.length', 'Your nickname must be between 2 and 30 characters long.'],
    [{ given_name: '  ' }, 'given_name.blank', "Your first name can't be blank."],
    [{ given_name: undefined }, 'given_name.required', 'Please provide your first name.'],
    [{ picture: 'https://lh3.googleusercontent.com/a.png' }, 'picture.source-not-allowed', "Your profile picture can't be set when you sign up."],
  ] as const)('denies %j with reason %s and a message for the user', async (user, reason, userMessage) => {
    const run = await actions.preUserRegistration(signup(user));
    expect(run.state.denied).toEqual({ reason, userMessage });
    expect(run.state.appMetadata).toEqual({});
    expect(logsOf(run.logs, 'signup_denied')).toEqual([{ event: 'signup_denied', connection: 'Username-Password-Authentication', code: reason }]);
  });

  it('denies on the first violation in order: source, then required, then values', async () => {
    const run = await actions.preUserRegistration(signup({ picture: 'http://x', given_name: undefined, name: 'www.a.com' }));
    expect(run.state.denied?.reason).toBe('picture.source-not-allowed');
  });

  it('honours a rule the policy switched off for an attribute', async () => {
    const run = await actions.preUserRegistration(signup({ family_name: 'Smith <Jr>' }));
    expect(run.state.denied).toBeNull();
  });

  it('lets a value the connection only flags through, and logs its code', async () => {
    const run = await actions.preUserRegistration(signup({ name: 'see www.example.com', given_name: undefined }, CONNECTIONS.email));
    expect(run.state.denied).toBeNull();
    expect(logsOf(run.logs, 'root_attribute_violation')).toEqual([
      { event: 'root_attribute_violation', user_id: '', connection: 'email', code: 'name.web-address', enforcement: 'flag' },
    ]);
  });

  it('writes no metadata on a passwordless signup, where Auth0 allows none, but still enforces', async () => {
    const accepted = await actions.preUserRegistration(signup({}, CONNECTIONS.sms));
    expect(accepted.state.denied).toBeNull();
    expect(accepted.calls).toEqual([]);
    const denied = await actions.preUserRegistration(signup({ name: 'Ada\u202E' }, CONNECTIONS.sms));
    expect(denied.state.denied?.reason).toBe('name.bidi-controls');
  });

  it('denies a signup through a connection tenant.yaml does not know, as the policy says', async () => {
    const run = await actions.preUserRegistration(signup({}, { name: 'rogue-db', strategy: 'auth0' }));
    expect(run.state.denied).toEqual({ reason: 'connection.unmanaged', userMessage: 'Sign-up is not available with this method.' });
  });

  it('never puts the value into the reason, the message or a log line', async () => {
    const run = await actions.preUserRegistration(signup({ name: 'Visit www.zebediah-spam.com' }));
    const said = JSON.stringify([run.state.denied, run.rawLogs]);
    expect(said).not.toContain('zebediah');
  });

  it.each([
    ['no user', { user: undefined }],
    ['no connection', { connection: undefined }],
    ['attributes of the wrong type', { user: { name: 7, nickname: ['x'] } }],
    ['a user that is a string', { user: 'x' }],
  ])('does not throw on an event with %s', async (_label, overrides) => {
    const run = await actions.preUserRegistration(preUserRegistrationEvent(overrides as Parameters<typeof preUserRegistrationEvent>[0]));
    expect(logsOf(run.logs, 'action_error')).toEqual([]);
  });

  it('hands post-login a record whose digest matches, so the first login keeps source signup and writes nothing', async () => {
    const registration = signup({ picture: undefined });
    const run = await actions.preUserRegistration(registration);
    const { name, given_name, family_name, nickname } = registration.user;
    const firstLogin = postLoginEvent({
      connection: CONNECTIONS.database,
      user: { name, given_name, family_name, nickname, picture: undefined, app_metadata: { [FIXTURE_KEY]: run.state.appMetadata[FIXTURE_KEY] } },
    });
    const login = await actions.postLogin(firstLogin);
    expect(login.calls.map((call) => call.method)).toEqual(['idToken.setCustomClaim']);
    expect(login.state.idTokenClaims['https://test.example/root_attribute_sources']).toEqual({
      name: 'signup',
      given_name: 'signup',
      family_name: 'signup',
      nickname: 'signup',
    });
  });

  it('attributes a picture Auth0 added at creation to signup at the first login', async () => {
    const registration = signup({ picture: undefined });
    const run = await actions.preUserRegistration(registration);
    const firstLogin = postLoginEvent({
      connection: CONNECTIONS.database,
      user: { ...registration.user, picture: 'https://cdn.example.com/avatars/ad.png', app_metadata: { [FIXTURE_KEY]: run.state.appMetadata[FIXTURE_KEY] } },
    } as Parameters<typeof postLoginEvent>[0]);
    const login = await actions.postLogin(firstLogin);
    expect(login.state.appMetadata[FIXTURE_KEY]).toMatchObject({ attributes: { picture: { source: 'signup' }, name: { source: 'signup' } } });
  });
});

describe.each(TARGETS)('pre-user-registration Action with the sample policy, as shipped (%s)', (target) => {
  let actions: ActionsUnderTest;
  beforeAll(async () => {
    actions = await loadActions(target, { tenant: SAMPLE_TENANT });
  });
  afterAll(() => actions.close());

  it('denies a signup whose name holds a web address', async () => {
    const run = await actions.preUserRegistration(preUserRegistrationEvent({ user: { name: 'Cheap pills at pills.biz' } }));
    expect(run.state.denied).toEqual({ reason: 'name.web-address', userMessage: "Your name can't contain a web address." });
  });

  it('stamps an accepted database signup under root_attributes', async () => {
    const run = await actions.preUserRegistration(preUserRegistrationEvent());
    expect(run.state.appMetadata.root_attributes).toMatchObject({ v: 1, attributes: { name: { source: 'signup' } } });
  });

  it('does not stamp a passwordless email signup', async () => {
    const run = await actions.preUserRegistration(preUserRegistrationEvent({ connection: CONNECTIONS.email }));
    expect(run.state.denied).toBeNull();
    expect(run.state.appMetadata).toEqual({});
  });
});
