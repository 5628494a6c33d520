/**
 * Actions in tenant.yaml: a code path inside tenant.yaml's folder to a built, current bundle that exports
 * the handler of each trigger it supports, within Auth0's limits (size, runtime, dependencies, secrets).
 */
import { placeholderName } from '../lib/placeholders';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ACTION_ENTRIES, BUNDLE_DIR, TRIGGER_HANDLERS } from '../lib/action-entries';
import { tenantActions as teamActions } from '../lib/team-actions';
import { actionFingerprint, AUTH0_ACTION_LIMIT_BYTES, BUNDLE_BUDGET_BYTES, bundleFingerprint, bundleTableMarker, connectionTableFor, tableMarker } from '../lib/build-actions';
import { DEPLOY_CLI_TRIGGERS } from '../lib/deploy-cli';
import { declaredDependencies, isInstalled, resolveDependencies, type ResolvedDependency, loadInSandbox } from '@auth0-root-attributes/actions-runtime';
import { nearest } from '../lib/suggest';
import { isRecord } from '../lib/tenant-model';
import type { YamlPath } from '../lib/tenant-yaml';
import { isPlaceholder } from '../lib/secrets';
import { policyProblems } from './policy-schema';
import { defineRule, type CheckContext, type Rule } from './types';
import { dependencyCacheDir } from '../lib/local-state';

const MAX_DEPENDENCIES = 10;
const MAX_SECRETS = 30;
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
/** Trigger versions Auth0 marks deprecated, with the current one. */
const DEPRECATED_VERSIONS: Readonly<Record<string, { deprecated: readonly string[]; current: string }>> = {
  'post-login': { deprecated: ['v1', 'v2'], current: 'v3' },
  'pre-user-registration': { deprecated: ['v1'], current: 'v2' },
  'post-user-registration': { deprecated: ['v1'], current: 'v2' },
  'post-change-password': { deprecated: ['v1'], current: 'v2' },
  'credentials-exchange': { deprecated: ['v1'], current: 'v2' },
  'send-phone-message': { deprecated: ['v1'], current: 'v2' },
};

export interface TenantAction {
  path: YamlPath;
  name: string;
  item: Record<string, unknown>;
  /** The bundle's absolute path, when `code` is a string. */
  file: string | undefined;
  triggers: Array<{ id: string; version: unknown; index: number }>;
}

export function tenantActions(data: Record<string, unknown>, dir: string): TenantAction[] {
  const list = data.actions;
  if (!Array.isArray(list)) return [];
  const found: TenantAction[] = [];
  list.forEach((item: unknown, index) => {
    if (!isRecord(item) || typeof item.name !== 'string') return;
    const triggers = Array.isArray(item.supported_triggers)
      ? item.supported_triggers.flatMap((t: unknown, i) => (isRecord(t) && typeof t.id === 'string' ? [{ id: t.id, version: t.version, index: i }] : []))
      : [];
    // a0deploy resolves code paths against tenant.yaml's folder, backslashes as slashes.
    const file = typeof item.code === 'string' ? path.resolve(dir, item.code.replace(/\\/g, '/')) : undefined;
    found.push({ path: ['actions', index], name: item.name, item, file, triggers });
  });
  return found;
}

/** The action's declared dependencies as installed in the shared cache, or undefined while one is not installed. */
function installedDependencies(item: Record<string, unknown>): ResolvedDependency[] | undefined {
  const declared = declaredDependencies(Array.isArray(item.dependencies) ? item.dependencies : []);
  const cache = dependencyCacheDir();
  return declared.every((dependency) => isInstalled(cache, dependency)) ? resolveDependencies(cache, declared) : undefined;
}

/** Whether `file` is inside `dir` — where a symbolic link really points, not where it stands. */
function isInside(dir: string, file: string): boolean {
  const real = (target: string) => (existsSync(target) ? realpathSync(target) : target);
  const relative = path.relative(real(dir), real(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The bundle exists inside tenant.yaml's folder: the rules about its contents apply. */
function bundles(context: CheckContext) {
  return tenantActions(context.data, context.tenant.dir).filter(
    (action): action is TenantAction & { file: string } => action.file !== undefined && isInside(context.tenant.dir, action.file) && existsSync(action.file) && statSync(action.file).isFile(),
  );
}

function newestSource(context: CheckContext): { file: string; mtime: number } {
  let newest = { file: context.policySource.path, mtime: statSync(context.policySource.path).mtimeMs };
  const root = path.join(context.projectRoot, 'actions');
  // What the shipped bundles are built from: the entries and every folder beside them; not tests, and not a
  // team's own Actions at the top of actions/ (they are bundles of their own).
  const entries = new Set(ACTION_ENTRIES.map((entry) => path.join(context.projectRoot, entry.entry)));
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && (dir !== root || entries.has(full))) {
        const mtime = statSync(full).mtimeMs;
        if (mtime > newest.mtime) newest = { file: full, mtime };
      }
    }
  };
  visit(root);
  return newest;
}

/** A rule that an action's `field` list has at most `max` entries (one of Auth0's limits). */
function listLimitRule(id: string, field: 'dependencies' | 'secrets', max: number, hint: string): Rule {
  return defineRule({
    id,
    severity: 'error',
    description: `An Action has at most ${max} ${field} (Auth0's limit).`,
    hint,
    *check(context) {
      for (const action of tenantActions(context.data, context.tenant.dir)) {
        const list = action.item[field];
        if (Array.isArray(list) && list.length > max) {
          yield { location: context.tenant.locate([...action.path, field]), message: `"${action.name}" has ${list.length} ${field}; Auth0 allows ${max}` };
        }
      }
    },
  });
}

/** The marker a bundle built from tenant.yaml as it is now carries; undefined when tenant.yaml has an error other rules report. */
function expectedMarker(context: CheckContext): { table: string; fingerprint: string } | undefined {
  try {
    const table = connectionTableFor(context.tenant, context.policy);
    return { table: tableMarker(table), fingerprint: actionFingerprint(context.policy, table) };
  } catch {
    return undefined;
  }
}

export const ACTION_RULES: readonly Rule[] = [
  defineRule({
    id: 'action-code-outside',
    severity: 'error',
    description: 'The code path stays inside tenant.yaml\'s folder (a0deploy warns now and will refuse in its next major release).',
    hint: `build into ./${BUNDLE_DIR}/ next to tenant.yaml`,
    *check(context) {
      for (const action of tenantActions(context.data, context.tenant.dir)) {
        if (action.file && !isInside(context.tenant.dir, action.file)) {
          yield { location: context.tenant.locate([...action.path, 'code']), message: `the code of "${action.name}" is outside tenant.yaml's folder` };
        }
      }
    },
  }),
  defineRule({
    id: 'action-bundle-missing',
    severity: 'error',
    description: 'The bundle the code path names exists.',
    hint: 'run `npm run build`, or correct the path',
    *check(context) {
      for (const action of tenantActions(context.data, context.tenant.dir)) {
        if (!action.file || !isInside(context.tenant.dir, action.file)) continue;
        if (!existsSync(action.file) || !statSync(action.file).isFile()) {
          yield { location: context.tenant.locate([...action.path, 'code']), message: `the bundle of "${action.name}" does not exist: ${path.relative(context.tenant.dir, action.file)}` };
        }
      }
    },
  }),
  defineRule({
    id: 'action-bundle-stale',
    severity: 'error',
    description: 'A bundle this project builds is not older than its sources (the Actions and the policy) and inlines the connection settings tenant.yaml has now.',
    hint: 'run `npm run build`',
    *check(context) {
      // A team's own Action that npm run build compiles: its bundle is older than its source.
      for (const team of teamActions(context.tenant)) {
        if (team.origin.kind !== 'built' || !existsSync(team.codeFile) || !existsSync(team.origin.source)) continue;
        const action = bundles(context).find((candidate) => candidate.file === team.codeFile);
        if (action && statSync(team.codeFile).mtimeMs < statSync(team.origin.source).mtimeMs) {
          yield { location: context.tenant.locate([...action.path, 'code']), message: `the bundle of "${action.name}" is older than ${path.relative(context.projectRoot, team.origin.source)}` };
        }
      }
      const ours = new Set(ACTION_ENTRIES.map((entry) => path.join(context.tenant.dir, BUNDLE_DIR, `${entry.bundle}.js`)));
      const built = bundles(context).filter((action) => ours.has(action.file));
      // A policy the build refuses cannot make a fresh bundle: its own findings are what to fix first.
      if (built.length === 0 || policyProblems(context.policy).length > 0) return;
      const newest = newestSource(context);
      // For an environment, the deploy builds right before it checks: the bundle on disk is another build's.
      const expected = context.environment ? undefined : expectedMarker(context);
      for (const action of built) {
        const location = context.tenant.locate([...action.path, 'code']);
        if (statSync(action.file).mtimeMs < newest.mtime) {
          yield { location, message: `the bundle of "${action.name}" is older than ${path.relative(context.projectRoot, newest.file)}` };
        } else if (expected) {
          const code = readFileSync(action.file, 'utf8');
          if (bundleTableMarker(code) !== expected.table) {
            yield { location, message: `the bundle of "${action.name}" was built from other connection settings than tenant.yaml has now` };
          } else if (bundleFingerprint(code) !== expected.fingerprint) {
            // The same connections, another policy: a build for an environment whose `policy:` changes it.
            yield { location, message: `the bundle of "${action.name}" was built with another policy than actions/policy.ts (a build for an environment?)`, hint: 'run `npm run build` (or check that environment: npm run check -- --env NAME)' };
          }
        }
      }
    },
  }),
  defineRule({
    id: 'action-handler-missing',
    severity: 'error',
    description: 'The bundle loads and exports the handler of each trigger it supports.',
    hint: 'export the handler from the Action\'s entry (exports.onExecutePostLogin = …), then build',
    *check(context) {
      for (const action of bundles(context)) {
        // An action whose npm dependencies are not installed yet is loaded by the tenant's build, not here.
        const dependencies = installedDependencies(action.item);
        if (!dependencies) continue;
        let exports: Record<string, unknown>;
        try {
          exports = loadInSandbox(readFileSync(action.file, 'utf8'), { filename: action.file, dependencies }).exports;
        } catch (error) {
          yield { location: context.tenant.locate([...action.path, 'code']), message: `the bundle of "${action.name}" fails to load: ${error instanceof Error ? error.name : 'error'}`, hint: 'rebuild it; it must be a CommonJS module needing only Node built-ins' };
          continue;
        }
        for (const trigger of action.triggers) {
          const handler = TRIGGER_HANDLERS[trigger.id];
          if (!handler || typeof exports[handler] === 'function') continue;
          yield { location: context.tenant.locate([...action.path, 'supported_triggers', trigger.index, 'id']), message: `the bundle of "${action.name}" does not export ${handler}, which ${trigger.id} calls` };
        }
      }
    },
  }),
  defineRule({
    id: 'action-too-large',
    severity: 'error',
    description: `A bundle is at most ${AUTH0_ACTION_LIMIT_BYTES / 1000} kB, Auth0's limit.`,
    hint: 'find what the bundle pulls in; the Actions should carry no npm dependency',
    *check(context) {
      for (const action of bundles(context)) {
        const bytes = statSync(action.file).size;
        if (bytes > AUTH0_ACTION_LIMIT_BYTES) yield { location: context.tenant.locate([...action.path, 'code']), message: `the bundle of "${action.name}" is ${bytes} bytes; Auth0 refuses Actions over ${AUTH0_ACTION_LIMIT_BYTES}` };
      }
    },
  }),
  defineRule({
    id: 'action-over-budget',
    severity: 'warning',
    description: `A bundle stays within this project's budget of ${BUNDLE_BUDGET_BYTES / 1000} kB.`,
    hint: 'find what grew the bundle (esbuild --analyze)',
    *check(context) {
      for (const action of bundles(context)) {
        const bytes = statSync(action.file).size;
        if (bytes > BUNDLE_BUDGET_BYTES && bytes <= AUTH0_ACTION_LIMIT_BYTES) {
          yield { location: context.tenant.locate([...action.path, 'code']), message: `the bundle of "${action.name}" is ${bytes} bytes, over the ${BUNDLE_BUDGET_BYTES}-byte budget` };
        }
      }
    },
  }),
  defineRule({
    id: 'action-runtime',
    severity: 'error',
    description: 'The runtime is one Auth0 runs: node22 (node18 still runs, with a warning).',
    hint: 'set `runtime: node22`',
    *check(context) {
      for (const action of tenantActions(context.data, context.tenant.dir)) {
        const runtime = action.item.runtime;
        if (runtime === undefined || runtime === 'node22' || runtime === 'node18' || runtime === 'node18-actions') continue;
        yield { location: context.tenant.locate([...action.path, 'runtime']), message: `runtime ${JSON.stringify(runtime)} of "${action.name}" is not one Auth0 runs` };
      }
    },
  }),
  defineRule({
    id: 'action-runtime-deprecated',
    severity: 'warning',
    description: 'node18 still runs, but Node 22 is the recommended runtime.',
    hint: 'set `runtime: node22`',
    *check(context) {
      for (const action of tenantActions(context.data, context.tenant.dir)) {
        if (action.item.runtime !== 'node18' && action.item.runtime !== 'node18-actions') continue;
        yield { location: context.tenant.locate([...action.path, 'runtime']), message: `"${action.name}" runs on ${String(action.item.runtime)}; Auth0 recommends node22` };
      }
    },
  }),
  defineRule({
    id: 'action-trigger-unknown',
    severity: 'error',
    description: 'Each supported trigger is a trigger id a0deploy and Auth0 know.',
    hint: 'use a known trigger id such as post-login or pre-user-registration',
    *check(context) {
      const known = DEPLOY_CLI_TRIGGERS;
      for (const action of tenantActions(context.data, context.tenant.dir)) {
        for (const trigger of action.triggers) {
          if (known.includes(trigger.id)) continue;
          const suggestion = nearest(trigger.id, known);
          yield { location: context.tenant.locate([...action.path, 'supported_triggers', trigger.index, 'id']), message: `"${trigger.id}" is not a trigger Auth0 has`, ...(suggestion ? { hint: `did you mean ${suggestion}?` } : {}) };
        }
      }
    },
  }),
  defineRule({
    id: 'action-trigger-version',
    severity: 'warning',
    description: 'Each supported trigger uses its current version.',
    hint: 'move to the current version of the trigger',
    *check(context) {
      for (const action of tenantActions(context.data, context.tenant.dir)) {
        for (const trigger of action.triggers) {
          const versions = DEPRECATED_VERSIONS[trigger.id];
          if (!versions || !versions.deprecated.includes(String(trigger.version))) continue;
          yield { location: context.tenant.locate([...action.path, 'supported_triggers', trigger.index, 'version']), message: `${trigger.id} ${String(trigger.version)} is deprecated`, hint: `use version ${versions.current}` };
        }
      }
    },
  }),
  defineRule({
    id: 'dependency-unpinned',
    severity: 'error',
    description: 'Each dependency names an exact version (Auth0 resolves a range or an empty version to whatever is latest at save time).',
    hint: 'pin the exact version you tested',
    *check(context) {
      for (const action of tenantActions(context.data, context.tenant.dir)) {
        const dependencies = action.item.dependencies;
        if (!Array.isArray(dependencies)) continue;
        for (const [index, dependency] of dependencies.entries()) {
          const version = isRecord(dependency) ? dependency.version : undefined;
          if (typeof version === 'string' && EXACT_VERSION.test(version)) continue;
          const name = isRecord(dependency) && typeof dependency.name === 'string' ? dependency.name : `dependency ${index + 1}`;
          // The version the range starts from fits as an example; without one, the registry says which is latest.
          const floor = typeof version === 'string' ? /\d+\.\d+\.\d+/.exec(version)?.[0] : undefined;
          const hint = floor ? `pin the exact version you tested, e.g. version: ${floor}` : `pin the exact version you tested (\`npm view ${name} version\` prints the latest)`;
          yield { location: context.tenant.locate([...action.path, 'dependencies', index, 'version']), message: `${name} of "${action.name}" is not pinned to an exact version`, hint };
        }
      }
    },
  }),
  listLimitRule('dependencies-too-many', 'dependencies', MAX_DEPENDENCIES, 'bundle what you need instead, or drop dependencies'),
  defineRule({
    id: 'action-secret-literal',
    severity: 'error',
    description: 'Action secrets are ##KEY## or @@KEY@@ placeholders (a0deploy sends them as they are on every deploy), never literal values.',
    hint: 'replace the value with a ##NAME## placeholder and set that variable where you deploy',
    *check(context) {
      for (const action of tenantActions(context.data, context.tenant.dir)) {
        const secrets = action.item.secrets;
        if (!Array.isArray(secrets)) continue;
        for (const [index, secret] of secrets.entries()) {
          if (!isRecord(secret) || secret.value === undefined || isPlaceholder(secret.value)) continue;
          const name = typeof secret.name === 'string' ? secret.name : `secret ${index + 1}`;
          yield { location: context.tenant.locate([...action.path, 'secrets', index, 'value']), message: `secret ${name} of "${action.name}" holds a literal value (not printed)`, hint: `replace the value with a placeholder such as '##${placeholderName(name)}##' and set that variable where you deploy` };
        }
      }
    },
  }),
  listLimitRule('secrets-too-many', 'secrets', MAX_SECRETS, 'combine secrets, or move configuration elsewhere'),
];
