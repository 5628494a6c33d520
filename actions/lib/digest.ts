/**
 * Digests of attribute values: a change is visible without storing the value twice.
 * SHA-256, base64url, cut to 12 characters (72 bits): collisions between two values of one user's
 * attribute are out of reach, and the record stays small.
 */
import * as crypto from 'node:crypto';

const DIGEST_LENGTH = 12;

// crypto.hash (Node >= 20.12) is a one-shot that skips the Hash object; fall back where it is missing.
const sha256: (data: string) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'base64url')
    : (data) => crypto.createHash('sha256').update(data).digest('base64url');

/** Digest of one attribute's value. The name is part of it, so equal values of two attributes differ. */
export function attributeDigest(attribute: string, value: string): string {
  return sha256(`${attribute}\u0000${value}`).slice(0, DIGEST_LENGTH);
}

/** Digest over the values of all tracked attributes (absent ones skipped): "did anything change?". */
export function profileDigest(attributes: readonly string[], values: Readonly<Record<string, string | undefined>>): string {
  let joined = '';
  for (const attribute of attributes) {
    const value = values[attribute];
    if (value !== undefined) joined += `${attribute}\u0000${value}\u0000`;
  }
  return sha256(joined).slice(0, DIGEST_LENGTH);
}

/** Digest of any JSON-serialisable value, e.g. the policy, to notice that it changed. */
export function fingerprint(value: unknown): string {
  return sha256(JSON.stringify(value)).slice(0, DIGEST_LENGTH);
}
