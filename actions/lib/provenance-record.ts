/**
 * The provenance record: one per user, in `app_metadata` under the policy's key (users can write
 * `user_metadata`; they must not be able to forge their own audit trail). Versioned; anything found there
 * that is not a valid record is replaced and logged, never trusted.
 *
 * ```json
 * { "v": 1, "connection": "google-oauth2", "digest": "…", "policy": "…", "violations": [],
 *   "attributes": { "name": { "source": "idp", "at": "2026-11-25T18:00:00.000Z", "digest": "k3J9x2Qa0bWc" } } }
 * ```
 * `digest` (top level) covers all tracked values and `policy` fingerprints the policy that `violations`
 * were found under, so a login that changed nothing costs one hash.
 */
import { isRecordedSource, isRootAttribute, type RecordedSource, type RootAttribute } from './attributes';

export const RECORD_VERSION = 1;

export interface AttributeEntry {
  source: RecordedSource;
  /** ISO 8601 time the source was attributed. */
  at: string;
  digest: string;
}

export interface ProvenanceRecord {
  v: typeof RECORD_VERSION;
  connection: string;
  digest: string;
  policy: string;
  attributes: { [A in RootAttribute]?: AttributeEntry };
  /** Codes (`<attribute>.<rule>`) of every violation found when the values were last checked. */
  violations: string[];
}

/** Why a stored value is not a usable record. */
export type RecordProblem = 'corrupt' | 'unknown-version' | 'oversized';

export type ParsedRecord =
  | { status: 'valid'; record: ProvenanceRecord }
  | { status: 'missing' }
  | { status: 'invalid'; problem: RecordProblem };

const RECORD_KEYS = ['v', 'connection', 'digest', 'policy', 'attributes', 'violations'];
const ENTRY_KEYS = ['source', 'at', 'digest'];
const MAX_CONNECTION_NAME = 128;
const MAX_VIOLATIONS = 64;
const MAX_CODE = 64;
const CODE = /^(?:name|given_name|family_name|nickname|picture)\.[a-z-]{1,40}$/;
const DIGEST = /^[A-Za-z0-9_-]{1,64}$/;
/** An ISO 8601 UTC time, by its shape: `YYYY-MM-DDTHH:MM:SS[.fff]Z` (a regular expression costs more on every login). */
function isTimestamp(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 20 && value.length <= 30 && value.charCodeAt(4) === 45 && value.charCodeAt(10) === 84 && value.charCodeAt(value.length - 1) === 90;
}

/** A plain object of any realm (the Actions runtime may hand over objects built in another context). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function hasExactKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === keys.length && own.every((key) => keys.includes(key));
}

function validEntry(value: unknown): value is AttributeEntry {
  return (
    isPlainObject(value) &&
    hasExactKeys(value, ENTRY_KEYS) &&
    isRecordedSource(value.source) &&
    isTimestamp(value.at) &&
    typeof value.digest === 'string' &&
    DIGEST.test(value.digest)
  );
}

/** Reads what `app_metadata[key]` holds. Never throws, whatever it is. */
export function parseRecord(stored: unknown): ParsedRecord {
  if (stored === undefined || stored === null) return { status: 'missing' };
  if (!isPlainObject(stored)) return { status: 'invalid', problem: 'corrupt' };
  if (Object.prototype.hasOwnProperty.call(stored, 'v') && stored.v !== RECORD_VERSION) {
    return { status: 'invalid', problem: 'unknown-version' };
  }
  if (!hasExactKeys(stored, RECORD_KEYS)) return { status: 'invalid', problem: 'corrupt' };
  const { connection, digest, policy, attributes, violations } = stored;
  if (typeof connection !== 'string' || typeof digest !== 'string' || typeof policy !== 'string') {
    return { status: 'invalid', problem: 'corrupt' };
  }
  if (!isPlainObject(attributes) || !Array.isArray(violations)) return { status: 'invalid', problem: 'corrupt' };
  if (connection.length > MAX_CONNECTION_NAME || violations.length > MAX_VIOLATIONS) {
    return { status: 'invalid', problem: 'oversized' };
  }
  if (!DIGEST.test(digest) || !DIGEST.test(policy)) return { status: 'invalid', problem: 'corrupt' };
  for (const key of Object.keys(attributes)) {
    if (!isRootAttribute(key) || !validEntry(attributes[key])) return { status: 'invalid', problem: 'corrupt' };
  }
  for (const code of violations) {
    if (typeof code !== 'string') return { status: 'invalid', problem: 'corrupt' };
    if (code.length > MAX_CODE) return { status: 'invalid', problem: 'oversized' };
    if (!CODE.test(code)) return { status: 'invalid', problem: 'corrupt' };
  }
  return { status: 'valid', record: stored as unknown as ProvenanceRecord };
}

/**
 * The stored record, when it is current — same values (digest), same policy, same connection — and
 * sound as far as a login that changed nothing relies on it: its shape, each entry's source, its
 * violation codes. Anything else (including an own `__proto__` key) goes to the full `parseRecord`.
 */
export function currentRecord(stored: unknown, digest: string, policy: string, connection: string): ProvenanceRecord | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const record = stored as Record<string, unknown>;
  if (record.digest !== digest || record.policy !== policy || record.connection !== connection || record.v !== RECORD_VERSION) return undefined;
  if (!isPlainObject(record) || Object.keys(record).length !== RECORD_KEYS.length) return undefined;
  const { attributes, violations } = record;
  if (!isPlainObject(attributes) || !Array.isArray(violations) || violations.length > MAX_VIOLATIONS) return undefined;
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const entry = attributes[key] as { source?: unknown } | null;
    if (!isRootAttribute(key) || typeof entry !== 'object' || entry === null || !isRecordedSource(entry.source)) return undefined;
  }
  for (const code of violations) if (typeof code !== 'string' || !CODE.test(code)) return undefined;
  return record as unknown as ProvenanceRecord;
}
