/**
 * The scripts' one error type: a closed set of codes, a location where one is known, a hint how to
 * fix it, and the cause. Only each command's entry point turns these into output and an exit code.
 */
export type ErrorCode =
  | 'usage'
  | 'tenant-unreadable'
  | 'tenant-invalid'
  | 'policy-invalid'
  | 'policy-unreadable'
  | 'refused'
  | 'build-failed'
  | 'bundle-invalid'
  | 'state-unavailable';

export interface Location {
  file: string;
  line: number;
  col: number;
}

export class ProjectError extends Error {
  readonly code: ErrorCode;
  readonly location: Location | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { location?: Location; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ProjectError';
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }

  /** `file:line:col message (hint)`, the form every command prints. */
  format(): string {
    const where = this.location ? `${this.location.file}:${this.location.line}:${this.location.col} ` : '';
    return `${where}${this.message}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

/** Exit codes shared by every command: 0 fine, 1 findings or failed checks, 2 usage or configuration error. */
export const EXIT = { ok: 0, findings: 1, config: 2 } as const;

/** Runs a command's main function and turns what it throws into output and an exit code. */
export async function runCommand(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (error instanceof ProjectError) {
      console.error(`error ${error.code}: ${error.format()}`);
      process.exitCode = error.code === 'build-failed' || error.code === 'bundle-invalid' || error.code === 'refused' ? EXIT.findings : EXIT.config;
    } else {
      console.error(error);
      process.exitCode = EXIT.config;
    }
  }
}
