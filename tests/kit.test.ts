import { deepMerge, postLoginEvent, preUserRegistrationEvent, recordPostLoginApi, recordPreUserRegistrationApi, seededRandom } from './kit';

describe('event builders', () => {
  it('build the same event from the same seed and a different one from another', () => {
    expect(postLoginEvent({}, { seed: 7 })).toEqual(postLoginEvent({}, { seed: 7 }));
    expect(postLoginEvent({}, { seed: 7 }).user.user_id).not.toBe(postLoginEvent({}, { seed: 8 }).user.user_id);
  });

  it('merge overrides deeply, replace arrays, and remove a field set to undefined', () => {
    const event = postLoginEvent({ user: { name: 'Ada', picture: undefined, app_metadata: { plan: 'gold' } }, transaction: { requested_scopes: ['openid'] } });
    expect(event.user.name).toBe('Ada');
    expect('picture' in event.user).toBe(false);
    expect(event.user.app_metadata).toEqual({ plan: 'gold' });
    expect(event.user.email_verified).toBe(true);
    expect(event.transaction?.requested_scopes).toEqual(['openid']);
  });

  it('give the user a primary identity on the event\'s connection unless identities are given', () => {
    const event = postLoginEvent({ connection: { name: 'google-oauth2', strategy: 'google-oauth2' } });
    expect(event.user.identities).toEqual([
      { connection: 'google-oauth2', provider: 'google-oauth2', isSocial: true, user_id: event.user.user_id.split('|')[1] },
    ]);
    expect(postLoginEvent({ user: { identities: [] } }).user.identities).toEqual([]);
  });

  it('build a pre-user-registration event with no user_id, as Auth0 sends it', () => {
    const event = preUserRegistrationEvent({ user: { nickname: 'ada' } });
    expect(event.user).not.toHaveProperty('user_id');
    expect(event.user.nickname).toBe('ada');
    expect(event.connection.strategy).toBe('auth0');
  });

  it('keep a __proto__ override as an own key instead of changing the prototype', () => {
    const merged = deepMerge({ a: 1 }, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['a', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('seeded random picks reproducibly', () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    expect([a.int(100), a.hex(8), a.pick(['x', 'y', 'z'])]).toEqual([b.int(100), b.hex(8), b.pick(['x', 'y', 'z'])]);
    expect(() => a.pick([])).toThrow(TypeError);
  });
});

describe('recording api', () => {
  it('records post-login calls in order and folds them into the final state', () => {
    const { api, calls, state } = recordPostLoginApi();
    api.user.setAppMetadata('k', { a: 1 });
    api.idToken.setCustomClaim('https://x/c', ['v']);
    api.accessToken.setCustomClaim('https://x/d', 1);
    api.access.deny('nope');
    expect(calls.map((call) => call.method)).toEqual(['user.setAppMetadata', 'idToken.setCustomClaim', 'accessToken.setCustomClaim', 'access.deny']);
    expect(state).toMatchObject({ denied: { reason: 'nope' }, appMetadata: { k: { a: 1 } }, idTokenClaims: { 'https://x/c': ['v'] }, accessTokenClaims: { 'https://x/d': 1 } });
  });

  it('keeps the first deny reason, as the flow ends there', () => {
    const { api, state } = recordPreUserRegistrationApi();
    api.access.deny('first.code', 'First message.');
    api.access.deny('second.code', 'Second message.');
    expect(state.denied).toEqual({ reason: 'first.code', userMessage: 'First message.' });
  });

  it.each(['a.b', 'a$b', ''])('refuses the metadata key %j, as Auth0 does', (key) => {
    const { api } = recordPostLoginApi();
    expect(() => api.user.setAppMetadata(key, 1)).toThrow(/may not contain "\." or "\$"/);
  });

  it('refuses claim and metadata values that are not JSON-serialisable', () => {
    const { api } = recordPostLoginApi();
    expect(() => api.idToken.setCustomClaim('c', () => 1)).toThrow(/JSON-serialisable/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => api.user.setAppMetadata('k', cyclic)).toThrow(/JSON-serialisable/);
  });

  it('refuses a pre-user-registration deny without a user message', () => {
    const { api } = recordPreUserRegistrationApi();
    expect(() => (api.access.deny as unknown as (reason: string) => void)('code')).toThrow(/userMessage must be a string/);
  });

  it('stores what was written, not a live reference the Action could still change', () => {
    const { api, state } = recordPostLoginApi();
    const value = { a: 1 };
    api.user.setAppMetadata('k', value);
    value.a = 2;
    expect(state.appMetadata.k).toEqual({ a: 1 });
  });
});
