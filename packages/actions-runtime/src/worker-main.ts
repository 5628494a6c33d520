/**
 * A runtime worker: a child process that runs one flow at a time and answers with its result. It starts
 * with an empty environment, a working folder of its own and Node's permission model (reads of this
 * file and the dependency cache only; no child processes, workers or native addons), and locks down
 * what an Action that escapes its context could reach of this process before any Action loads.
 * Bundled by esbuild at start (runtime.ts).
 */
import { runFlow, type FlowRequest } from './flow';

interface RunMessage {
  type: 'run';
  token: string;
  request: FlowRequest;
}

const dependencyCache = process.argv[2] ?? '';
const send = process.send?.bind(process);

function refuse(what: string) {
  return () => {
    throw new Error(`${what} is not available to Actions`);
  };
}

/** What an Action must not reach even through the host process object, and host globals it must not patch. */
function lockDown(): void {
  // The Web and Node globals every Action's context is given are this process's: freeze them so that a
  // patch by one Action cannot change what another one computes.
  const shared: unknown[] = [
    URL, URLSearchParams, Buffer, TextEncoder, TextDecoder, AbortController, AbortSignal, Event, EventTarget,
    Headers, Request, Response, FormData, Blob, globalThis.crypto, globalThis.crypto.subtle,
    Object.getPrototypeOf(Uint8Array), Uint8Array,
  ];
  for (const value of shared) {
    if (typeof value === 'function') Object.freeze((value as { prototype?: object }).prototype);
    Object.freeze(value);
  }
  // After the globals above loaded (undici's, on first use, patches `process` itself).
  for (const name of ['kill', '_kill', 'dlopen', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups', 'send', 'disconnect', '_debugProcess', '_debugEnd']) {
    Object.defineProperty(process, name, { value: refuse(`process.${name}`), writable: false, configurable: false, enumerable: false });
  }
}

lockDown();

process.on('message', (message: RunMessage) => {
  if (message?.type !== 'run') return;
  const { token } = message;
  void runFlow(message.request, {
    dependencyCache,
    onAction: (name) => send?.({ type: 'action', token, name }),
  }).then(
    (result) => send?.({ type: 'result', token, result }),
    (error: unknown) => send?.({ type: 'result', token, error: error instanceof Error ? error.message : String(error) }),
  );
});

// An Action's callback that throws after its handler returned: the flow that is running fails.
process.on('uncaughtException', (error) => {
  send?.({ type: 'crashed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, () => process.exit(1));
});
process.on('unhandledRejection', () => undefined);
process.on('disconnect', () => process.exit(0));
