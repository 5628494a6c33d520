/**
 * Loads an Action's code the way the Actions runtime does: a CommonJS module in an isolated context
 * whose globals are what Node 22 offers an Action (timers, URL, Buffer, TextEncoder, fetch, web crypto,
 * structuredClone, …), whose `require` gives Node's built-in modules and the Action's declared
 * dependencies (as stand-ins: nothing is installed here), and whose `console` is captured per execution.
 */
import { builtinModules, createRequire } from 'node:module';
import * as path from 'node:path';
import { format } from 'node:util';
import * as vm from 'node:vm';

export interface SandboxOptions {
  filename: string;
  /** npm dependencies the Action declares; each is a stand-in that accepts any use. */
  stubbedDependencies?: readonly string[];
  /** A fixed clock for tests: `Date.now()` and `new Date()` give this time (ms since the epoch). */
  fixedTime?: number;
}

export interface SandboxedModule {
  exports: Record<string, unknown>;
  /** Runs `fn` with this module's console output collected, one string per call. */
  withLogs<T>(fn: () => Promise<T>): Promise<{ result: T; logs: string[] }>;
}

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
// Any absolute path serves: only built-in modules are required through it.
const nodeRequire = createRequire(path.resolve('actions-sandbox.js'));

/** A value that can be called, constructed and read at any depth, standing in for a declared dependency. */
export function standIn(): unknown {
  const target = function standInModule() {};
  const proxy: unknown = new Proxy(target, {
    get: (_target, key) => (key === Symbol.toPrimitive ? () => '' : key === 'then' ? undefined : proxy),
    apply: () => proxy,
    construct: () => proxy as object,
  });
  return proxy;
}

function packageName(id: string): string {
  return id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : (id.split('/')[0] ?? id);
}

function frozenDate(time: number): DateConstructor {
  const RealDate = Date;
  class FixedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(time);
      else super(...(args as [string]));
    }
    static override now(): number {
      return time;
    }
  }
  return FixedDate as unknown as DateConstructor;
}

export function loadInSandbox(code: string, options: SandboxOptions): SandboxedModule {
  const stubbed = new Set(options.stubbedDependencies ?? []);
  let sink: string[] | null = null;
  const write = (...args: unknown[]) => {
    sink?.push(format(...args));
  };
  const sandboxConsole = { log: write, info: write, warn: write, error: write, debug: write, trace: write };
  const module = { exports: {} as Record<string, unknown> };
  const sandboxRequire = (id: string): unknown => {
    if (BUILTINS.has(id)) return nodeRequire(id);
    if (stubbed.has(packageName(id))) return standIn();
    throw new Error(`Cannot find module '${id}'`);
  };
  const globals: Record<string, unknown> = {
    console: sandboxConsole,
    setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, queueMicrotask,
    URL, URLSearchParams, Buffer, TextEncoder, TextDecoder, AbortController, AbortSignal, Event, EventTarget,
    structuredClone, atob, btoa, fetch, Headers, Request, Response, FormData, Blob, crypto: globalThis.crypto, performance,
    process: { env: {}, version: process.version, versions: process.versions, platform: process.platform, nextTick: process.nextTick },
  };
  if (options.fixedTime !== undefined) globals.Date = frozenDate(options.fixedTime);
  const context = vm.createContext(globals, { name: options.filename, codeGeneration: { strings: true, wasm: false } });
  const wrapper = vm.runInContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, context, { filename: options.filename }) as (...args: unknown[]) => void;
  wrapper(module.exports, sandboxRequire, module, options.filename, '/');
  return {
    exports: module.exports,
    async withLogs(fn) {
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
