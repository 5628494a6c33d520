/**
 * The whole api of post-login v3 (and pre-user-registration v2's cache), as Auth0's reference lists it:
 * each method recorded, given its effect, and checked as Auth0 checks it (a misuse is a TypeError) — from
 * the Action's TypeScript source and as a bundle in the runtime's worker process.
 */
import * as path from 'node:path';
import { loadAction, postLoginEvent, TARGETS, type ActionUnderTest } from './kit';

jest.setTimeout(30_000);

const HOUR = 3_600_000;
const T = Date.UTC(2026, 11, 4, 12);
const FILE = path.join(__dirname, 'fixtures', 'api-coverage', 'post-login.ts');
const scenario = (name: string) => postLoginEvent({ request: { query: { case: name } } });

describe.each(TARGETS)('the post-login api (%s)', (target) => {
  let action: ActionUnderTest;
  beforeAll(async () => {
    action = await loadAction(target, { file: FILE, trigger: 'post-login', name: 'api-coverage' });
  });
  afterAll(() => action.close());

  it('records every method it offers, and gives each its effect', async () => {
    const result = await action.run(scenario('all'));
    expect(result.outcome).toBe('completed');
    expect(result.idTokenClaims).toEqual({ 'https://t/tx': { step: 'one' }, 'https://t/can_redirect': false, 'https://t/rule_ran': false });
    expect(result.effects).toEqual({
      primaryUser: null,
      methodsRecorded: [],
      session: { expiresAt: T + HOUR, idleExpiresAt: T + HOUR / 2, cookieMode: 'non-persistent', metadata: { device: 'laptop' } },
      refreshToken: { expiresAt: T + 24 * HOUR, idleExpiresAt: T + 12 * HOUR, metadata: { kept: 'yes' } },
      saml: {
        attributes: { 'http://schemas.example.com/role': ['admin', 'editor'] },
        settings: {
          audience: 'urn:example:sp', recipient: 'https://sp.example.com/acs', lifetimeInSeconds: 600, signatureAlgorithm: 'rsa-sha256', digestAlgorithm: 'sha256',
          nameIdentifierProbes: ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'], signResponse: true, key: '[key]',
        },
      },
      prompt: null,
    });
    // The first second-factor request decides the factors; every one is recorded.
    expect(result.multifactor).toEqual({ provider: 'any', options: { factors: ['otp', 'email'], enrollment: false } });
    const methods = result.calls.map((call) => call.method);
    for (const method of [
      'transaction.setMetadata', 'redirect.canRedirect', 'rules.wasExecuted', 'session.setExpiresAt', 'session.setIdleExpiresAt', 'session.setCookieMode',
      'session.setMetadata', 'session.deleteMetadata', 'refreshToken.setExpiresAt', 'refreshToken.setIdleExpiresAt', 'refreshToken.setMetadata',
      'refreshToken.evictMetadata', 'samlResponse.setAttribute', 'samlResponse.setAudience', 'samlResponse.setKey', 'authentication.challengeWith',
      'authentication.challengeWithAny', 'authentication.enrollWith', 'authentication.enrollWithAny',
    ]) expect(methods).toContain(method);
    // A private key is recorded by name only.
    expect(JSON.stringify(result)).not.toContain('not-a-real-key');
  });

  it('tells whether the transaction can redirect', async () => {
    expect((await action.run(scenario('all'), { canRedirect: true })).idTokenClaims['https://t/can_redirect']).toBe(true);
  });

  it('denies the login when the session or the refresh token is revoked, keeping the reason', async () => {
    const session = await action.run(scenario('session-revoke'));
    expect(session).toMatchObject({ outcome: 'denied', denied: { action: 'api-coverage', reason: 'session ended by policy' } });
    expect(session.effects?.session.revoked).toEqual({ reason: 'session ended by policy', preserveRefreshTokens: true });
    const refresh = await action.run(scenario('refresh-revoke'));
    expect(refresh).toMatchObject({ outcome: 'denied', denied: { reason: 'refresh not allowed' } });
    expect(refresh.effects?.refreshToken.revoked).toBe('refresh not allowed');
  });

  it('records a custom prompt, a primary user, and a method completed in onContinuePostLogin', async () => {
    expect((await action.run(scenario('prompt'))).effects?.prompt).toEqual({ id: 'consent-form', options: { fields: { accepted: false }, vars: { plan: 'gold' } } });
    expect((await action.run(scenario('primary'))).effects?.primaryUser).toBe('auth0|primary');
    const resumed = await action.run(scenario('all'), { resume: true });
    expect(resumed.effects?.methodsRecorded).toEqual(['https://mfa.example.com/completed']);
  });

  it('keeps api.cache entries across executions of the action', async () => {
    const counts: unknown[] = [];
    for (let i = 0; i < 3; i++) counts.push((await action.run(scenario('cache-count'))).idTokenClaims['https://t/count']);
    expect(counts).toEqual([1, 2, 3]);
  });

  it('holds api.cache to Auth0\'s limits: 20 entries, 64-byte keys, 4 kB values, 24 hours', async () => {
    const fresh = await loadAction(target, { file: FILE, trigger: 'post-login', name: 'api-coverage-limits' });
    try {
      expect((await fresh.run(scenario('cache-limits'))).idTokenClaims['https://t/cache']).toEqual({
        last: 'CacheSizeExceeded', firstTwenty: true, long: 'CacheKeySizeExceeded', big: 'CacheValueSizeExceeded', clampedWithin24h: true, missing: 'CacheKeyDoesNotExist', expired: 'ItemAlreadyExpired',
      });
    } finally {
      await fresh.close();
    }
  });

  it('refuses every misuse with a TypeError, as Auth0 fails the execution', async () => {
    const result = await action.run(scenario('misuse'));
    const misuse = result.idTokenClaims['https://t/misuse'] as string[];
    expect(misuse).toHaveLength(22);
    expect(new Set(misuse)).toEqual(new Set(['TypeError']));
  });
});
