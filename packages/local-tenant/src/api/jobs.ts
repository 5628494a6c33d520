/**
 * Jobs: users exports (gzipped NDJSON, downloaded from the job's `location` as from Auth0's storage)
 * and users imports (a multipart upload of a JSON array, at most 500 KB, into a database connection).
 * Jobs here complete at once; clients poll `GET /api/v2/jobs/{id}` as they would on Auth0.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { badRequest, HttpError, notFound, type Route } from '../http';
import { mergeMetadata, newUser, publicUser, tenantKind } from '../login';
import type { StateStore, StoredUser } from '../state';
import { object, string } from './validate';
import { attributeOverLimit, PROVIDER_USER_ID_MAX_LENGTH, tooLong } from '../limits';
import { isEmailAddress } from '../email';

const IMPORT_LIMIT_BYTES = 500 * 1024;
/** How long a job's status and an export's file are kept (Auth0 keeps a job for a day and more). */
const JOB_LIFETIME_MS = 24 * 3_600_000;
const IMPORT_FIELDS = ['email', 'email_verified', 'user_id', 'username', 'given_name', 'family_name', 'name', 'nickname', 'picture', 'blocked', 'password_hash', 'custom_password_hash', 'app_metadata', 'user_metadata', 'mfa_factors', 'phone_number', 'phone_verified'];

interface Job {
  id: string;
  type: 'users_export' | 'users_import';
  status: 'pending' | 'processing' | 'completed' | 'failed';
  connection_id?: string;
  connection?: string;
  created_at: string;
  format?: string;
  location?: string;
  summary?: { failed: number; updated: number; inserted: number; total: number };
  errors?: Array<{ user: unknown; errors: Array<{ code: string; message: string }> }>;
}

const newJobId = () => `job_${randomBytes(8).toString('hex')}`;

/** The multipart form an import sends; the platform's own parser reads it. */
async function formOf(raw: Buffer, contentType: string): Promise<FormData> {
  try {
    return await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw badRequest('The request must be multipart/form-data with a users file and a connection_id', 'invalid_body');
  }
}

function importUser(store: StateStore, connectionName: string, record: Record<string, unknown>, upsert: boolean): 'inserted' | 'updated' | { code: string; message: string } {
  const unknown = Object.keys(record).filter((key) => !IMPORT_FIELDS.includes(key));
  if (unknown.length > 0) return { code: 'ADDITIONAL_PROPERTIES', message: `Additional properties not allowed: ${unknown.join(',')}` };
  const over = attributeOverLimit(record);
  if (over) return { code: 'MAX_LENGTH', message: over.message };
  if (!isEmailAddress(record.email)) return { code: 'INVALID_FORMAT', message: 'email is required and must be an e-mail address' };
  if (typeof record.user_id === 'string' && record.user_id.length > PROVIDER_USER_ID_MAX_LENGTH) return { code: 'MAX_LENGTH', message: tooLong('user_id', record.user_id.length, PROVIDER_USER_ID_MAX_LENGTH) };
  const email = record.email.trim().toLowerCase();
  const connection = store.state.connections.find((candidate) => candidate.name === connectionName);
  if (!connection) return { code: 'CONNECTION_NOT_FOUND', message: 'connection not found' };
  const [existing] = store.users.withEmail(email, connectionName);
  const root = Object.fromEntries(['name', 'given_name', 'family_name', 'nickname', 'picture', 'username'].filter((key) => typeof record[key] === 'string').map((key) => [key, record[key] as string]));
  const app = (typeof record.app_metadata === 'object' && record.app_metadata !== null ? record.app_metadata : {}) as Record<string, unknown>;
  const own = (typeof record.user_metadata === 'object' && record.user_metadata !== null ? record.user_metadata : {}) as Record<string, unknown>;
  if (existing) {
    if (!upsert) return { code: 'DUPLICATED_USER', message: 'The user already exists.' };
    Object.assign(existing, root);
    // "Upserts do not merge user_metadata or app_metadata": they replace them.
    if (record.app_metadata !== undefined) existing.app_metadata = { ...app };
    if (record.user_metadata !== undefined) existing.user_metadata = { ...own };
    existing.updated_at = new Date().toISOString();
    return 'updated';
  }
  const id = typeof record.user_id === 'string' ? record.user_id : randomBytes(12).toString('hex');
  // A user_id names one user: an import that repeats one (in the file, or of a user the tenant has) fails that record.
  if (store.users.get(`auth0|${id}`)) return { code: 'DUPLICATED_USER', message: 'A user with this user_id already exists.' };
  const user: StoredUser = newUser(connection, 'auth0', id, { email, email_verified: record.email_verified === true, ...root });
  user.app_metadata = mergeMetadata({}, app);
  user.user_metadata = mergeMetadata({}, own);
  store.users.add(user);
  return 'inserted';
}

export function jobRoutes(store: StateStore, domain: () => string): Route[] {
  // Jobs and export files are records that expire (records.ts): a restart keeps them, nothing piles up.
  const jobs = {
    get: (id: string) => store.records.get<Job>('job', id),
    set: (id: string, job: Job) => store.records.put('job', id, job, Date.now() + JOB_LIFETIME_MS),
  };
  const exports = {
    get: (id: string) => {
      const file = store.records.get<string>('export', id);
      return file === undefined ? undefined : Buffer.from(file, 'base64');
    },
    set: (id: string, file: Buffer) => store.records.put('export', id, file.toString('base64'), Date.now() + JOB_LIFETIME_MS),
  };

  return [
    {
      method: 'POST',
      path: '/api/v2/jobs/users-exports', scopes: ['read:users'],
      handler: ({ body }) => {
        const fields = object(body ?? {});
        const connectionId = string(fields, 'connection_id');
        const connection = connectionId === undefined ? undefined : store.state.connections.find((candidate) => candidate.id === connectionId);
        if (connectionId !== undefined && !connection) throw badRequest('The connection does not exist.', 'inexistent_connection');
        const format = string(fields, 'format') ?? 'csv';
        if (format !== 'json') throw badRequest('The local tenant exports format "json" (NDJSON) only', 'invalid_body');
        const users = connection ? store.users.ofConnection(connection.name) : store.users.all();
        const ndjson = users.map((user) => JSON.stringify(publicUser(user))).join('\n');
        const id = newJobId();
        exports.set(id, gzipSync(ndjson.length > 0 ? `${ndjson}\n` : ''));
        const job: Job = { id, type: 'users_export', status: 'completed', created_at: new Date().toISOString(), format, location: `https://${domain()}/local/exports/${id}.json.gz`, ...(connection ? { connection_id: connection.id, connection: connection.name } : {}) };
        jobs.set(id, job);
        return { status: 201, body: { ...job, status: 'pending', location: undefined } };
      },
    },
    {
      // Stands for the pre-signed storage URL an Auth0 export job gives: no token.
      method: 'GET',
      path: '/local/exports/:file',
      public: true,
      handler: ({ params }) => {
        const file = exports.get((params.file ?? '').replace(/\.json\.gz$/, ''));
        if (!file) throw notFound('No such export');
        return { status: 200, raw: file, headers: { 'content-type': 'application/gzip' } };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/jobs/users-imports', scopes: ['create:users'],
      rawBody: true,
      handler: async ({ rawBody, headers }) => {
        const form = await formOf(rawBody ?? Buffer.alloc(0), String(headers['content-type'] ?? ''));
        const connectionId = form.get('connection_id');
        const connection = store.state.connections.find((candidate) => candidate.id === connectionId);
        if (!connection) throw badRequest('The connection does not exist.', 'inexistent_connection');
        if (tenantKind(connection) !== 'database') throw badRequest('Imports go only into database connections (the Auth0 store, or a custom database with import mode).', 'operation_not_supported');
        const file = form.get('users');
        if (!file || typeof file === 'string') throw badRequest('Missing the users file', 'invalid_body');
        if (file.size > IMPORT_LIMIT_BYTES) throw new HttpError(413, `The users file is ${file.size} bytes; the limit is ${IMPORT_LIMIT_BYTES}`, 'payload_too_large');
        let records: unknown;
        try {
          records = JSON.parse(await file.text());
        } catch {
          throw badRequest('The users file is not valid JSON', 'invalid_body');
        }
        if (!Array.isArray(records)) throw badRequest('The users file must hold a JSON array of users', 'invalid_body');
        const upsert = form.get('upsert') === 'true';
        const summary = { failed: 0, updated: 0, inserted: 0, total: records.length };
        const errors: NonNullable<Job['errors']> = [];
        for (const record of records) {
          const outcome = typeof record === 'object' && record !== null && !Array.isArray(record) ? importUser(store, connection.name, record as Record<string, unknown>, upsert) : { code: 'INVALID_FORMAT', message: 'each user must be an object' };
          if (outcome === 'inserted' || outcome === 'updated') summary[outcome] += 1;
          else {
            summary.failed += 1;
            errors.push({ user: { email: (record as { email?: unknown })?.email }, errors: [outcome] });
          }
        }
        store.save();
        const id = newJobId();
        jobs.set(id, { id, type: 'users_import', status: 'completed', connection_id: connection.id, connection: connection.name, created_at: new Date().toISOString(), summary, errors });
        return { status: 202, body: { id, type: 'users_import', status: 'pending', connection_id: connection.id, connection: connection.name, created_at: new Date().toISOString() } };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/jobs/:id', scopes: ['create:users', 'read:users'],
      handler: ({ params }) => {
        const job = jobs.get(params.id ?? '');
        if (!job) throw notFound('The job does not exist.', 'inexistent_job');
        const { errors: _errors, ...rest } = job;
        return { status: 200, body: rest };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/jobs/:id/errors', scopes: ['create:users', 'read:users'],
      handler: ({ params }) => {
        const job = jobs.get(params.id ?? '');
        if (!job) throw notFound('The job does not exist.', 'inexistent_job');
        return job.errors && job.errors.length > 0 ? { status: 200, body: job.errors } : { status: 204 };
      },
    },
  ];
}
