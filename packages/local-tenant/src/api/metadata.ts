/**
 * Metadata as Auth0 accepts it, checked at the edge before anything is stored: a JSON object whose keys
 * (at any depth) hold no `.` or `$`; app_metadata without the names Auth0 reserves; both together at most
 * 16 MB per user; and at signup, user_metadata of at most 10 string fields and 500 characters.
 * https://auth0.com/docs/manage-users/user-accounts/metadata/metadata-fields-data
 * Auth0 documents no nesting or key-count limit; the local tenant refuses values nested deeper than
 * MAX_DEPTH or with more than MAX_KEYS keys in all, which no real profile needs and which could not be
 * stored (a value too deep to serialise once left every later write failing).
 */
import { badRequest } from '../http';

export const MAX_DEPTH = 20;
export const MAX_KEYS = 10_000;
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;
const RESERVED_APP_METADATA = ['blocked', 'clientID', 'created_at', 'email', 'email_verified', 'global_client_id', 'globalClientID', 'identities', 'lastIP', 'lastLogin', 'metadata', 'user_id', 'loginsCount'];

/** Walks a value without recursion (a hostile value may be nested far deeper than the stack allows). */
function checkShape(field: string, value: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  let keys = 0;
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof current !== 'object' || current === null) continue;
    if (depth > MAX_DEPTH) throw badRequest(`Payload validation error: ${field} is nested deeper than ${MAX_DEPTH} levels`);
    const entries = Array.isArray(current) ? current.map((item) => ['', item] as const) : Object.entries(current);
    keys += entries.length;
    if (keys > MAX_KEYS) throw badRequest(`Payload validation error: ${field} has more than ${MAX_KEYS} keys`);
    for (const [key, item] of entries) {
      if (key.includes('.') || key.includes('$')) throw badRequest(`Payload validation error: ${field} keys may not contain "." or "$"`);
      stack.push({ value: item, depth: depth + 1 });
    }
  }
}

/** A metadata object of a request body, checked; undefined when the field is absent. */
export function checkedMetadata(body: Record<string, unknown>, field: 'app_metadata' | 'user_metadata'): Record<string, unknown> | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`Payload validation error: Expected type object but found type ${Array.isArray(value) ? 'array' : typeof value} (${field})`);
  checkShape(field, value);
  const record = value as Record<string, unknown>;
  if (field === 'app_metadata') {
    const reserved = Object.keys(record).find((key) => RESERVED_APP_METADATA.includes(key));
    if (reserved) throw badRequest(`Payload validation error: app_metadata may not hold the field ${JSON.stringify(reserved)}`);
  }
  return record;
}

/** Both metadata objects of a user as they would be stored: at most 16 MB together. */
export function checkMetadataSize(appMetadata: unknown, userMetadata: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(appMetadata ?? {})) + Buffer.byteLength(JSON.stringify(userMetadata ?? {}));
  if (bytes > MAX_METADATA_BYTES) throw badRequest('Payload validation error: app_metadata and user_metadata may not exceed 16 MB together');
}

/** user_metadata at signup (the Authentication API): at most 10 string fields and 500 characters. */
export function checkSignupMetadata(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'user_metadata must be an object';
  const entries = Object.entries(value);
  if (entries.length > 10) return 'user_metadata may have at most 10 fields at signup';
  if (entries.some(([key, item]) => typeof item !== 'string' || key.includes('.') || key.includes('$'))) return 'user_metadata fields at signup are strings, under names without "." or "$"';
  if (entries.reduce((sum, [key, item]) => sum + key.length + String(item).length, 0) > 500) return 'user_metadata may hold at most 500 characters at signup';
  return undefined;
}
