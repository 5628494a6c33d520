/**
 * An Action's npm dependencies, as Auth0 gives them to it: installed from the npm registry when an action
 * version is built (`--ignore-scripts`, production dependencies only), into a cache with one folder per
 * name@version that every version, tenant and test run shares. The runtime resolves `require` of a
 * declared package inside that package's folder and nowhere else.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface DeclaredDependency {
  name: string;
  version: string;
}

/** A dependency the runtime can load: its installed folder (`node_modules/<name>` lives inside). */
export interface ResolvedDependency extends DeclaredDependency {
  dir: string;
}

export type InstallResult = { ok: true; dependencies: ResolvedDependency[] } | { ok: false; reason: string };

// npm's rules for a package name (lower case, optional scope, URL-safe), and the version forms Auth0 takes
// from its public registry: an exact version, a range, a dist-tag. Never a URL, path or git spec.
const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;
const VERSION_SPEC = /^[0-9A-Za-z.^~<>=*|+ -]{1,64}$/;
const MARKER = '.installed';
const INSTALL_TIMEOUT_MS = 180_000;

/** The cache folder for declared dependencies when none is given: `.local/action-dependencies` in this package's folder. */
export function defaultDependencyCache(): string {
  return path.resolve(process.env.ACTIONS_DEPENDENCY_CACHE ?? path.join(__dirname, '..', '.local', 'action-dependencies'));
}

/** Why a declared dependency cannot be installed from the public registry, or undefined when it can. */
export function dependencyProblem(dependency: DeclaredDependency): string | undefined {
  if (dependency.name.length > 214 || !PACKAGE_NAME.test(dependency.name)) return `"${dependency.name.slice(0, 80)}" is not an npm package name`;
  if (!VERSION_SPEC.test(dependency.version) || dependency.version.includes(':') || dependency.version.includes('/')) {
    return `the version of ${dependency.name} must be a version from the npm registry (for example 1.2.3)`;
  }
  return undefined;
}

/** The dependencies a stored list declares, as a0deploy sends them (`{ name, version }`). */
export function declaredDependencies(list: readonly unknown[]): DeclaredDependency[] {
  return list.flatMap((item) => {
    const { name, version } = (item ?? {}) as { name?: unknown; version?: unknown };
    return typeof name === 'string' ? [{ name, version: typeof version === 'string' && version !== '' ? version : 'latest' }] : [];
  });
}

/** The folder of one name@version in the cache. */
export function dependencyDir(cacheDir: string, dependency: DeclaredDependency): string {
  return path.join(cacheDir, `${dependency.name.replace('/', '+')}@${encodeURIComponent(dependency.version)}`);
}

export function isInstalled(cacheDir: string, dependency: DeclaredDependency): boolean {
  return existsSync(path.join(dependencyDir(cacheDir, dependency), MARKER));
}

/** The dependencies with their folders; one that is not in the cache resolves nowhere (require fails). */
export function resolveDependencies(cacheDir: string, dependencies: readonly DeclaredDependency[]): ResolvedDependency[] {
  return dependencies.map((dependency) => ({ ...dependency, dir: dependencyDir(cacheDir, dependency) }));
}

/** npm's stderr, reduced to the reason a person can act on (never the whole log). */
function reasonOf(stderr: string, dependency: DeclaredDependency): string {
  const code = /npm (?:error|ERR!) code (\S+)/.exec(stderr)?.[1];
  const spec = `${dependency.name}@${dependency.version}`;
  if (code === 'ETARGET') return `no version of ${dependency.name} matches "${dependency.version}" in the npm registry`;
  if (code === 'E404') return `${dependency.name} is not in the npm registry`;
  if (code && /^(ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ENETUNREACH)$/.test(code)) return `the npm registry could not be reached to install ${spec} (${code})`;
  const first = /npm (?:error|ERR!) (?!code)(.+)/.exec(stderr)?.[1]?.trim();
  return `npm could not install ${spec}${code ? ` (${code})` : ''}${first ? `: ${first.slice(0, 160)}` : ''}`;
}

function runNpm(cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['install', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 64_000) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stderr: `npm error code ${(error as NodeJS.ErrnoException).code ?? 'ENOENT'}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const inFlight = new Map<string, Promise<string | undefined>>();

/** Installs one name@version into the cache unless it is there; resolves to the reason it failed, if it did. */
function installOne(cacheDir: string, dependency: DeclaredDependency): Promise<string | undefined> {
  const problem = dependencyProblem(dependency);
  if (problem) return Promise.resolve(problem);
  if (isInstalled(cacheDir, dependency)) return Promise.resolve(undefined);
  const target = dependencyDir(cacheDir, dependency);
  let running = inFlight.get(target);
  if (!running) {
    running = (async () => {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      // Installed beside the cache folder, then moved in whole: a folder in the cache is always complete.
      const work = mkdtempSync(`${target}.installing-`);
      try {
        writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'action-dependency', private: true, dependencies: { [dependency.name]: dependency.version } }));
        const { code, stderr } = await runNpm(work);
        if (code !== 0) return reasonOf(stderr, dependency);
        writeFileSync(path.join(work, MARKER), `${dependency.name}@${dependency.version}\n`);
        if (isInstalled(cacheDir, dependency)) return undefined;
        rmSync(target, { recursive: true, force: true });
        renameSync(work, target);
        return undefined;
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    })().finally(() => inFlight.delete(target));
    inFlight.set(target, running);
  }
  return running;
}

/** Installs every declared dependency (those already in the cache are reused); the first failure names its reason. */
export async function installDependencies(cacheDir: string, dependencies: readonly DeclaredDependency[]): Promise<InstallResult> {
  const reasons = await Promise.all(dependencies.map((dependency) => installOne(cacheDir, dependency)));
  const reason = reasons.find((candidate) => candidate !== undefined);
  return reason === undefined ? { ok: true, dependencies: resolveDependencies(cacheDir, dependencies) } : { ok: false, reason };
}
