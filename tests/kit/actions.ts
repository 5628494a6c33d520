/**
 * Runs the Actions under test, from source or as the built bundle, on one event with a recording `api`:
 *
 * ```ts
 * describe.each(TARGETS)('post-login (%s)', (target) => {
 *   let actions: ActionsUnderTest;
 *   beforeAll(async () => { actions = await loadActions(target); });
 *   afterAll(() => actions.close());
 *   it('…', async () => { const run = await actions.postLogin(postLoginEvent()); expect(run.state.denied).toBeNull(); });
 * });
 * ```
 * `bundle` builds with the same build code as `npm run build` (into a temporary folder per test worker)
 * and runs the result in the Actions runtime the local tenant uses (packages/actions-runtime), with the test's
 * clock; `source` compiles the same policy and table in-process.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compilePolicy } from '../../actions/lib/compile-policy';
import { postLoginFlow } from '../../actions/post-login/flow';
import { preUserRegistrationFlow } from '../../actions/pre-user-registration/flow';
import type { Event as PostLoginEvent } from '../../actions/types/post-login';
import type { Event as PreUserRegistrationEvent } from '../../actions/types/pre-user-registration';
import { buildActions, policyFileFor, policyFor, PROJECT_ROOT } from '../../scripts/lib/build-actions';
import { readEnvironment, type Environment } from '../../scripts/lib/environments';
import { deriveConnectionTable } from '../../scripts/lib/tenant-model';
import { readTenantFile } from '../../scripts/lib/tenant-yaml';
import { recordPostLoginApi, recordPreUserRegistrationApi, type PostLoginState, type PreUserRegistrationState, type RecordedCall, ActionsRuntime, type FlowResult, type Trigger } from '@auth0-root-attributes/actions-runtime';

export type Target = 'source' | 'bundle';
export const TARGETS: readonly Target[] = ['source', 'bundle'];

export interface ActionSetup {
  /** tenant.yaml to derive the connection table from; the project's by default. */
  tenant?: string;
  /** Policy module; actions/policy.ts beside tenant.yaml, else the project's, by default. */
  policy?: string;
  /** An environment beside tenant.yaml (environments/NAME.yaml): its values fill tenant.yaml, its `policy:` applies. */
  environment?: string;
}

export interface Run<State> {
  state: State;
  calls: RecordedCall[];
  /** What the Action printed, one entry per line; JSON lines parsed. */
  logs: unknown[];
  /** The same lines as printed. */
  rawLogs: string[];
}

export interface ActionsUnderTest {
  target: Target;
  postLogin(event: PostLoginEvent): Promise<Run<PostLoginState>>;
  preUserRegistration(event: PreUserRegistrationEvent): Promise<Run<PreUserRegistrationState>>;
  close(): Promise<void>;
}

function parseLines(lines: string[]): unknown[] {
  return lines.map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return line;
    }
  });
}

/** Runs `fn` with console output of the current process captured (the source Actions log there). */
async function captureConsole(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const write = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  Object.assign(console, { log: write, info: write, warn: write, error: write });
  try {
    await fn();
  } finally {
    Object.assign(console, original);
  }
  return lines;
}

const bundles = new Map<string, Promise<Record<string, string>>>();

async function builtBundles(tenant: string, policy: string, environment: Environment | undefined): Promise<Record<string, string>> {
  const key = `${tenant}\u0000${policy}\u0000${environment?.name ?? ''}`;
  let built = bundles.get(key);
  if (!built) {
    const outDir = mkdtempSync(path.join(tmpdir(), 'root-attributes-bundle-'));
    built = buildActions({ tenantPath: tenant, policyFile: policy, environment, outDir }).then((result) =>
      Object.fromEntries(result.actions.map((action) => [action.entry.bundle, readFileSync(action.file, 'utf8')])),
    );
    bundles.set(key, built);
  }
  return built;
}

/** The recording state of a flow that ran in the runtime, in the shape the source target records. */
function postLoginState(result: FlowResult): PostLoginState {
  const scopes = (method: string) => result.calls.filter((call) => call.method === method).map((call) => String(call.args[0]));
  const validation = result.calls.find((call) => call.method === 'validation.error');
  return {
    denied: result.denied ? { reason: result.denied.reason } : null,
    appMetadata: result.appMetadata,
    userMetadata: result.userMetadata,
    idTokenClaims: result.idTokenClaims,
    accessTokenClaims: result.accessTokenClaims,
    scopesAdded: scopes('accessToken.addScope'),
    scopesRemoved: scopes('accessToken.removeScope'),
    validationError: validation ? { code: String(validation.args[0]), message: String(validation.args[1]) } : null,
    redirect: result.redirect ? { url: result.redirect.url, query: result.redirect.query } : null,
    multifactor: result.multifactor ?? null,
    primaryUser: result.effects?.primaryUser ?? null,
    methodsRecorded: result.effects?.methodsRecorded ?? [],
    session: result.effects?.session ?? { metadata: {} },
    refreshToken: result.effects?.refreshToken ?? { metadata: {} },
    saml: result.effects?.saml ?? { attributes: {}, settings: {} },
    prompt: result.effects?.prompt ?? null,
  };
}

function preUserRegistrationState(result: FlowResult): PreUserRegistrationState {
  const validation = result.calls.find((call) => call.method === 'validation.error');
  return {
    denied: result.denied ? { reason: result.denied.reason, userMessage: result.denied.userMessage ?? '' } : null,
    appMetadata: result.appMetadata,
    userMetadata: result.userMetadata,
    validationError: validation ? { code: String(validation.args[0]), message: String(validation.args[1]) } : null,
  };
}

export async function loadActions(target: Target, setup: ActionSetup = {}): Promise<ActionsUnderTest> {
  const tenant = path.resolve(setup.tenant ?? path.join(PROJECT_ROOT, 'tenant.yaml'));
  const policyFile = policyFileFor(tenant, setup.policy);

  const environment = setup.environment === undefined ? undefined : readEnvironment(tenant, setup.environment);

  if (target === 'source') {
    const policy = policyFor(policyFile, environment);
    const compiled = compilePolicy(policy, deriveConnectionTable(readTenantFile(tenant, environment?.values).data, policy));
    const onPostLogin = postLoginFlow(compiled);
    const onPreUserRegistration = preUserRegistrationFlow(compiled);
    return {
      target,
      async postLogin(event) {
        const { api, calls, state } = recordPostLoginApi();
        const rawLogs = await captureConsole(() => onPostLogin(event, api));
        return { state, calls, logs: parseLines(rawLogs), rawLogs };
      },
      async preUserRegistration(event) {
        const { api, calls, state } = recordPreUserRegistrationApi();
        const rawLogs = await captureConsole(() => onPreUserRegistration(event, api));
        return { state, calls, logs: parseLines(rawLogs), rawLogs };
      },
      close: async () => {},
    };
  }

  const code = await builtBundles(tenant, policyFile, environment);
  const runtime = new ActionsRuntime({ workers: 1 });
  const run = async (trigger: Trigger, bundle: string, event: object) => {
    const result = await runtime.run({
      trigger,
      actions: [{ name: bundle, code: code[bundle] ?? '', secrets: {}, dependencies: [] }],
      event: event as Record<string, unknown>,
      fixedTime: Date.now(),
    });
    if (result.outcome === 'failed') throw new Error(`the ${bundle} bundle failed: ${result.failure?.message ?? ''}`);
    const rawLogs = result.logs.map((log) => log.line);
    const calls = result.calls.map(({ method, args }) => ({ method, args }));
    return { result, calls, rawLogs, logs: parseLines(rawLogs) };
  };
  return {
    target,
    async postLogin(event) {
      const { result, ...rest } = await run('post-login', 'post-login', event);
      return { state: postLoginState(result), ...rest };
    },
    async preUserRegistration(event) {
      const { result, ...rest } = await run('pre-user-registration', 'pre-user-registration', event);
      return { state: preUserRegistrationState(result), ...rest };
    },
    close: () => runtime.close(),
  };
}
