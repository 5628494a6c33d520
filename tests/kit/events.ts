/**
 * Event builders for both triggers: realistic defaults, deep overrides, seeded randomness.
 *
 * ```ts
 * const event = postLoginEvent({ connection: { name: 'google-oauth2', strategy: 'google-oauth2' },
 *                                user: { picture: undefined }, stats: { logins_count: 3 } });
 * ```
 * The user's primary identity follows the connection unless `user.identities` is given.
 * The same `seed` gives the same event; the default seed is 1.
 */
import { SOCIAL_STRATEGIES } from '../../actions/lib/connection-kinds';
import type { Event as PostLoginEvent } from '../../actions/types/post-login';
import type { Event as PreUserRegistrationEvent } from '../../actions/types/pre-user-registration';
import { deepMerge, type DeepPartial } from './deep-merge';
import { seededRandom, type Random } from './random';

export type { PostLoginEvent, PreUserRegistrationEvent };

export interface BuildOptions {
  seed?: number;
}

const PEOPLE: ReadonlyArray<{ given: string; family: string }> = [
  { given: 'Ada', family: 'Lovelace' },
  { given: 'José', family: 'García' },
  { given: 'Zoë', family: 'Brontë' },
  { given: 'Nguyễn', family: 'Thị Minh' },
  { given: 'Søren', family: 'Kierkegaard' },
  { given: 'Aoife', family: "O'Brien" },
  { given: 'Jean-Luc', family: 'Picard' },
  { given: 'Анна', family: 'Каренина' },
  { given: '美咲', family: '佐藤' },
  { given: 'محمد', family: 'العلي' },
];

const DEFAULT_TIME = '2026-11-25T18:00:00.000Z';

function person(random: Random) {
  const { given, family } = random.pick(PEOPLE);
  return { given, family, name: `${given} ${family}`, nickname: given.toLowerCase() };
}

function connectionIdentity(name: string, strategy: string, userId: string) {
  return {
    connection: name,
    provider: strategy,
    isSocial: SOCIAL_STRATEGIES.includes(strategy),
    user_id: userId.slice(userId.indexOf('|') + 1),
  };
}

function request() {
  return {
    body: {},
    geoip: { countryCode: 'NZ', countryName: 'New Zealand', cityName: 'Wellington', timeZone: 'Pacific/Auckland' },
    hostname: 'example.eu.auth0.com',
    ip: '203.0.113.7',
    language: 'en',
    method: 'POST',
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
  };
}

/** A post-login (v3) event of a database user at their first login, unless overridden. */
export function postLoginEvent(overrides: DeepPartial<PostLoginEvent> = {}, { seed = 1 }: BuildOptions = {}): PostLoginEvent {
  const random = seededRandom(seed);
  const who = person(random);
  const userId = `auth0|${random.hex(24)}`;
  const base: PostLoginEvent = {
    user: {
      user_id: userId,
      email: `${who.nickname.replace(/[^a-z]/g, '') || 'user'}${random.int(1000)}@example.com`,
      email_verified: true,
      name: who.name,
      given_name: who.given,
      family_name: who.family,
      nickname: who.nickname,
      picture: `https://s.gravatar.com/avatar/${random.hex(32)}?s=480&r=pg`,
      created_at: DEFAULT_TIME,
      updated_at: DEFAULT_TIME,
      app_metadata: {},
      user_metadata: {},
      identities: [],
    },
    connection: { id: `con_${random.hex(16)}`, name: 'Username-Password-Authentication', strategy: 'auth0' },
    stats: { logins_count: 1 },
    authentication: { methods: [{ name: 'pwd', timestamp: DEFAULT_TIME }] },
    authorization: { roles: [] },
    client: { client_id: random.hex(32), name: 'My App', metadata: {} },
    request: { ...request(), query: {} },
    transaction: {
      id: random.hex(16),
      acr_values: [],
      locale: 'en',
      protocol: 'oidc-basic-profile',
      requested_scopes: ['openid', 'profile', 'email'],
      ui_locales: [],
      metadata: {},
    },
    tenant: { id: 'local' },
    secrets: {},
  };
  const event = deepMerge(base, overrides);
  if (overrides.user?.identities === undefined && event.user && event.connection) {
    event.user.identities = [connectionIdentity(event.connection.name, event.connection.strategy, event.user.user_id)];
  }
  return event;
}

/** A pre-user-registration (v2) event: a database signup with every name attribute supplied, unless overridden. */
export function preUserRegistrationEvent(
  overrides: DeepPartial<PreUserRegistrationEvent> = {},
  { seed = 1 }: BuildOptions = {},
): PreUserRegistrationEvent {
  const random = seededRandom(seed);
  const who = person(random);
  const base: PreUserRegistrationEvent = {
    user: {
      email: `${who.nickname.replace(/[^a-z]/g, '') || 'user'}${random.int(1000)}@example.com`,
      name: who.name,
      given_name: who.given,
      family_name: who.family,
      nickname: who.nickname,
      app_metadata: {},
      user_metadata: {},
    },
    connection: { id: `con_${random.hex(16)}`, name: 'Username-Password-Authentication', strategy: 'auth0' },
    request: request(),
    client: { client_id: random.hex(32), name: 'My App', metadata: {} },
    transaction: { acr_values: [], locale: 'en', requested_scopes: ['openid', 'profile', 'email'], ui_locales: [] },
    tenant: { id: 'local' },
    secrets: {},
  };
  return deepMerge(base, overrides);
}
