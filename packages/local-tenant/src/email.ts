/**
 * One check of e-mail addresses for every place that takes one (signup, passwordless, the hosted pages,
 * the Management API, import jobs, `users import`): a single pass over the text, so no address — however
 * long or crafted — costs more than its length. A regular expression with nested repetition here once let an
 * 80 KB address freeze the local tenant for seconds.
 */

/** No spaces, control or format characters (NUL, line breaks, bidi and zero-width marks) anywhere. */
const FORBIDDEN = /[\s\p{Cc}\p{Cf}]/u;

export const EMAIL_MAX_LENGTH = 254;
export const EMAIL_LOCAL_MAX_LENGTH = 64;

/** One @ after 1–64 characters, a domain with an inner dot (no empty label), at most 254 in all. */
export function isEmailAddress(value: unknown): value is string {
  if (typeof value !== 'string' || value.length < 5 || value.length > EMAIL_MAX_LENGTH) return false;
  const at = value.indexOf('@');
  if (at < 1 || at > EMAIL_LOCAL_MAX_LENGTH || at !== value.lastIndexOf('@')) return false;
  const domain = value.slice(at + 1);
  if (domain.startsWith('.') || domain.endsWith('.') || !domain.includes('.') || domain.includes('..')) return false;
  return !FORBIDDEN.test(value);
}
