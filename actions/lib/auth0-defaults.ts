/**
 * Auth0's own defaults for a user it stores, derived from the user's e-mail when signup supplies none:
 * `name` is the address, `nickname` its local part, `picture` a Gravatar of it whose fallback is an
 * initials avatar on cdn.auth0.com (or that avatar alone). What the platform did is never a value
 * violation; any other e-mail address in a name still is. The Actions, the audit and `users` share this.
 */
import * as crypto from 'node:crypto';
import type { RootAttribute } from './attributes';

const GRAVATAR_HOSTS = new Set(['s.gravatar.com', 'gravatar.com', 'www.gravatar.com', 'secure.gravatar.com']);
const INITIALS_AVATAR = /^https:\/\/cdn\.auth0\.com\/avatars\/[a-z0-9]{1,3}\.png$/;

function localPart(email: string): string {
  const at = email.lastIndexOf('@');
  return at > 0 ? email.slice(0, at) : '';
}

/** Gravatar's id of an address: the MD5 of the trimmed, lower-cased address. */
function gravatarId(email: string): string {
  return crypto.createHash('md5').update(email.trim().toLowerCase()).digest('hex');
}

function isDefaultPicture(value: string, email: string): boolean {
  if (INITIALS_AVATAR.test(value)) return true;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || !GRAVATAR_HOSTS.has(url.hostname) || url.pathname !== `/avatar/${gravatarId(email)}`) return false;
  const fallback = url.searchParams.get('d');
  return fallback === null || INITIALS_AVATAR.test(fallback);
}

/**
 * Whether `value` could be Auth0's default for some user: a name that is an address, a nickname that is
 * one word, a Gravatar or initials avatar. Only those need the user's e-mail to be told apart.
 */
export function mayBeAuth0Default(attribute: RootAttribute, value: string): boolean {
  switch (attribute) {
    case 'name':
      return value.includes('@');
    case 'nickname':
      return /^[^\s@]+$/.test(value);
    case 'picture':
      return INITIALS_AVATAR.test(value) || /^https:\/\/(?:[a-z]+\.)?gravatar\.com\/avatar\//.test(value);
    default:
      return false;
  }
}

/** Whether `value` is exactly what Auth0 gives this attribute for a user with this e-mail. */
export function isAuth0Default(attribute: RootAttribute, value: string, email: string | undefined): boolean {
  if (!email || !email.includes('@')) return false;
  switch (attribute) {
    case 'name':
      return value.toLowerCase() === email.toLowerCase();
    case 'nickname':
      return value !== '' && value.toLowerCase() === localPart(email).toLowerCase();
    case 'picture':
      return isDefaultPicture(value, email);
    default:
      return false;
  }
}
