/**
 * Runs any Action — one of tenant.yaml's by name (the shipped two or a team's own), or any file — with its
 * npm dependencies and secrets, through the same sandbox, `require` resolution and recording `api` as the
 * local tenant. One Action, or a trigger's whole flow as tenant.yaml binds it:
 *
 * ```ts
 * const action = await loadAction('bundle', 'team-claim', { secrets: { CLAIM_PREFIX: 'x-' } });
 * const result = await action.run(postLoginEvent());
 * expect(result.idTokenClaims).toEqual({ … });
 * await action.close();
 * const flow = await loadFlow('source', 'post-login');   // every Action bound to post-login, in order
 * ```
 * `source` compiles the Action from its source (TypeScript or JavaScript) in memory and runs it in this
 * process; `bundle` runs what `npm run build` makes of it — or the file tenant.yaml deploys as it is — in
 * the runtime's locked-down worker process, as the tenant does. Declared dependencies (`{ name, version }`
 * or `'name@version'`) are installed into the shared cache (`.local/action-dependencies`) first. When an
 * Action throws, `result.failure` has its message and, through the compiler's source map, `source`: the
 * file, line and column in the Action's source.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildActions, policyFileFor, PROJECT_ROOT } from '../../scripts/lib/build-actions';
import { readEnvironment } from '../../scripts/lib/environments';
import { boundActionNames, compileAction, readActionCode, sourcePosition, tenantActions, type TenantAction } from '../../scripts/lib/team-actions';
import { readTenantFile } from '../../scripts/lib/tenant-yaml';
import { installDependencies, type DeclaredDependency, runFlow, type DeployedAction, type FlowRequest, type FlowResult, type Trigger, ActionsRuntime } from '@auth0-root-attributes/actions-runtime';
import type { Target } from './actions';
import { dependencyCacheDir } from '../../scripts/lib/local-state';

export interface ActionSource {
  /** The Action's file: TypeScript or JavaScript, CommonJS or ES module syntax. */
  file: string;
  trigger: Trigger;
  /** The name the runtime gives it (logs, failures); the file's base name by default. */
  name?: string;
  /** `{ name, version }` as tenant.yaml writes them, or `'name@version'`. */
  dependencies?: Array<DeclaredDependency | string>;
  secrets?: Record<string, string>;
}

export interface TenantSetup {
  /** tenant.yaml to find the Action in; the project's by default. */
  tenant?: string;
  /** Policy module the shipped Actions inline; actions/policy.ts beside tenant.yaml, else the project's, by default. */
  policy?: string;
  /** An environment beside tenant.yaml: its values fill tenant.yaml's placeholders, its `policy:` applies. */
  environment?: string;
  /** Values of the secrets the Actions declare, by name (tenant.yaml holds only placeholders). */
  secrets?: Record<string, string>;
}

export interface RunOptions {
  /** Resume at this Action's onContinuePostLogin (back from a redirect); the first Action's by default. */
  resume?: boolean | string;
  /** Whether the transaction may redirect (an interactive login); false by default, as for a token-endpoint grant. */
  canRedirect?: boolean;
  fixedTime?: number;
}

export interface ActionUnderTest {
  target: Target;
  /** The Actions it runs, in order. */
  names: string[];
  run(event: object, options?: RunOptions): Promise<FlowResult>;
  close(): Promise<void>;
}

/** An Action ready to run, with what maps its code back to its source. */
interface Prepared {
  action: DeployedAction;
  trigger: string;
  map?: { json: string; file: string };
}

function parseDependency(dependency: DeclaredDependency | string): DeclaredDependency {
  if (typeof dependency !== 'string') return dependency;
  const at = dependency.lastIndexOf('@');
  if (at <= 0) throw new Error(`dependency "${dependency}" needs a version, as tenant.yaml declares one: e.g. "${dependency}@1.0.0"`);
  return { name: dependency.slice(0, at), version: dependency.slice(at + 1) };
}

async function install(dependencies: DeclaredDependency[], what: string): Promise<void> {
  const installed = await installDependencies(dependencyCacheDir(), dependencies);
  if (!installed.ok) throw new Error(`the dependencies of ${what} could not be installed: ${installed.reason}`);
}

const scratch = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));

/** A file compiled as `npm run build` compiles a team's Action (readable, declared packages left to `require`). */
async function compiled(file: string, name: string, dependencies: DeclaredDependency[], target: Target): Promise<Omit<Prepared, 'trigger'> & { code: string }> {
  const outfile = path.join(scratch(`action-${target}-`), `${name}.js`);
  const result = await compileAction(path.resolve(file), dependencies, { outfile, write: target === 'bundle', sourcemap: true });
  return { action: { name, code: result.code, secrets: {}, dependencies }, code: result.code, ...(result.map ? { map: { json: result.map, file: `${outfile}.map` } } : {}) };
}

export async function loadActionFile(target: Target, source: ActionSource): Promise<ActionUnderTest> {
  const dependencies = (source.dependencies ?? []).map(parseDependency);
  await install(dependencies, source.file);
  const name = source.name ?? path.basename(source.file).replace(/\.[^.]+$/, '');
  const prepared = await compiled(source.file, name, dependencies, target);
  return runner(target, [{ ...prepared, action: { ...prepared.action, secrets: { ...(source.secrets ?? {}) } }, trigger: source.trigger }]);
}

/** The shipped Actions as built for this tenant.yaml and policy: minified as deployed for `bundle`, readable for `source`. */
const shippedBuilds = new Map<string, Promise<Map<string, { code: string; map?: { json: string; file: string } }>>>();
function shippedBuild(target: Target, tenant: string, setup: TenantSetup) {
  const policyFile = policyFileFor(tenant, setup.policy);
  const key = `${target}\u0000${tenant}\u0000${policyFile}\u0000${setup.environment ?? ''}`;
  let built = shippedBuilds.get(key);
  if (!built) {
    const environment = setup.environment ? readEnvironment(tenant, setup.environment) : undefined;
    built = buildActions({ tenantPath: tenant, policyFile, environment, outDir: scratch('shipped-actions-'), sourcemap: true, minify: target === 'bundle' }).then(
      (result) => new Map(result.actions.filter((action) => !action.team).map((action) => [action.entry.bundle, { code: readFileSync(action.file, 'utf8'), map: { json: readFileSync(`${action.file}.map`, 'utf8'), file: `${action.file}.map` } }])),
    );
    shippedBuilds.set(key, built);
  }
  return built;
}

async function prepareTenantAction(target: Target, action: TenantAction, tenant: string, setup: TenantSetup): Promise<Prepared> {
  await install(action.dependencies, `action ${action.name}`);
  const secrets = Object.fromEntries(action.secretNames.filter((name) => setup.secrets?.[name] !== undefined).map((name) => [name, setup.secrets?.[name] ?? '']));
  const base = { name: action.name, secrets, dependencies: action.dependencies };
  const { origin } = action;
  if (origin.kind === 'shipped') {
    const built = (await shippedBuild(target, tenant, setup)).get(origin.entry.bundle);
    if (!built) throw new Error(`the build made no ${origin.entry.bundle}.js`);
    return { action: { ...base, code: built.code }, trigger: action.trigger, ...(built.map ? { map: built.map } : {}) };
  }
  // A file deployed as it is runs as it is in the bundle target: its lines are the source's own.
  if (origin.kind === 'as-is' && target === 'bundle') return { action: { ...base, code: readActionCode(action) }, trigger: action.trigger };
  const prepared = await compiled(origin.source, action.name, action.dependencies, target);
  return { ...prepared, action: { ...base, code: prepared.code }, trigger: action.trigger };
}

function tenantSetup(setup: TenantSetup) {
  const tenantPath = path.resolve(setup.tenant ?? path.join(PROJECT_ROOT, 'tenant.yaml'));
  const environment = setup.environment ? readEnvironment(tenantPath, setup.environment) : undefined;
  const tenant = readTenantFile(tenantPath, environment?.values);
  const actions = tenantActions(tenant);
  const declared = new Set(actions.flatMap((action) => action.secretNames));
  const undeclared = Object.keys(setup.secrets ?? {}).filter((name) => !declared.has(name));
  if (undeclared.length > 0) throw new Error(`no Action in ${path.relative(process.cwd(), tenantPath)} declares the secret ${undeclared.join(', ')}: add it to the action's secrets there`);
  return { tenantPath, tenant, actions };
}

/** One Action of tenant.yaml by name, or any file (`ActionSource`). */
export async function loadAction(target: Target, action: string | ActionSource, setup: TenantSetup = {}): Promise<ActionUnderTest> {
  if (typeof action !== 'string') return loadActionFile(target, action);
  const { tenantPath, actions } = tenantSetup(setup);
  const found = actions.find((candidate) => candidate.name === action);
  if (!found) throw new Error(`${path.relative(process.cwd(), tenantPath)} has no action named "${action}" (it has ${actions.map((candidate) => candidate.name).join(', ') || 'none'})`);
  return runner(target, [await prepareTenantAction(target, found, tenantPath, setup)]);
}

/** Every Action tenant.yaml binds to a trigger, in its order: the flow a login or signup runs. */
export async function loadFlow(target: Target, trigger: Trigger, setup: TenantSetup = {}): Promise<ActionUnderTest> {
  const { tenantPath, tenant, actions } = tenantSetup(setup);
  const names = boundActionNames(tenant, trigger);
  const prepared: Prepared[] = [];
  for (const name of names) {
    const found = actions.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`${path.relative(process.cwd(), tenantPath)} binds "${name}" to ${trigger}, but lists no action of that name`);
    prepared.push(await prepareTenantAction(target, found, tenantPath, setup));
  }
  return runner(target, prepared);
}

function runner(target: Target, prepared: Prepared[]): ActionUnderTest {
  const cache = dependencyCacheDir();
  const trigger = (prepared[0]?.trigger ?? 'post-login') as Trigger;
  const runtime = target === 'bundle' ? new ActionsRuntime({ workers: 1, dependencyCache: cache }) : undefined;
  // Source runs keep each action's api.cache here, as the runtime keeps it for bundles.
  const caches: NonNullable<FlowRequest['caches']> = {};
  const withSource = (result: FlowResult): FlowResult => {
    const failure = result.failure;
    const map = prepared.find((item) => item.action.name === failure?.action)?.map;
    if (!failure?.at) return result;
    const position = map ? sourcePosition(map.json, map.file, failure.at) : undefined;
    return { ...result, failure: { ...failure, ...(position ? { source: `${position.file}:${position.line}:${position.column}` } : {}) } };
  };
  return {
    target,
    names: prepared.map((item) => item.action.name),
    async run(event, options = {}) {
      const resumeAt = typeof options.resume === 'string' ? options.resume : options.resume ? prepared[0]?.action.name : undefined;
      const request: FlowRequest = {
        trigger,
        actions: prepared.map((item) => item.action),
        event: structuredClone(event) as Record<string, unknown>,
        canRedirect: options.canRedirect === true,
        ...(resumeAt !== undefined ? { resumeAt } : {}),
        ...(options.fixedTime !== undefined ? { fixedTime: options.fixedTime } : {}),
      };
      if (runtime) return withSource(await runtime.run(request));
      const result = await runFlow({ ...request, caches }, { dependencyCache: cache });
      Object.assign(caches, result.caches);
      return withSource(result);
    },
    close: async () => runtime?.close(),
  };
}
