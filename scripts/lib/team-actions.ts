/**
 * Every Action tenant.yaml lists — the two this project ships and a team's own — with where its code comes
 * from: a shipped entry (`build/actions/post-login.js` from `actions/post-login.ts`), a team's source that
 * `npm run build` compiles (`build/actions/NAME.js` from `actions/NAME.ts` or `.js` beside tenant.yaml), or
 * a JavaScript file a0deploy sends as it is (`./actions/NAME.js`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SourceMap } from 'node:module';
import * as esbuild from 'esbuild';
import type { DeclaredDependency } from '@auth0-root-attributes/actions-runtime';
import { ACTION_ENTRIES, BUNDLE_DIR, TRIGGER_HANDLERS, type ActionEntry } from './action-entries';
import { ProjectError, type Location } from './errors';
import { isRecord } from './tenant-model';
import type { TenantFile } from './tenant-yaml';

export type ActionOrigin =
  | { kind: 'shipped'; entry: ActionEntry }
  | { kind: 'built'; source: string }
  | { kind: 'as-is'; source: string };

export interface TenantAction {
  name: string;
  /** The first trigger it supports (`post-login`, …). */
  trigger: string;
  /** The file a0deploy deploys, absolute. */
  codeFile: string;
  origin: ActionOrigin;
  dependencies: DeclaredDependency[];
  secretNames: string[];
}

const SOURCE_EXTENSIONS = ['.ts', '.js', '.mts', '.mjs', '.cts', '.cjs'];

/** Where an action's code comes from, by its tenant.yaml code path. */
function originOf(tenantDir: string, codeFile: string): ActionOrigin {
  const relative = path.relative(path.join(tenantDir, BUNDLE_DIR), codeFile);
  if (relative.startsWith('..') || path.isAbsolute(relative) || relative.includes(path.sep)) return { kind: 'as-is', source: codeFile };
  const bundle = relative.replace(/\.js$/, '');
  const entry = ACTION_ENTRIES.find((candidate) => candidate.bundle === bundle);
  if (entry) return { kind: 'shipped', entry };
  const base = path.join(tenantDir, 'actions', bundle);
  const source = SOURCE_EXTENSIONS.map((extension) => `${base}${extension}`).find((file) => existsSync(file));
  return { kind: 'built', source: source ?? `${base}.ts` };
}

export function tenantActions(tenant: TenantFile): TenantAction[] {
  const data = isRecord(tenant.data) ? tenant.data : {};
  const listed = Array.isArray(data.actions) ? data.actions.filter(isRecord) : [];
  return listed
    .filter((action) => typeof action.name === 'string' && typeof action.code === 'string')
    .map((action) => {
      const codeFile = path.resolve(tenant.dir, String(action.code).replace(/\\/g, '/'));
      const triggers = Array.isArray(action.supported_triggers) ? action.supported_triggers.filter(isRecord) : [];
      return {
        name: String(action.name),
        trigger: String(triggers[0]?.id ?? ''),
        codeFile,
        origin: originOf(tenant.dir, codeFile),
        dependencies: (Array.isArray(action.dependencies) ? action.dependencies : []).filter(isRecord).map((dependency) => ({ name: String(dependency.name), version: String(dependency.version) })),
        secretNames: (Array.isArray(action.secrets) ? action.secrets : []).filter(isRecord).map((secret) => String(secret.name)),
      };
    });
}

/** The names of the Actions tenant.yaml binds to a trigger, in the order they run. */
export function boundActionNames(tenant: TenantFile, trigger: string): string[] {
  const data = isRecord(tenant.data) ? tenant.data : {};
  const bindings = isRecord(data.triggers) && Array.isArray(data.triggers[trigger]) ? (data.triggers[trigger] as unknown[]) : [];
  return bindings.filter(isRecord).map((binding) => String(binding.action_name));
}

/** A team's Action built as `npm run build` builds it: one CommonJS file, its declared packages left to `require`. */
export interface CompiledAction {
  code: string;
  /** The source map (JSON) when asked for. */
  map?: string;
}

export async function compileAction(source: string, dependencies: readonly DeclaredDependency[], options: { outfile: string; write: boolean; sourcemap: boolean }): Promise<CompiledAction> {
  try {
    const result = await esbuild.build({
      entryPoints: [source],
      outfile: options.outfile,
      write: false,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: dependencies.flatMap((dependency) => [dependency.name, `${dependency.name}/*`]),
      sourcemap: options.sourcemap ? 'external' : false,
      legalComments: 'none',
      logLevel: 'silent',
    });
    const files = result.outputFiles ?? [];
    const code = files.find((file) => file.path.endsWith('.js'))?.text ?? '';
    const map = files.find((file) => file.path.endsWith('.map'))?.text;
    if (options.write) {
      mkdirSync(path.dirname(options.outfile), { recursive: true });
      writeFileSync(options.outfile, code);
    }
    return { code, ...(map ? { map } : {}) };
  } catch (error) {
    throw buildFailure(source, error);
  }
}

/** esbuild's complaint as the project's error: the compiler's message at the source's line and column. */
export function buildFailure(source: string, error: unknown): ProjectError {
  const first = (error as esbuild.BuildFailure).errors?.[0];
  const location: Location | undefined = first?.location ? { file: first.location.file, line: first.location.line, col: first.location.column + 1 } : undefined;
  const others = ((error as esbuild.BuildFailure).errors?.length ?? 1) - 1;
  return new ProjectError('build-failed', `esbuild could not build ${path.relative(process.cwd(), source) || source}: ${first?.text ?? (error instanceof Error ? error.message : String(error))}${others > 0 ? ` (and ${others} more)` : ''}`, {
    ...(location ? { location } : {}),
    hint: 'fix the source there; `npm run typecheck` shows every type error',
    cause: error,
  });
}

/** The handler a trigger calls (`onExecutePostLogin`, …). */
export function handlerOf(trigger: string): string {
  return TRIGGER_HANDLERS[trigger] ?? 'onExecutePostLogin';
}

/** Maps a line and column of compiled code back to its source, through the compiler's source map. */
export function sourcePosition(map: string, mapFile: string, at: { line: number; column: number }): { file: string; line: number; column: number } | undefined {
  try {
    const entry = new SourceMap(JSON.parse(map) as ConstructorParameters<typeof SourceMap>[0]).findEntry(at.line - 1, at.column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
    const file = entry.originalSource.startsWith('file://') ? new URL(entry.originalSource).pathname : path.resolve(path.dirname(mapFile), entry.originalSource);
    return { file: path.relative(process.cwd(), file) || file, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  } catch {
    return undefined;
  }
}

/** Reads a file tenant.yaml deploys as it is. */
export function readActionCode(action: TenantAction): string {
  try {
    return readFileSync(action.codeFile, 'utf8');
  } catch (error) {
    throw new ProjectError('tenant-invalid', `cannot read ${path.relative(process.cwd(), action.codeFile)}, the code of action ${action.name}`, { hint: 'run `npm run build`, or correct the path in tenant.yaml', cause: error });
  }
}
