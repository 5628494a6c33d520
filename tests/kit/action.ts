/**
 * Runs any Action — a team's own, with npm dependencies and secrets — from its source file (TypeScript or
 * JavaScript) or as a bundle, through the same sandbox, `require` resolution and recording `api` as the
 * local tenant:
 *
 * ```ts
 * const action = await loadAction('bundle', { file: 'actions/team-claim.ts', trigger: 'post-login', dependencies: [{ name: 'axios', version: '1.7.9' }] });
 * const result = await action.run(postLoginEvent());
 * expect(result.idTokenClaims).toEqual({ … });
 * await action.close();
 * ```
 * `source` compiles the file in memory and runs its flows in this process; `bundle` builds it as a
 * deployable CommonJS file and runs it in the runtime's locked-down worker process, as the tenant does.
 * Declared dependencies are installed into the shared cache (`.local/action-dependencies`) first.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { defaultDependencyCache, installDependencies, type DeclaredDependency } from '../../scripts/runtime/dependencies';
import { runFlow, type FlowRequest, type FlowResult, type Trigger } from '../../scripts/runtime/flow';
import { ActionsRuntime } from '../../scripts/runtime/index';
import type { Target } from './actions';

export interface ActionSource {
  /** The Action's file: TypeScript or JavaScript, CommonJS or ES module syntax. */
  file: string;
  trigger: Trigger;
  /** The name the runtime gives it (logs, failures); the file's base name by default. */
  name?: string;
  dependencies?: DeclaredDependency[];
  secrets?: Record<string, string>;
}

export interface RunOptions {
  /** Resume at this Action's onContinuePostLogin (back from a redirect). */
  resume?: boolean;
  /** Whether the transaction may redirect (an interactive login); false by default, as for a token-endpoint grant. */
  canRedirect?: boolean;
  fixedTime?: number;
}

export interface ActionUnderTest {
  target: Target;
  run(event: object, options?: RunOptions): Promise<FlowResult>;
  close(): Promise<void>;
}

/** The file as one CommonJS module: its own imports bundled, Node built-ins and declared packages left to `require`. */
async function compile(source: ActionSource, outfile?: string): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [path.resolve(source.file)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: (source.dependencies ?? []).flatMap((dependency) => [dependency.name, `${dependency.name}/*`]),
    write: outfile !== undefined,
    ...(outfile ? { outfile } : {}),
    logLevel: 'silent',
  });
  return outfile ? readFileSync(outfile, 'utf8') : (result.outputFiles?.[0]?.text ?? '');
}

export async function loadAction(target: Target, source: ActionSource): Promise<ActionUnderTest> {
  const cache = defaultDependencyCache();
  const dependencies = source.dependencies ?? [];
  const installed = await installDependencies(cache, dependencies);
  if (!installed.ok) throw new Error(`the dependencies of ${source.file} could not be installed: ${installed.reason}`);
  const name = source.name ?? path.basename(source.file).replace(/\.[^.]+$/, '');
  const code = target === 'source' ? await compile(source) : await compile(source, path.join(mkdtempSync(path.join(tmpdir(), 'action-bundle-')), `${name}.js`));
  const action = { name, code, secrets: { ...(source.secrets ?? {}) }, dependencies };
  const runtime = target === 'bundle' ? new ActionsRuntime({ workers: 1, dependencyCache: cache }) : undefined;
  // Source runs keep each action's api.cache here, as the runtime keeps it for bundles.
  const caches: NonNullable<FlowRequest['caches']> = {};
  return {
    target,
    async run(event, options = {}) {
      const request: FlowRequest = {
        trigger: source.trigger,
        actions: [action],
        event: structuredClone(event) as Record<string, unknown>,
        canRedirect: options.canRedirect === true,
        ...(options.resume ? { resumeAt: name } : {}),
        ...(options.fixedTime !== undefined ? { fixedTime: options.fixedTime } : {}),
      };
      if (runtime) return runtime.run(request);
      const result = await runFlow({ ...request, caches }, { dependencyCache: cache });
      Object.assign(caches, result.caches);
      return result;
    },
    close: async () => runtime?.close(),
  };
}
