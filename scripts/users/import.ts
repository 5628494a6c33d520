/**
 * `users import FILE --connection NAME [--dry-run]`: a bulk import that the policy allows. Every record is
 * checked against Auth0's bulk-import schema and the value rules, and every error is listed with its
 * record index before anything is sent; each user gets the provenance stamp `import`; the users go in
 * jobs under Auth0's 500 KB file limit, each awaited and reported.
 */
import { readFileSync } from 'node:fs';
import { ROOT_ATTRIBUTES, type RootAttribute } from '../../actions/lib/attributes';
import { reconcile } from '../../actions/post-login/reconcile';
import { emailOf, trackedValues, valueViolations } from '../../actions/lib/violations';
import { EXIT, ProjectError } from '../lib/errors';
import type { Project } from '../lib/project';
import type { Target } from '../lib/target';
import { isRecord } from '../lib/tenant-model';
import { isEmailAddress } from '@auth0-root-attributes/local-tenant';

/** Auth0's bulk-import schema: its properties (`additionalProperties: false`), and the app_metadata keys it reserves. */
export const IMPORT_FIELDS = ['email', 'email_verified', 'user_id', 'username', 'given_name', 'family_name', 'name', 'nickname', 'picture', 'blocked', 'password_hash', 'custom_password_hash', 'app_metadata', 'user_metadata', 'mfa_factors', 'phone_number', 'phone_verified'];
export const RESERVED_APP_METADATA = ['__tenant', '_id', 'blocked', 'clientID', 'created_at', 'email_verified', 'email', 'globalClientID', 'global_client_id', 'identities', 'lastIP', 'lastLogin', 'loginsCount', 'metadata', 'multifactor_last_modified', 'multifactor', 'updated_at', 'user_id'];
/** Auth0's file limit per import job, less room for the multipart envelope. */
export const JOB_LIMIT_BYTES = 500 * 1024 - 4 * 1024;

export interface ImportError {
  index: number;
  message: string;
}

const LENGTHS: Record<string, [number, number]> = { given_name: [1, 150], family_name: [1, 150], name: [1, 150], nickname: [1, 350], username: [1, 128] };

function recordErrors(project: Project, connectionName: string, record: unknown, index: number): ImportError[] {
  if (!isRecord(record)) return [{ index, message: 'must be an object' }];
  const errors: ImportError[] = [];
  const add = (message: string) => errors.push({ index, message });
  for (const key of Object.keys(record)) if (!IMPORT_FIELDS.includes(key)) add(`"${key}" is not a field of Auth0's bulk-import schema`);
  const email = record.email;
  if (typeof email !== 'string') add('email is required');
  else if (!isEmailAddress(email)) add('email is not a valid e-mail address (at most 64 characters before the @, 254 in all)');
  for (const [field, [min, max]] of Object.entries(LENGTHS)) {
    const value = record[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') add(`${field} must be a string`);
    else if ([...value].length < min || [...value].length > max) add(`${field} must be ${min}–${max} characters`);
  }
  for (const field of ['email_verified', 'blocked', 'phone_verified']) if (record[field] !== undefined && typeof record[field] !== 'boolean') add(`${field} must be true or false`);
  for (const field of ['app_metadata', 'user_metadata']) if (record[field] !== undefined && !isRecord(record[field])) add(`${field} must be an object`);
  if (isRecord(record.app_metadata)) {
    for (const key of Object.keys(record.app_metadata)) {
      if (RESERVED_APP_METADATA.includes(key)) add(`app_metadata.${key} is reserved by Auth0`);
      if (key === project.policy.metadataKey) add(`app_metadata.${key} is written by this command (the provenance stamp)`);
    }
  }
  const values = trackedValues(record);
  for (const problem of valueViolations(project.compiled, values, emailOf(record))) add(`${problem.code}: ${problem.message}`);
  const connection = project.compiled.connection(connectionName);
  if (typeof connection === 'object') {
    for (const attribute of ROOT_ATTRIBUTES) {
      if (values[attribute] !== undefined && !connection.attributes[attribute].sources.has('import')) add(`${attribute}.source-not-allowed: the policy does not allow import as the source of ${attribute} on "${connectionName}"`);
    }
  }
  return errors;
}

/** The users with their provenance stamp `import`, split into jobs under the file limit. */
export function stampAndSplit(project: Project, connectionName: string, records: Array<Record<string, unknown>>, now = new Date().toISOString()): Array<Array<Record<string, unknown>>> {
  const connection = project.compiled.connection(connectionName);
  if (typeof connection !== 'object') throw new ProjectError('usage', `the policy does not manage connection "${connectionName}"`);
  const jobs: Array<Array<Record<string, unknown>>> = [];
  let current: Array<Record<string, unknown>> = [];
  let size = 2;
  for (const record of records) {
    const values = trackedValues(record);
    const forced = Object.fromEntries((Object.keys(values) as RootAttribute[]).map((attribute) => [attribute, 'import' as const]));
    const stamp = reconcile({ compiled: project.compiled, connection, stored: undefined, values, email: emailOf(record), firstLogin: false, now: () => now, forcedSources: forced }).record;
    const user = { ...record, app_metadata: { ...(isRecord(record.app_metadata) ? record.app_metadata : {}), [project.policy.metadataKey]: stamp } };
    const bytes = Buffer.byteLength(JSON.stringify(user)) + 1;
    if (bytes + 2 > JOB_LIMIT_BYTES) throw new ProjectError('usage', `a single user is over ${JOB_LIMIT_BYTES} bytes`);
    if (size + bytes > JOB_LIMIT_BYTES && current.length > 0) {
      jobs.push(current);
      current = [];
      size = 2;
    }
    current.push(user);
    size += bytes;
  }
  if (current.length > 0) jobs.push(current);
  return jobs;
}

export interface ImportRequest {
  file: string;
  connection: string;
  dryRun: boolean;
  /** Update users the connection already has (Auth0's `upsert`); true unless --no-upsert. */
  upsert: boolean;
}

/**
 * Where a file is not JSON, as line and column — never the parser's message, which quotes the file (and so
 * the users' values).
 */
function jsonProblem(error: unknown, text: string): string {
  if (!(error instanceof SyntaxError)) return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'the file cannot be read';
  const position = /at position (\d+)/.exec(error.message)?.[1];
  if (position === undefined) return text.trim() === '' ? 'the file is empty' : 'the file ends before the JSON does';
  const before = text.slice(0, Number(position)).split('\n');
  return `not valid JSON at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** What the import does to users the connection already has, said before anything is sent. */
function upsertNote(upsert: boolean): string {
  return upsert ? 'updating users the connection already has (upsert; --no-upsert leaves them as they are)' : 'leaving users the connection already has as they are (--no-upsert: such records fail)';
}

export async function importUsers(project: Project, openTarget: () => Promise<Target>, request: ImportRequest, say: (line: string) => void): Promise<number> {
  const entry = project.table[request.connection];
  if (!entry) throw new ProjectError('usage', `tenant.yaml has no connection "${request.connection}"`, { hint: `one of ${Object.keys(project.table).join(', ')}` });
  if (entry.kind !== 'database' && entry.kind !== 'custom-db-import') {
    throw new ProjectError('refused', `imports cannot target "${request.connection}" (${entry.kind}); Auth0 imports only into database connections (the Auth0 store, or a custom database with import mode)`);
  }
  let records: unknown;
  let text = '';
  try {
    text = readFileSync(request.file, 'utf8');
    records = JSON.parse(text);
  } catch (error) {
    throw new ProjectError('usage', `cannot read ${request.file} as JSON: ${jsonProblem(error, text)}`, { hint: 'a JSON array of users, as Auth0\'s bulk import takes' });
  }
  if (!Array.isArray(records)) throw new ProjectError('usage', `${request.file} must hold a JSON array of users`);
  const errors = records.flatMap((record, index) => recordErrors(project, request.connection, record, index));
  if (errors.length > 0) {
    // Records are numbered from 1, as a person counts them in the file.
    for (const error of errors) say(`record ${error.index + 1}: ${error.message}`);
    say(`${errors.length} error${errors.length === 1 ? '' : 's'} in ${new Set(errors.map((e) => e.index)).size} of ${records.length} records; nothing was sent`);
    return EXIT.findings;
  }
  const jobs = stampAndSplit(project, request.connection, records as Array<Record<string, unknown>>);
  if (request.dryRun) {
    say(`dry run: ${records.length} users pass the checks; they would go in ${jobs.length} job${jobs.length === 1 ? '' : 's'} to "${request.connection}" with provenance import, ${upsertNote(request.upsert)}; nothing was sent`);
    return EXIT.ok;
  }
  const target = await openTarget();
  try {
    const connections = await target.management.connections.list({ name: request.connection, take: 1 });
    const connectionId = connections.data[0]?.id;
    if (!connectionId) throw new ProjectError('usage', `the tenant has no connection "${request.connection}"; deploy tenant.yaml first`);
    let failed = 0;
    say(`importing ${records.length} users into "${request.connection}" with provenance import, ${upsertNote(request.upsert)}`);
    for (const [index, users] of jobs.entries()) {
      const file = new File([JSON.stringify(users)], `users-${index + 1}.json`, { type: 'application/json' });
      const created = await target.management.jobs.usersImports.create({ users: file, connection_id: connectionId, upsert: request.upsert, send_completion_email: false });
      const job = await waitForJob(target, created.id ?? '');
      const summary = (job as { summary?: { inserted?: number; updated?: number; failed?: number; total?: number } }).summary ?? {};
      failed += summary.failed ?? 0;
      say(`job ${index + 1}/${jobs.length} (${created.id ?? '?'}): ${String(job.status)}: ${summary.inserted ?? 0} inserted, ${summary.updated ?? 0} updated, ${summary.failed ?? 0} failed of ${summary.total ?? users.length}`);
    }
    return failed > 0 || jobs.length === 0 ? EXIT.findings : EXIT.ok;
  } finally {
    await target.close();
  }
}

async function waitForJob(target: Target, id: string, timeoutMs = 600_000) {
  const started = Date.now();
  for (;;) {
    const job = await target.management.jobs.get(id);
    if (job.status === 'completed' || job.status === 'failed') return job;
    if (Date.now() - started > timeoutMs) throw new ProjectError('usage', `job ${id} did not finish within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
