/**
 * Loads a built Action bundle the way the Actions runtime does: as a CommonJS module whose `require`
 * offers Node's built-in modules and nothing else, with `console` captured per execution.
 */
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import * as path from 'node:path';
import { format } from 'node:util';

export interface LoadedAction {
  file: string;
  exports: Record<string, unknown>;
  /** Runs `fn` and returns what the bundle printed on `console` meanwhile, one string per call. */
  captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T; logs: string[] }>;
}

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

export interface LoadOptions {
  /**
   * npm dependencies the Action declares in tenant.yaml. Auth0 installs them; here each is a stand-in that
   * accepts any use, so a bundle that requires one can be loaded to inspect its exports.
   */
  stubbedDependencies?: readonly string[];
}

/** A value that can be called, constructed and read at any depth, standing in for a declared dependency. */
function standIn(): unknown {
  const target = function standInModule() {};
  const proxy: unknown = new Proxy(target, {
    get: (_target, key) => (key === Symbol.toPrimitive ? () => '' : key === 'then' ? undefined : proxy),
    apply: () => proxy,
    construct: () => proxy as object,
  });
  return proxy;
}

export function loadAction(file: string, options: LoadOptions = {}): LoadedAction {
  const absolute = path.resolve(file);
  const code = readFileSync(absolute, 'utf8');
  const nodeRequire = createRequire(absolute);
  const stubbed = new Set(options.stubbedDependencies ?? []);
  const restrictedRequire = (id: string): unknown => {
    if (BUILTINS.has(id)) return nodeRequire(id);
    const packageName = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : (id.split('/')[0] ?? id);
    if (stubbed.has(packageName)) return standIn();
    throw new Error(`Cannot find module '${id}': only Node built-ins and declared dependencies are available to this Action`);
  };
  let sink: string[] | null = null;
  const write = (...args: unknown[]) => {
    sink?.push(format(...args));
  };
  const actionConsole = { log: write, info: write, warn: write, error: write, debug: write };
  const module = { exports: {} as Record<string, unknown> };
  // The Function constructor of the caller's realm: the bundle shares the caller's globals (Date, URL…),
  // so a test's frozen clock reaches it too. sourceURL keeps the file name in stack traces.
  const wrapper = new Function(
    'exports', 'require', 'module', '__filename', '__dirname', 'console',
    `${code}\n//# sourceURL=${absolute}`,
  ) as (...args: unknown[]) => void;
  wrapper(module.exports, restrictedRequire, module, absolute, path.dirname(absolute), actionConsole);

  return {
    file: absolute,
    exports: module.exports,
    async captureLogs(fn) {
      const logs: string[] = [];
      const previous = sink;
      sink = logs;
      try {
        return { result: await fn(), logs };
      } finally {
        sink = previous;
      }
    },
  };
}
