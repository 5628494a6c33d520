/**
 * Runs the Actions under test, from source or as the built bundle, on one event with a recording `api`:
 *
 * ```ts
 * describe.each(TARGETS)('post-login (%s)', (target) => {
 *   let actions: ActionsUnderTest;
 *   beforeAll(async () => { actions = await loadActions(target); });
 *   it('…', async () => { const run = await actions.postLogin(postLoginEvent()); expect(run.state.denied).toBeNull(); });
 * });
 * ```
 * `bundle` builds with the same build code as `npm run build` (into a temporary folder per test worker)
 * and loads the result as the Actions runtime would; `source` compiles the same policy and table in-process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compilePolicy } from '../../actions/lib/compile-policy';
import { postLoginFlow } from '../../actions/post-login/flow';
import { preUserRegistrationFlow } from '../../actions/pre-user-registration/flow';
import type { Event as PostLoginEvent, PostLoginAPI } from '../../actions/types/post-login';
import type { Event as PreUserRegistrationEvent, PreUserRegistrationAPI } from '../../actions/types/pre-user-registration';
import { buildActions, DEFAULT_POLICY_FILE, loadPolicy, PROJECT_ROOT } from '../../scripts/lib/build-actions';
import { loadAction } from '../../scripts/lib/load-action';
import { deriveConnectionTable } from '../../scripts/lib/tenant-model';
import { readTenantFile } from '../../scripts/lib/tenant-yaml';
import {
  recordPostLoginApi,
  recordPreUserRegistrationApi,
  type PostLoginState,
  type PreUserRegistrationState,
  type RecordedCall,
} from './recording-api';

export type Target = 'source' | 'bundle';
export const TARGETS: readonly Target[] = ['source', 'bundle'];

export interface ActionSetup {
  /** tenant.yaml to derive the connection table from; the project's by default. */
  tenant?: string;
  /** Policy module; actions/policy.ts by default. */
  policy?: string;
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
}

type Handler<E, A> = (event: E, api: A) => Promise<void> | void;

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

async function builtBundles(tenant: string, policy: string): Promise<Record<string, string>> {
  const key = `${tenant}\u0000${policy}`;
  let built = bundles.get(key);
  if (!built) {
    const outDir = mkdtempSync(path.join(tmpdir(), 'root-attributes-bundle-'));
    built = buildActions({ tenantPath: tenant, policyFile: policy, outDir }).then((result) =>
      Object.fromEntries(result.actions.map((action) => [action.entry.bundle, action.file])),
    );
    bundles.set(key, built);
  }
  return built;
}

export async function loadActions(target: Target, setup: ActionSetup = {}): Promise<ActionsUnderTest> {
  const tenant = path.resolve(setup.tenant ?? path.join(PROJECT_ROOT, 'tenant.yaml'));
  const policyFile = path.resolve(setup.policy ?? DEFAULT_POLICY_FILE);
  let postLogin: (event: PostLoginEvent, api: PostLoginAPI) => Promise<string[]>;
  let preUserRegistration: (event: PreUserRegistrationEvent, api: PreUserRegistrationAPI) => Promise<string[]>;

  if (target === 'source') {
    const policy = loadPolicy(policyFile);
    const compiled = compilePolicy(policy, deriveConnectionTable(readTenantFile(tenant).data, policy));
    const onPostLogin = postLoginFlow(compiled);
    const onPreUserRegistration = preUserRegistrationFlow(compiled);
    postLogin = (event, api) => captureConsole(() => onPostLogin(event, api));
    preUserRegistration = (event, api) => captureConsole(() => onPreUserRegistration(event, api));
  } else {
    const files = await builtBundles(tenant, policyFile);
    const post = loadAction(files['post-login'] ?? '');
    const pre = loadAction(files['pre-user-registration'] ?? '');
    const onPostLogin = post.exports.onExecutePostLogin as Handler<PostLoginEvent, PostLoginAPI>;
    const onPreUserRegistration = pre.exports.onExecutePreUserRegistration as Handler<PreUserRegistrationEvent, PreUserRegistrationAPI>;
    postLogin = async (event, api) => (await post.captureLogs(async () => onPostLogin(event, api))).logs;
    preUserRegistration = async (event, api) => (await pre.captureLogs(async () => onPreUserRegistration(event, api))).logs;
  }

  return {
    target,
    async postLogin(event) {
      const { api, calls, state } = recordPostLoginApi();
      const rawLogs = await postLogin(event, api);
      return { state, calls, logs: parseLines(rawLogs), rawLogs };
    },
    async preUserRegistration(event) {
      const { api, calls, state } = recordPreUserRegistrationApi();
      const rawLogs = await preUserRegistration(event, api);
      return { state, calls, logs: parseLines(rawLogs), rawLogs };
    },
  };
}
