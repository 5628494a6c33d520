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

/**
 * Digest over the values of the tracked attributes, in a fixed order, absent ones as U+0001: "did
 * anything change?", in one hash — the least work that can notice a change.
 */
export function profileDigest(values: Readonly<Record<string, string | undefined>>): string {
  const absent = '\u0001';
  return sha256(`${values.name ?? absent}\u0000${values.given_name ?? absent}\u0000${values.family_name ?? absent}\u0000${values.nickname ?? absent}\u0000${values.picture ?? absent}`).slice(0, DIGEST_LENGTH);
}

/** Digest of any JSON-serialisable value, e.g. the policy, to notice that it changed. */
export function fingerprint(value: unknown): string {
  return sha256(JSON.stringify(value)).slice(0, DIGEST_LENGTH);
}
