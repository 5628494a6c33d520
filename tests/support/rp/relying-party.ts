/** The test's handle on a relying party running in a child process (openid-client-rp.ts). */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export interface RpError {
  name?: string;
  message?: string;
  code?: string;
  error?: string;
  error_description?: string;
}

export class RelyingPartyError extends Error {
  constructor(readonly details: RpError) {
    super(details.message ?? details.error ?? 'relying party call failed');
  }
}

export interface RelyingParty {
  call<T = Record<string, unknown>>(call: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

export async function startRelyingParty(script: string, caPath: string): Promise<RelyingParty> {
  const child: ChildProcess = fork(path.join(__dirname, script), [], {
    execArgv: ['--import', require.resolve('tsx'), '--no-warnings'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let next = 1;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the relying party exited (${code ?? 'signal'})`)));
    child.on('message', (message: { id: number; result?: unknown; error?: RpError }) => {
      if (message.id === 0) {
        resolve();
        return;
      }
      const handle = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) handle?.reject(new RelyingPartyError(message.error));
      else handle?.resolve(message.result);
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    call: <T>(call: string, args: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, call, ...args });
      }),
    close: async () => {
      child.disconnect();
      await exited;
    },
  };
}
