/**
 * How one of the project's TypeScript scripts runs as a child process, as the npm scripts run them: Node with
 * tsx's CommonJS hook (`--require tsx/cjs`; the project is CommonJS, and its ESM-only dependencies are loaded
 * with `import()`), without the supervising process the `tsx` command puts in front. tsx's ESM loader
 * (`--import tsx`) would run on a thread of its own that every module's resolution goes through: twice the
 * start-up time, which the tests and the bench pay hundreds of times.
 */
import * as path from 'node:path';

export const TSX_LOADER = require.resolve('tsx/cjs');

/** The command and arguments that run `file` (a path, or a path under scripts/) with `args`. */
export function scriptCommand(file: string, args: readonly string[] = []): [string, string[]] {
  const script = path.isAbsolute(file) ? file : path.join(__dirname, '..', file);
  return [process.execPath, ['--require', TSX_LOADER, script, ...args]];
}
