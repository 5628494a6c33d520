/**
 * The fork's own tenant.yaml and policy — the files a team edits — as scenarios derived from them. The
 * project's other tests run on their own copy of the sample (tests/support/sample.ts); these are the ones
 * that read the fork's files, so they follow every edit the README tells a team to make, and fail only
 * when the policy and the Actions really disagree.
 *
 * For each connection of tenant.yaml the policy names, and each source its kind makes possible (given its
 * sync setting), a login in which the attributes come from that source — by the way Auth0 gets them there
 * where a login can (docs/design.md §3: the IdP at login, a passwordless or imported user's first login, a
 * signup through pre-user-registration, a Management API change between logins), else a record as the
 * project's own `users` commands write it. What is expected is read from the policy itself: an allowed
 * source is accepted and claimed; a disallowed one is flagged in the ID token or denies the login, as the
 * attribute's, the connection's or the policy's `enforce.login.sources` says. Each connection that takes
 * signups gets a signup the same way (`enforce.signup.sources`). A connection tenant.yaml has but the policy
 * does not name gets what `unmanagedConnections` says. On source and on the bundle, for the policy as
 * written and as each environment that changes it has it.
 */
import { ROOT_ATTRIBUTES, type RecordedSource, type RootAttribute } from '../actions/lib/attributes';
import { possibleSources, isUpstream, type ConnectionKind, type SyncMode } from '../actions/lib/connection-kinds';
import type { Enforcement, Policy } from '../actions/lib/define-policy';
import { SOURCES_CLAIM, VIOLATIONS_CLAIM } from '../actions/post-login/flow';
import { reconcile } from '../actions/post-login/reconcile';
import { policyFileFor, policyFor, PROJECT_ROOT } from '../scripts/lib/build-actions';
import { environmentNames, readEnvironment, type Environment } from '../scripts/lib/environments';
import { loadProject } from '../scripts/lib/project';
import { deriveConnectionTable } from '../scripts/lib/tenant-model';
import { readTenantFile } from '../scripts/lib/tenant-yaml';
import * as path from 'node:path';
import { loadActions, postLoginEvent, preUserRegistrationEvent, TARGETS, type ActionsUnderTest, type PostLoginEvent, type PostLoginState, type Run } from './kit';

const TENANT = path.join(PROJECT_ROOT, 'tenant.yaml');
const POLICY = policyFileFor(TENANT);
/** After any `adoptedAt` a policy has: the users of these scenarios are the tenant's own, not ones it had before. */
const CREATED_AT = new Date().toISOString();

type Values = { [A in RootAttribute]?: string };

/** A text value of `base`'s kind within the policy's length rule for the attribute, if it has one. */
function fitted(base: string, length: { min: number; max: number } | undefined): string {
  if (!length) return base;
  const padded = base.length < length.min ? base + 'a'.repeat(length.min - base.length) : base;
  return [...padded].slice(0, length.max).join('');
}

/** Values every rule of the policy accepts (a picture on its first allowed host; none when it allows none). */
function acceptableValues(policy: Policy, variant: 0 | 1): Values {
  const base = variant === 0
    ? { name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', nickname: 'ada' }
    : { name: 'Ada King', given_name: 'Augusta', family_name: 'King', nickname: 'augusta' };
  const values: Values = {};
  for (const [attribute, value] of Object.entries(base) as Array<[Exclude<RootAttribute, 'picture'>, string]>) {
    values[attribute] = fitted(value, policy.values[attribute]?.length);
  }
  // A policy without picture rules allows no host (only the Gravatar Auth0 gives a user by default).
  const hosts = policy.values.picture?.allowedHosts ?? [];
  if (hosts.length > 0) values.picture = `https://${(hosts[0] ?? '').replace(/^\*\./, 'img.')}/avatars/${variant === 0 ? 'ada' : 'augusta'}.png`;
  return values;
}

interface Expected {
  /** Violations of the source rule, by attribute. */
  codes: string[];
  denied: boolean;
  flagged: string[];
}

/** What the policy says a value of `source` in each of `attributes` does on this connection at this trigger. */
function expected(policy: Policy, connection: string, attributes: readonly RootAttribute[], source: RecordedSource, trigger: 'signup' | 'login'): Expected {
  const settings = policy.connections[connection];
  const codes: string[] = [];
  let denied = false;
  const flagged: string[] = [];
  for (const attribute of attributes) {
    const own = settings?.attributes?.[attribute];
    if ((own?.sources ?? settings?.sources ?? []).includes(source)) continue;
    const code = `${attribute}.source-not-allowed`;
    codes.push(code);
    const mode: Enforcement = own?.enforce?.[trigger]?.sources ?? settings?.enforce?.[trigger]?.sources ?? policy.enforce[trigger].sources;
    if (mode === 'deny') denied = true;
    if (mode === 'flag') flagged.push(code);
  }
  return { codes, denied, flagged };
}

interface Situation {
  kind: ConnectionKind;
  sync: SyncMode | null;
}

/** How a login gives every attribute `source` on a connection of this kind: the login itself, or a record the `users` commands wrote. */
function pathTo(source: RecordedSource, { kind, sync }: Situation): 'first-login' | 'later-login' | 'signup' | 'changed' | 'recorded' {
  const upstream = isUpstream(kind);
  switch (source) {
    case 'idp':
      return sync === 'on_first_login' ? 'first-login' : 'later-login';
    case 'signup':
      return kind === 'passwordless' ? 'first-login' : 'signup';
    case 'import':
      return kind === 'custom-db-import' ? 'first-login' : 'recorded';
    case 'management_api':
      return 'changed';
    case 'unknown':
      return upstream && (sync === 'on_each_login' || sync === null) ? 'recorded' : 'later-login';
  }
}

interface Scenario {
  connection: string;
  strategy: string;
  situation: Situation;
}

function scenariosOf(policy: Policy, tenantData: unknown): { managed: Scenario[]; unmanaged: Scenario[] } {
  const table = deriveConnectionTable(tenantData, policy);
  const all = Object.entries(table).map(([connection, entry]) => ({ connection, strategy: entry.strategy, situation: { kind: entry.kind, sync: entry.sync } }));
  const named = (scenario: Scenario) => Object.prototype.hasOwnProperty.call(policy.connections, scenario.connection);
  return { managed: all.filter(named), unmanaged: all.filter((scenario) => !named(scenario)) };
}

const environments: Array<Environment | undefined> = [
  undefined,
  ...environmentNames(TENANT).map((name) => readEnvironment(TENANT, name)).filter((environment) => environment.policy !== undefined),
];

describe.each(environments.map((environment) => [environment?.name ?? 'as written', environment] as const))('the fork\'s policy and tenant.yaml (%s)', (_label, environment) => {
  const policy = policyFor(POLICY, environment);
  const tenant = readTenantFile(TENANT, environment?.values);
  const { managed, unmanaged } = scenariosOf(policy, tenant.data);
  const sourcesClaim = `${policy.namespace}${SOURCES_CLAIM}`;
  const violationsClaim = `${policy.namespace}${VIOLATIONS_CLAIM}`;
  const project = loadProject(TENANT, POLICY, environment);

  it('names at least one connection of tenant.yaml', () => {
    expect(managed.length).toBeGreaterThan(0);
  });

  describe.each(TARGETS)('%s', (target) => {
    let actions: ActionsUnderTest;
    beforeAll(async () => {
      actions = await loadActions(target, { tenant: TENANT, policy: POLICY, ...(environment ? { environment: environment.name } : {}) });
    });
    afterAll(() => actions?.close());

    // Every attribute set, or explicitly absent (the event builder's defaults would add one the policy may not accept).
    const profile = (values: Values) => Object.fromEntries(ROOT_ATTRIBUTES.map((attribute) => [attribute, values[attribute]]));
    const login = (scenario: Scenario, values: Values, overrides: { logins: number; appMetadata?: Record<string, unknown> }): PostLoginEvent =>
      postLoginEvent({
        connection: { name: scenario.connection, strategy: scenario.strategy },
        user: { ...profile(values), created_at: CREATED_AT, app_metadata: overrides.appMetadata ?? {} },
        stats: { logins_count: overrides.logins },
      });
    const signup = (scenario: Scenario, values: Values) =>
      actions.preUserRegistration(preUserRegistrationEvent({ connection: { name: scenario.connection, strategy: scenario.strategy }, user: profile(values) }));

    /** The record the project's `users` commands (import, update, backfill) write for these values from `source`. */
    function recordedAs(scenario: Scenario, values: Values, source: RecordedSource): Record<string, unknown> {
      const connection = project.compiled.connection(scenario.connection);
      if (typeof connection === 'string') throw new Error(`${scenario.connection} is not a managed connection`);
      const forced = Object.fromEntries(ROOT_ATTRIBUTES.map((attribute) => [attribute, source]));
      const { record } = reconcile({ compiled: project.compiled, connection, stored: undefined, values, firstLogin: false, now: () => CREATED_AT, forcedSources: forced });
      return { [policy.metadataKey]: record };
    }

    /** The login in which every attribute comes from `source`, or null when no user can get there (signup denied it). */
    async function loginFrom(scenario: Scenario, source: RecordedSource): Promise<{ run: Run<PostLoginState>; values: Values } | null> {
      const values = acceptableValues(policy, 0);
      switch (pathTo(source, scenario.situation)) {
        case 'first-login':
          return { run: await actions.postLogin(login(scenario, values, { logins: 1 })), values };
        case 'later-login':
          return { run: await actions.postLogin(login(scenario, values, { logins: 4 })), values };
        case 'signup': {
          const created = await signup(scenario, values);
          if (created.state.denied) return null;
          return { run: await actions.postLogin(login(scenario, values, { logins: 1, appMetadata: created.state.appMetadata })), values };
        }
        case 'changed': {
          // A user with a record (a backfilled one), whose values then changed between two logins.
          const changed = acceptableValues(policy, 1);
          return { run: await actions.postLogin(login(scenario, changed, { logins: 5, appMetadata: recordedAs(scenario, values, 'unknown') })), values: changed };
        }
        case 'recorded':
          return { run: await actions.postLogin(login(scenario, values, { logins: 4, appMetadata: recordedAs(scenario, values, source) })), values };
      }
    }

    const cases = managed.flatMap((scenario) => possibleSources(scenario.situation.kind, scenario.situation.sync).map((source) => [scenario.connection, source, pathTo(source, scenario.situation), scenario] as const));
    it.each(cases)('%s: a login whose attributes come from %s (%s) does what the policy says', async (_connection, source, _path, scenario) => {
      const found = await loginFrom(scenario, source);
      if (!found) {
        // Signup denies these values on this connection, so no user of it has them from signup.
        expect(expected(policy, scenario.connection, ROOT_ATTRIBUTES, 'signup', 'signup').denied).toBe(true);
        return;
      }
      const { run, values } = found;
      const attributes = ROOT_ATTRIBUTES.filter((attribute) => values[attribute] !== undefined);
      const should = expected(policy, scenario.connection, attributes, source, 'login');
      if (should.denied) {
        expect(run.state.denied).not.toBeNull();
        expect(run.state.idTokenClaims[sourcesClaim]).toBeUndefined();
        return;
      }
      expect(run.state.denied).toBeNull();
      expect(run.state.idTokenClaims[sourcesClaim]).toEqual(Object.fromEntries(attributes.map((attribute) => [attribute, source])));
      expect(run.state.idTokenClaims[violationsClaim]).toEqual(should.flagged.length > 0 ? should.flagged : undefined);
    });

    const signups = managed.filter((scenario) => possibleSources(scenario.situation.kind, scenario.situation.sync).includes('signup'));
    it.each(signups.map((scenario) => [scenario.connection, scenario] as const))('%s: a signup does what the policy says', async (_connection, scenario) => {
      const values = acceptableValues(policy, 0);
      const run = await signup(scenario, values);
      const attributes = ROOT_ATTRIBUTES.filter((attribute) => values[attribute] !== undefined);
      const should = expected(policy, scenario.connection, attributes, 'signup', 'signup');
      if (should.denied) {
        expect(should.codes).toContain(run.state.denied?.reason);
        expect(run.state.denied?.userMessage).toBeTruthy();
        return;
      }
      expect(run.state.denied).toBeNull();
      if (scenario.situation.kind === 'passwordless') {
        // Auth0 allows no metadata at this trigger on passwordless connections: the first login records it.
        expect(run.state.appMetadata).toEqual({});
      } else {
        const record = run.state.appMetadata[policy.metadataKey] as { attributes: Record<string, { source: string }>; violations: string[] };
        expect(Object.fromEntries(Object.entries(record.attributes).map(([attribute, entry]) => [attribute, entry.source]))).toEqual(Object.fromEntries(attributes.map((attribute) => [attribute, 'signup'])));
        expect(record.violations).toEqual(expect.arrayContaining(should.codes));
      }
    });

    if (unmanaged.length > 0) {
      it.each(unmanaged.map((scenario) => [scenario.connection, scenario] as const))(`%s (not in the policy): a login does what unmanagedConnections (${policy.unmanagedConnections}) says`, async (_connection, scenario) => {
        const run = await actions.postLogin(login(scenario, acceptableValues(policy, 0), { logins: 4 }));
        if (policy.unmanagedConnections === 'deny') {
          expect(run.state.denied).not.toBeNull();
        } else if (policy.unmanagedConnections === 'ignore') {
          expect(run.state.denied).toBeNull();
          expect(run.state.appMetadata).toEqual({});
        } else {
          expect(run.state.denied).toBeNull();
          expect(run.state.appMetadata[policy.metadataKey]).toMatchObject({ connection: scenario.connection });
          expect(run.state.idTokenClaims[violationsClaim]).toBeUndefined();
        }
      });
    }
  });
});
