/**
 * Property tests of both Actions, from source and as built bundles: arbitrary events (fields missing or
 * of the wrong type, long strings, every Unicode category, `__proto__` and `constructor` keys, anything
 * where the provenance record should be). The Actions never throw; every denial carries a reason code
 * and a user message; what they write is a valid record within Auth0's metadata limits; the same event
 * gives the same result. Seeded: a failure prints the seed and path that replay it (PROPERTY_SEED).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { compilePolicy } from '../actions/lib/compile-policy';
import { parseRecord } from '../actions/lib/provenance-record';
import policy from './fixtures/sample/actions/policy';
import { postLoginFlow } from '../actions/post-login/flow';
import { preUserRegistrationFlow } from '../actions/pre-user-registration/flow';
import { buildActions } from '../scripts/lib/build-actions';
import { deriveConnectionTable } from '../scripts/lib/tenant-model';
import { readTenantFile } from '../scripts/lib/tenant-yaml';
import { recordPostLoginApi, recordPreUserRegistrationApi, loadInSandbox } from '@auth0-root-attributes/actions-runtime';
import { SAMPLE_TENANT } from './support/sample';

jest.setTimeout(300_000);

const SEED = Number(process.env.PROPERTY_SEED ?? 20261125);
// Events per property: 10,000 in npm test and CI; `npm run test:unit` (the inner loop) sets PROPERTY_RUNS=1000.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 10_000);
const FIXED_TIME = Date.UTC(2026, 10, 25, 18);
const CODE = /^(?:(?:name|given_name|family_name|nickname|picture)\.[a-z-]+|connection\.unmanaged)$/;
/** Auth0 flags user profiles over 10 KB; the record must stay far below. */
const RECORD_LIMIT_BYTES = 4_096;

type Handler = (event: unknown, api: unknown) => Promise<void>;

/** Strings of every kind: any code unit (lone surrogates, controls, bidi, zero-width), long ones, names. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u200B', '\u200D', '\u202E', '\u2066', 'e\u0301', '<', '@', '.', 'www.', '://', '\uFEFF', '\uD800'), maxLength: 12 }),
  fc.string({ minLength: 140, maxLength: 5_000 }),
  fc.constantFrom('Ada Lovelace', 'José', 'محمد', '佐藤 美咲', 'https://lh3.googleusercontent.com/a/x', 'https://evil.example/x.png', 'www.spam.com', 'a@b.co', ''),
);
const odd = fc.oneof(fc.anything({ maxDepth: 2 }), text, fc.constant(undefined), fc.constant(null));
const attribute = fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: odd });
const withKeys = (base: fc.Arbitrary<Record<string, unknown>>) =>
  fc.tuple(base, fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x.y', '$z'), odd, { maxKeys: 3 })).map(([value, extra]) => {
    const merged = { ...value };
    for (const [key, v] of Object.entries(extra)) Object.defineProperty(merged, key, { value: v, enumerable: true, writable: true, configurable: true });
    return merged;
  });

const connections = fc.oneof(
  fc.constantFrom(
    { name: 'Username-Password-Authentication', strategy: 'auth0' },
    { name: 'google-oauth2', strategy: 'google-oauth2' },
    { name: 'corp-oidc', strategy: 'oidc' },
    { name: 'email', strategy: 'email' },
    { name: 'unlisted', strategy: 'samlp' },
  ),
  fc.record({ name: text, strategy: text }, { requiredKeys: [] }),
  odd,
);

/** Something shaped like a provenance record, or not at all. */
const storedRecord = fc.oneof(
  odd,
  fc.record({
    v: fc.oneof(fc.constant(1), odd),
    connection: fc.oneof(fc.constantFrom('google-oauth2', 'Username-Password-Authentication'), odd),
    digest: fc.oneof(fc.string({ maxLength: 14 }), odd),
    policy: fc.oneof(fc.string({ maxLength: 14 }), odd),
    attributes: fc.oneof(fc.dictionary(fc.constantFrom('name', 'picture', '__proto__', 'email'), fc.record({ source: fc.oneof(fc.constantFrom('idp', 'signup', 'root'), odd), at: fc.oneof(fc.constant('2026-11-25T18:00:00.000Z'), odd), digest: fc.oneof(fc.string({ maxLength: 14 }), odd) }, { requiredKeys: [] })), odd),
    violations: fc.oneof(fc.array(fc.oneof(fc.constantFrom('name.length', 'picture.https', '__proto__.x'), text), { maxLength: 3 }), odd),
  }, { requiredKeys: [] }),
);

const user = withKeys(fc.record({
  user_id: fc.oneof(fc.constantFrom('auth0|1', 'google-oauth2|2'), odd),
  name: attribute, given_name: attribute, family_name: attribute, nickname: attribute, picture: attribute,
  app_metadata: fc.oneof(fc.record({ root_attributes: storedRecord }), withKeys(fc.record({ root_attributes: storedRecord })), odd),
  user_metadata: odd,
  identities: fc.oneof(fc.array(fc.record({ connection: fc.oneof(text, fc.constantFrom('google-oauth2', 'corp-oidc')) }, { requiredKeys: [] }), { maxLength: 2 }), odd),
}, { requiredKeys: [] }));

const postLoginEvent = withKeys(fc.record({ user: fc.oneof({ weight: 9, arbitrary: user }, { weight: 1, arbitrary: odd }), connection: connections, stats: fc.oneof(fc.record({ logins_count: fc.oneof(fc.nat(5), odd) }), odd) }, { requiredKeys: [] }));
const signupEvent = withKeys(fc.record({ user: fc.oneof({ weight: 9, arbitrary: user }, { weight: 1, arbitrary: odd }), connection: connections }, { requiredKeys: [] }));

interface Targets {
  postLogin: Record<string, Handler>;
  preUserRegistration: Record<string, Handler>;
}

let targets: Targets;

beforeAll(async () => {
  const table = deriveConnectionTable(readTenantFile(SAMPLE_TENANT).data, policy);
  const compiled = compilePolicy(policy, table);
  const clock = () => new Date(FIXED_TIME);
  const built = await buildActions({ tenantPath: SAMPLE_TENANT, outDir: mkdtempSync(path.join(tmpdir(), 'properties-')) });
  const bundle = (name: string, handler: string) => loadInSandbox(readFileSync(built.actions.find((a) => a.entry.bundle === name)!.file, 'utf8'), { filename: name, fixedTime: FIXED_TIME }).exports[handler] as Handler;
  targets = {
    postLogin: { source: postLoginFlow(compiled, clock) as Handler, bundle: bundle('post-login', 'onExecutePostLogin') },
    preUserRegistration: { source: preUserRegistrationFlow(compiled, clock) as Handler, bundle: bundle('pre-user-registration', 'onExecutePreUserRegistration') },
  };
});

/** Runs a handler with console output captured; a throw (or rejection) propagates to fail the property. */
async function run(handler: Handler, event: unknown, api: unknown): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  try {
    await handler(event, api);
  } finally {
    console.log = original;
  }
  return lines;
}

function checkWrites(appMetadata: Record<string, unknown>, userMetadata: Record<string, unknown>): void {
  expect(userMetadata).toEqual({});
  for (const [key, value] of Object.entries(appMetadata)) {
    expect(key).toBe(policy.metadataKey);
    expect(parseRecord(value).status).toBe('valid');
    expect(Buffer.byteLength(JSON.stringify(value))).toBeLessThanOrEqual(RECORD_LIMIT_BYTES);
  }
}

describe.each(['source', 'bundle'] as const)('post-login properties (%s)', (target) => {
  it(`never throws; denials carry a code and a message; writes are valid records; same event, same result (${RUNS} events)`, async () => {
    await fc.assert(
      fc.asyncProperty(postLoginEvent, async (event) => {
        const handler = targets.postLogin[target]!;
        const first = recordPostLoginApi();
        const logs = await run(handler, event, first.api);
        expect(logs.filter((line) => line.includes('"action_error"'))).toEqual([]);
        if (first.state.denied) {
          expect(first.state.denied.reason.length).toBeGreaterThan(0);
          const denial = logs.map((line) => JSON.parse(line) as { event?: string; code?: string }).find((line) => line.event === 'login_denied');
          expect(denial?.code).toMatch(CODE);
        }
        checkWrites(first.state.appMetadata, first.state.userMetadata);
        const again = recordPostLoginApi();
        await run(handler, event, again.api);
        expect(again.calls).toEqual(first.calls);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe.each(['source', 'bundle'] as const)('pre-user-registration properties (%s)', (target) => {
  it(`never throws; denials carry a code and a message; writes are valid records; same event, same result (${RUNS} events)`, async () => {
    await fc.assert(
      fc.asyncProperty(signupEvent, async (event) => {
        const handler = targets.preUserRegistration[target]!;
        const first = recordPreUserRegistrationApi();
        const logs = await run(handler, event, first.api);
        expect(logs.filter((line) => line.includes('"action_error"'))).toEqual([]);
        if (first.state.denied) {
          expect(first.state.denied.reason).toMatch(CODE);
          expect(first.state.denied.userMessage.length).toBeGreaterThan(0);
        }
        checkWrites(first.state.appMetadata, first.state.userMetadata);
        const again = recordPreUserRegistrationApi();
        await run(handler, event, again.api);
        expect(again.calls).toEqual(first.calls);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
