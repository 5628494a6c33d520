/**
 * How one of the project's TypeScript scripts runs as a child process: Node with tsx's loader, which is what
 * the `tsx` command starts too, without the supervising process it puts in front (a third of a second
 * less per run, which the tests and the bench pay hundreds of times).
 */
import * as path from 'node:path';

export const TSX_LOADER = require.resolve('tsx');

/** The command and arguments that run `file` (a path, or a path under scripts/) with `args`. */
export function scriptCommand(file: string, args: readonly string[] = []): [string, string[]] {
  const script = path.isAbsolute(file) ? file : path.join(__dirname, '..', file);
  return [process.execPath, ['--import', TSX_LOADER, script, ...args]];
}
