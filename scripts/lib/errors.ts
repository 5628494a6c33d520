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
  | 'state-unavailable'
  | 'unreachable'
  | 'untrusted-certificate'
  | 'tenant-refused'
  | 'port-in-use'
  | 'file-unreadable';

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
/** Exit codes: `interrupted` is the shell's own for a run stopped by Ctrl-C (128 + SIGINT). */
export const EXIT = { ok: 0, findings: 1, config: 2, interrupted: 130 } as const;

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);
const CERTIFICATE_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/** The error and its causes, outermost first. */
function chain(error: unknown): Array<Record<string, unknown>> {
  const links: Array<Record<string, unknown>> = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && links.length < 6) {
    links.push(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  return links;
}

/** What the tenant said in an error body (message and errorCode), never its headers. */
function tenantMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { message, errorCode, error_description: description } = parsed as Record<string, unknown>;
  const text = typeof message === 'string' ? message : typeof description === 'string' ? description : undefined;
  return text ? `${text.slice(0, 300)}${typeof errorCode === 'string' ? ` (${errorCode})` : ''}` : undefined;
}

/**
 * Ordinary failures — a tenant that cannot be reached, a certificate not trusted, a refusal by the tenant,
 * a busy port, a cut-off gzip file — as one line with what to do; anything else as it is.
 */
export function explain(error: unknown): ProjectError | undefined {
  if (error instanceof ProjectError) return error;
  // The local tenant's StateError (its state folder owned by another process, or damaged) carries this code.
  if (error instanceof Error && (error as { code?: unknown }).code === 'state-unavailable') {
    const { hint } = error as { hint?: unknown };
    return new ProjectError('state-unavailable', error.message, { ...(typeof hint === 'string' ? { hint } : {}), cause: error });
  }
  const links = chain(error);
  const code = links.map((link) => link.code).find((value): value is string => typeof value === 'string' && (NETWORK_CODES.has(value) || CERTIFICATE_CODES.has(value) || value === 'EADDRINUSE' || value.startsWith('Z_')));
  const host = links.map((link) => link.hostname ?? link.host ?? link.address).find((value): value is string => typeof value === 'string');
  if (code && CERTIFICATE_CODES.has(code)) {
    return new ProjectError('untrusted-certificate', `the tenant's certificate is not trusted (${code})`, {
      hint: 'set NODE_EXTRA_CA_CERTS to the CA that signed it — for the local tenant, its ca.pem (npm run tenant prints the path)',
    });
  }
  if (code === 'EADDRINUSE') {
    const port = links.map((link) => link.port).find((value) => typeof value === 'number');
    return new ProjectError('port-in-use', `${port === undefined ? 'the port' : `port ${String(port)}`} is in use by another program`, { hint: 'stop what listens there, or pass another --port (0 picks a free one)' });
  }
  if (code && NETWORK_CODES.has(code)) {
    return new ProjectError('unreachable', `cannot reach the tenant${host ? ` at ${host}` : ''} (${code})`, {
      hint: 'check the domain (AUTH0_DOMAIN, or the environment file\'s domain) and the network; for the local tenant, run npm run tenant or drop the variables',
    });
  }
  if (code?.startsWith('Z_')) return new ProjectError('file-unreadable', `a gzip file ended before its end or is damaged (${code})`, { hint: 'export it again, or give the file uncompressed' });
  const refusal = links.find((link) => typeof link.statusCode === 'number' && 'body' in link);
  if (refusal) {
    const said = tenantMessage(refusal.body);
    return new ProjectError('tenant-refused', `the tenant answered ${String(refusal.statusCode)}${said ? `: ${said}` : ''}`, {
      hint: refusal.statusCode === 401 || refusal.statusCode === 403 ? "check the deploy client's credentials and its Management API scopes (README: \"Setting up a fork\")" : 'nothing more was sent',
    });
  }
  return undefined;
}

/** The output format a command was asked for: machine output on failure follows it. */
function requestedFormat(argv: readonly string[]): 'json' | 'markdown' | 'text' {
  const flags = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  if (flags.includes('--json')) return 'json';
  if (flags.includes('--markdown')) return 'markdown';
  return 'text';
}

/**
 * A failure in the format the command was asked for, for stdout: with --json `{ ok: false, error }` a script
 * can parse, with --markdown a section a CI job summary shows. Text output keeps stdout empty (the failure
 * is on stderr).
 */
export function formatFailure(error: ProjectError | undefined, format: 'json' | 'markdown' | 'text'): string | undefined {
  const code = error?.code ?? 'internal';
  const message = error?.message ?? 'the command failed unexpectedly (the details are on stderr)';
  if (format === 'json') {
    return JSON.stringify({ ok: false, error: { code, message, ...(error?.hint ? { hint: error.hint } : {}), ...(error?.location ? { location: error.location } : {}) } }, null, 2);
  }
  if (format === 'markdown') {
    const where = error?.location ? `\`${error.location.file}:${error.location.line}:${error.location.col}\` ` : '';
    return [`### Failed: ${code}`, '', `${where}${message}`, ...(error?.hint ? ['', `**Hint:** ${error.hint}`] : [])].join('\n');
  }
  return undefined;
}

/** Runs a command's main function and turns what it throws into output and an exit code. */
export async function runCommand(main: () => Promise<number>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    const explained = explain(error);
    if (explained) {
      console.error(`error ${explained.code}: ${explained.format()}`);
      process.exitCode = explained.code === 'build-failed' || explained.code === 'bundle-invalid' || explained.code === 'refused' ? EXIT.findings : EXIT.config;
    } else {
      console.error(error);
      process.exitCode = EXIT.config;
    }
    const machine = formatFailure(explained, requestedFormat(argv));
    if (machine !== undefined) console.log(machine);
  }
}
