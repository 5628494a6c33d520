/**
 * Compiles both Actions with esbuild into one CommonJS file each, inside tenant.yaml's folder, with the
 * policy and the connection table derived from tenant.yaml inlined. Checks each bundle: size budget,
 * no `##KEY##`/`@@KEY@@` pattern (a0deploy would rewrite it), and the trigger's handler exported.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { isSyncMode } from '../../actions/lib/connection-kinds';
import type { ConnectionTable } from '../../actions/lib/connection-table';
import type { Policy } from '../../actions/lib/define-policy';
import { VALUE_RULES_VERSION } from '../../actions/lib/value-rules';
import { withOverride } from './policy-override';
import { fingerprint } from '../../actions/lib/digest';
import { ACTION_ENTRIES, BUNDLE_DIR, type ActionEntry } from './action-entries';
import type { Environment } from './environments';
import { policyProblems } from '../check/policy-schema';
import { ProjectError } from './errors';
import { loadInSandbox } from '@auth0-root-attributes/actions-runtime';
import { deriveConnectionTable, tenantConnections } from './tenant-model';
import { readTenantFile, type TenantFile } from './tenant-yaml';
import { buildFailure, compileAction, handlerOf, tenantActions } from './team-actions';

/** Our budget per bundle; Auth0's hard limit is 100 kB. */
export const BUNDLE_BUDGET_BYTES = 20_000;
export const AUTH0_ACTION_LIMIT_BYTES = 100_000;

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface BuiltAction {
  entry: ActionEntry;
  file: string;
  bytes: number;
  /** A team's own Action: held to Auth0's size limit, not this project's budget. */
  team?: boolean;
  /** Packages it requires, which Auth0 installs (a team's Action). */
  dependencies?: number;
}

export interface BuildResult {
  tenant: TenantFile;
  table: ConnectionTable;
  actions: BuiltAction[];
}

/** The connection table, after refusing what would make it wrong (a sync value Auth0 would not accept). */
export function connectionTableFor(tenant: TenantFile, policy: Policy): ConnectionTable {
  const first = tenant.syntaxErrors[0];
  if (first) {
    throw new ProjectError('tenant-invalid', `YAML syntax error: ${first.message}`, {
      location: first.location,
      hint: 'fix the YAML syntax; `npm run check` lists every problem',
    });
  }
  for (const connection of tenantConnections(tenant.data)) {
    if (connection.syncValue !== undefined && !isSyncMode(connection.syncValue)) {
      throw new ProjectError('tenant-invalid', `connection "${connection.name}": set_user_root_attributes is not a value Auth0 accepts`, {
        location: tenant.locate([...connection.path, 'options', 'set_user_root_attributes']),
        hint: 'use on_each_login, on_first_login or never_on_login; `npm run check` suggests the nearest',
      });
    }
  }
  return deriveConnectionTable(tenant.data, policy);
}

/** The fingerprint the Actions use: of the policy and the full connection table (compilePolicy computes the same). */
export function actionFingerprint(policy: Policy, table: ConnectionTable): string {
  return fingerprint({ policy, table, rules: VALUE_RULES_VERSION });
}

/** Names the connection table a bundle inlines, so the checker can tell a bundle built from other settings. */
export function tableMarker(table: ConnectionTable): string {
  return `connections ${fingerprint(table)}`;
}

/** The marker a bundle's first line carries, if any. */
export function bundleTableMarker(code: string): string | undefined {
  return /connections [A-Za-z0-9_-]{12}/.exec(code.slice(0, code.indexOf('\n') >>> 0))?.[0];
}

/** The policy-and-table fingerprint a bundle's banner carries, if any. */
export function bundleFingerprint(code: string): string | undefined {
  const match = new RegExp(`${DATA_FINGERPRINT}=("[^"]*")`).exec(code.slice(0, 65_536));
  return match?.[1] ? (JSON.parse(match[1]) as string) : undefined;
}

/** The banner's variables: the connection table, the fingerprint the build computed, and the policy. */
const DATA_CONNECTIONS = '__rootAttributesConnections';
const DATA_FINGERPRINT = '__rootAttributesFingerprint';
const DATA_POLICY = '__rootAttributesPolicy';

const PLACEHOLDER = /##[A-Za-z0-9_]+##|@@[A-Za-z0-9_]+@@/;

export const DEFAULT_POLICY_FILE = path.join(PROJECT_ROOT, 'actions', 'policy.ts');

/**
 * The policy module of a tenant.yaml: the one given, else `actions/policy.ts` in tenant.yaml's folder when that
 * folder has one (a project, a fork, a copy of either keeps the two files together), else the project's.
 */
export function policyFileFor(tenantPath: string, policyFile?: string): string {
  if (policyFile !== undefined) return path.resolve(policyFile);
  const beside = path.join(path.dirname(path.resolve(tenantPath)), 'actions', 'policy.ts');
  return existsSync(beside) ? beside : DEFAULT_POLICY_FILE;
}

export interface BuildOptions {
  tenantPath: string;
  /** The policy module to inline instead of actions/policy.ts (tests build fixtures this way). */
  policyFile?: string;
  /** Build for this environment: its values fill tenant.yaml's placeholders first, its `policy:` changes the policy. */
  environment?: EnvironmentSettings;
  /** Where bundles go; defaults to `build/actions` in tenant.yaml's folder, where a0deploy looks. */
  outDir?: string;
  /** Also write each bundle's source map beside it (`NAME.js.map`; the bundle itself is unchanged): the test kit maps an Action's errors back to its source. */
  sourcemap?: boolean;
  /** Minified, as deployed (the default); the test kit's source target builds them readable. */
  minify?: boolean;
}

/** Loads a policy module (its default export), as the build inlines it. */
export function loadPolicy(policyFile: string = DEFAULT_POLICY_FILE): Policy {
  let loaded: { default?: Policy };
  try {
    loaded = require(path.resolve(policyFile)) as { default?: Policy };
  } catch (error) {
    // The compiler's own words and place (tsx reports "Transform failed with 1 error:" and the error below it).
    const message = error instanceof Error ? error.message : String(error);
    const compiled = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(message);
    if (compiled) {
      throw new ProjectError('policy-unreadable', `the policy module does not compile: ${compiled[4] ?? ''}`, {
        location: { file: path.relative(process.cwd(), compiled[1] ?? policyFile) || policyFile, line: Number(compiled[2]), col: Number(compiled[3]) + 1 },
        hint: 'fix the syntax there; `npm run typecheck` shows every error',
        cause: error,
      });
    }
    throw new ProjectError('policy-unreadable', `cannot load ${policyFile}: ${message.split('\n').find((line) => line.trim() !== '') ?? message}`, {
      hint: 'run `npm run typecheck` to see what is wrong with the policy module',
      cause: error,
    });
  }
  if (!loaded.default || typeof loaded.default !== 'object') {
    throw new ProjectError('policy-invalid', `${policyFile} has no default export`, { hint: 'export default definePolicy({ ... })' });
  }
  return loaded.default;
}

/** What of an environment shapes the Actions: its placeholder values and its policy changes. */
export type EnvironmentSettings = Pick<Environment, 'values'> & Partial<Pick<Environment, 'policy'>>;

/** The policy as an environment has it: the policy module with the environment's `policy:` changes. */
export function policyFor(policyFile: string | undefined, environment?: EnvironmentSettings): Policy {
  return withOverride(loadPolicy(policyFile), environment?.policy);
}

export async function buildActions(options: BuildOptions): Promise<BuildResult> {
  const tenant = readTenantFile(options.tenantPath, options.environment?.values);
  const policyFile = policyFileFor(options.tenantPath, options.policyFile);
  const policy = policyFor(policyFile, options.environment);
  // A policy the Actions cannot run with is never built into them: the check says where it is wrong.
  const problems = policyProblems(policy);
  if (problems.length > 0) {
    const [first] = problems;
    throw new ProjectError('policy-invalid', `${path.relative(process.cwd(), policyFile) || policyFile} is not a policy the Actions can run with: ${first?.message ?? ''}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}; nothing was built`, {
      hint: 'npm run check points at each problem in the policy',
    });
  }
  const table = connectionTableFor(tenant, policy);
  const outDir = options.outDir ? path.resolve(options.outDir) : path.join(tenant.dir, BUNDLE_DIR);
  mkdirSync(outDir, { recursive: true });

  // Compact: name → [kind, sync]; the Actions need nothing else of a connection.
  const compact = Object.fromEntries(Object.entries(table).map(([name, entry]) => [name, [entry.kind, entry.sync]]));
  const data = `var ${DATA_CONNECTIONS}=${JSON.stringify(compact)},${DATA_FINGERPRINT}=${JSON.stringify(actionFingerprint(policy, table))},${DATA_POLICY}=${JSON.stringify(policy)};`;
  const tableModule: esbuild.Plugin = {
    name: 'tenant-connections',
    setup(build) {
      build.onResolve({ filter: /^virtual:tenant-connections$/ }, () => ({ path: 'tenant-connections', namespace: 'tenant' }));
      // The data itself sits in the banner, outside minification: the minifier names identifiers by
      // character frequency, so data inside the bundle would rename code. Builds for two environments
      // then differ only in the banner's data line (after the strict-mode directive, which must come first).
      build.onLoad({ filter: /^tenant-connections$/, namespace: 'tenant' }, () => ({
        contents: [
          `export const connections = Object.fromEntries(Object.entries(${DATA_CONNECTIONS}).map(([name, [kind, sync]]) => [name, { kind, sync }]));`,
          `export const fingerprint = ${DATA_FINGERPRINT};`,
        ].join('\n'),
        loader: 'js',
      }));
      build.onLoad({ filter: /^policy$/, namespace: 'tenant' }, () => ({ contents: `export default ${DATA_POLICY};`, loader: 'js' }));
      // The entries import './policy': the policy as loaded here (a fixture's when one is given, with the
      // environment's changes), which is data — it sits in the banner too.
      build.onResolve({ filter: /^\.\/policy$/ }, (args) =>
        path.resolve(args.resolveDir) === path.join(PROJECT_ROOT, 'actions') ? { path: 'policy', namespace: 'tenant' } : undefined,
      );
    },
  };

  const actions: BuiltAction[] = [];
  for (const entry of ACTION_ENTRIES) {
    const file = path.join(outDir, `${entry.bundle}.js`);
    // A symbolic link in the bundle's place is replaced, never written through (it could point anywhere).
    const existing = lstatSync(file, { throwIfNoEntry: false });
    if (existing?.isSymbolicLink()) unlinkSync(file);
    try {
      await esbuild.build({
        entryPoints: [path.join(PROJECT_ROOT, entry.entry)],
        outfile: file,
        bundle: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        // Full minification: the logs carry JSON lines, not stack traces, and the budget is tight.
        minify: options.minify !== false,
        legalComments: 'none',
        logLevel: 'silent',
        plugins: [tableModule],
        sourcemap: options.sourcemap ? 'external' : false,
        banner: { js: `// ${entry.bundle}: built by auth0-root-attributes from ${entry.entry}; ${tableMarker(table)}. Do not edit.\n"use strict";${data}` },
      });
    } catch (error) {
      throw buildFailure(path.join(PROJECT_ROOT, entry.entry), error);
    }
    actions.push({ entry, file, bytes: statSync(file).size });
  }

  // A team's own Actions that tenant.yaml deploys from build/actions: compiled from actions/NAME.ts (or .js).
  for (const action of tenantActions(tenant)) {
    if (action.origin.kind !== 'built') continue;
    if (!existsSync(action.origin.source)) {
      throw new ProjectError('build-failed', `action ${action.name} is deployed from ${path.relative(process.cwd(), action.codeFile)}, but there is no source for it at ${path.relative(process.cwd(), action.origin.source)} (or .js)`, {
        hint: `write the Action there, or point its code: in tenant.yaml at the JavaScript file to deploy as it is (./actions/${action.name}.js)`,
      });
    }
    const file = path.join(outDir, path.basename(action.codeFile));
    const existing = lstatSync(file, { throwIfNoEntry: false });
    if (existing?.isSymbolicLink()) unlinkSync(file);
    const compiled = await compileAction(action.origin.source, action.dependencies, { outfile: file, write: true, sourcemap: options.sourcemap === true });
    if (compiled.map !== undefined) writeFileSync(`${file}.map`, compiled.map);
    const entry: ActionEntry = { bundle: path.basename(file, '.js'), entry: path.relative(PROJECT_ROOT, action.origin.source), trigger: action.trigger, triggerVersion: '', handler: handlerOf(action.trigger) };
    actions.push({ entry, file, bytes: statSync(file).size, team: true, dependencies: action.dependencies.length });
  }

  for (const action of actions) verifyBundle(action);
  return { tenant, table, actions };
}

/** Refuses a bundle Auth0 would not run as intended. */
export function verifyBundle(action: BuiltAction): void {
  const relative = path.relative(process.cwd(), action.file);
  const budget = action.team ? AUTH0_ACTION_LIMIT_BYTES : BUNDLE_BUDGET_BYTES;
  if (action.bytes > budget) {
    throw new ProjectError('bundle-invalid', `${relative} is ${action.bytes} bytes, over the ${budget}-byte ${action.team ? 'limit' : 'budget'} (Auth0 refuses over ${AUTH0_ACTION_LIMIT_BYTES})`, {
      hint: 'look for a large dependency pulled into the bundle; the Actions must carry no npm dependency',
    });
  }
  // An Action that requires npm packages is loaded only where they are installed (the tenant, the test kit).
  let code: Record<string, unknown> | undefined;
  try {
    code = action.dependencies ? undefined : (loadInSandbox(readFileSync(action.file, 'utf8'), { filename: action.file }).exports as Record<string, unknown>);
  } catch (error) {
    throw new ProjectError('bundle-invalid', `${relative} fails as it loads — Auth0 would fail every run of it: ${(error as Error).name}: ${(error as Error).message.split('\n')[0] ?? ''}`, {
      hint: `npm run check, and correct ${action.entry.entry} or what it inlines (the policy, tenant.yaml's connections)`,
      cause: error,
    });
  }
  if (code && typeof code[action.entry.handler] !== 'function') {
    throw new ProjectError('bundle-invalid', `${relative} does not export ${action.entry.handler}, which the ${action.entry.trigger} trigger calls`, {
      hint: `export it from ${action.entry.entry}`,
    });
  }
  const text = readFileSync(action.file, 'utf8');
  const placeholder = PLACEHOLDER.exec(text);
  if (placeholder) {
    throw new ProjectError('bundle-invalid', `${relative} contains "${placeholder[0]}", which a0deploy would replace with an environment value`, {
      hint: 'keep ##…## and @@…@@ patterns out of the Actions\' code and policy',
    });
  }
}
