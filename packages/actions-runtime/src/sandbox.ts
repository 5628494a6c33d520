/**
 * Loads an Action's code the way the Actions runtime does: a CommonJS module in an isolated context
 * whose globals are what Node 22 offers an Action (timers, URL, Buffer, TextEncoder, fetch, web crypto,
 * structuredClone, …), whose `require` gives Node's built-in modules (read-only to the Action) and the
 * Action's declared dependencies as installed in the cache (dependencies.ts), and whose `console` is
 * captured per execution up to Auth0's limit.
 */
import { builtinModules, createRequire } from 'node:module';
import * as path from 'node:path';
import { format } from 'node:util';
import * as vm from 'node:vm';
import type { ResolvedDependency } from './dependencies';

export interface SandboxOptions {
  filename: string;
  /** npm dependencies the Action declares, installed: `require` finds them and nothing else. */
  dependencies?: readonly ResolvedDependency[];
  /** A fixed clock for tests: `Date.now()` and `new Date()` give this time (ms since the epoch). */
  fixedTime?: number;
}

export interface SandboxedModule {
  exports: Record<string, unknown>;
  /**
   * The Action's own realm: its TypeError (what the api throws, so `instanceof` works in the Action) and a
   * copy of a JSON value made of the realm's objects (the event, as Auth0 hands it over).
   */
  realm: { TypeError: TypeErrorConstructor; adopt<T>(value: T): T };
  /** Runs `fn` with this module's console output collected, one string per call. */
  withLogs<T>(fn: () => Promise<T>): Promise<{ result: T; logs: string[] }>;
}

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
// Any absolute path serves: only built-in modules are required through it.
const nodeRequire = createRequire(path.resolve('actions-sandbox.js'));

/** Console output one execution may keep (Auth0's real-time logs stop there too). */
export const LOG_LIMIT_BYTES = 256 * 1024;
export const LOG_TRUNCATED = `[log output truncated: one execution may log ${LOG_LIMIT_BYTES / 1024} KB]`;

const readOnly = new WeakMap<object, object>();

/** A built-in module as an Action sees it: usable, but an Action cannot replace what other code relies on. */
function readOnlyModule<T>(module: T): T {
  if ((typeof module !== 'object' && typeof module !== 'function') || module === null) return module;
  let view = readOnly.get(module);
  if (!view) {
    const refuse = () => {
      throw new TypeError('Cannot change a Node.js built-in module from an Action');
    };
    view = new Proxy(module, { set: refuse, defineProperty: refuse, deleteProperty: refuse, setPrototypeOf: refuse });
    readOnly.set(module, view);
  }
  return view as T;
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

/** What the code is wrapped in, as Node wraps a CommonJS module; on the code's first line, columns shift by its length. */
const MODULE_WRAPPER = '(function (exports, require, module, __filename, __dirname) {';

/**
 * Where in the loaded code an error was thrown: the first frame of its stack in `filename`, as 1-based line
 * and column of the code itself (the module wrapper taken out).
 */
export function thrownAt(error: unknown, filename: string): { line: number; column: number } | undefined {
  const stack = typeof error === 'object' && error !== null ? (error as { stack?: unknown }).stack : undefined;
  if (typeof stack !== 'string') return undefined;
  const escaped = filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  if (!frame) return undefined;
  const line = Number(frame[1]);
  const column = Number(frame[2]);
  return { line, column: line === 1 ? Math.max(1, column - MODULE_WRAPPER.length) : column };
}

export function loadInSandbox(code: string, options: SandboxOptions): SandboxedModule {
  const declared = new Map((options.dependencies ?? []).map((dependency) => [dependency.name, dependency]));
  let sink: { lines: string[]; bytes: number } | null = null;
  const write = (...args: unknown[]) => {
    if (!sink || sink.bytes > LOG_LIMIT_BYTES) return;
    const line = format(...args);
    sink.bytes += Buffer.byteLength(line) + 1;
    sink.lines.push(sink.bytes > LOG_LIMIT_BYTES ? LOG_TRUNCATED : line);
  };
  const sandboxConsole = { log: write, info: write, warn: write, error: write, debug: write, trace: write };
  const module = { exports: {} as Record<string, unknown> };
  const sandboxRequire = (id: string): unknown => {
    if (typeof id !== 'string') throw new TypeError('The "id" argument must be of type string');
    if (BUILTINS.has(id)) return readOnlyModule(nodeRequire(id));
    const dependency = declared.get(packageName(id));
    if (!dependency) throw new Error(`Cannot find module '${id}'`);
    return createRequire(path.join(dependency.dir, 'package.json'))(id);
  };
  const globals: Record<string, unknown> = {
    console: sandboxConsole,
    setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, queueMicrotask,
    URL, URLSearchParams, Buffer, TextEncoder, TextDecoder, AbortController, AbortSignal, Event, EventTarget,
    structuredClone, atob, btoa, fetch, Headers, Request, Response, FormData, Blob, crypto: globalThis.crypto,
    performance: Object.freeze({ now: () => performance.now(), timeOrigin: performance.timeOrigin }),
    process: { env: {}, version: process.version, versions: process.versions, platform: process.platform, nextTick: process.nextTick },
  };
  if (options.fixedTime !== undefined) globals.Date = frozenDate(options.fixedTime);
  const context = vm.createContext(globals, { name: options.filename, codeGeneration: { strings: true, wasm: false } });
  const wrapper = vm.runInContext(`${MODULE_WRAPPER}${code}\n})`, context, { filename: options.filename }) as (...args: unknown[]) => void;
  wrapper(module.exports, sandboxRequire, module, options.filename, '/');
  const parse = vm.runInContext('JSON.parse', context) as (text: string) => unknown;
  return {
    exports: module.exports,
    realm: { TypeError: vm.runInContext('TypeError', context) as TypeErrorConstructor, adopt: (value) => parse(JSON.stringify(value)) as typeof value },
    async withLogs(fn) {
      const logs = { lines: [] as string[], bytes: 0 };
      const previous = sink;
      sink = logs;
      try {
        return { result: await fn(), logs: logs.lines };
      } finally {
        sink = previous;
      }
    },
  };
}
