/**
 * A login belongs to the browser that started it, as oidc-provider binds its own interactions to a cookie:
 * when `/authorize` starts an interaction, the browser's device cookie (`did`, Auth0's name for it) is set if
 * missing and recorded with the interaction. Every hosted page and `/continue` then answer only that browser,
 * and every form carries a token made from the interaction and that cookie — so whoever learns an interaction
 * id can neither finish someone's login with their own account nor post to it from another site.
 *
 * The cookie is SameSite=None (as Auth0's): a redirect Action's site posts back to `/continue` from its own
 * origin, and the browser must send the cookie with it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { StateStore } from '../state';

export const DEVICE_COOKIE = 'did';
const DEVICE_ID = /^[A-Za-z0-9_-]{43}$/;
const YEAR_MS = 365 * 86_400_000;

/** What the interaction-start hook needs of koa's context: its cookies. */
interface Cookies {
  get(name: string, options?: { signed?: boolean }): string | undefined;
  set(name: string, value: string, options: Record<string, unknown>): unknown;
}

/** Binds a new interaction to the browser that started it (setting its device cookie when it has none). */
export function bindInteraction(store: StateStore, cookies: Cookies, uid: string, expiresAt: number): void {
  let device = cookies.get(DEVICE_COOKIE, { signed: false });
  if (!device || !DEVICE_ID.test(device)) {
    device = randomBytes(32).toString('base64url');
    cookies.set(DEVICE_COOKIE, device, { signed: false, httpOnly: true, secure: true, sameSite: 'none', path: '/', maxAge: YEAR_MS, overwrite: true });
  }
  store.records.put('browser', uid, device, expiresAt);
}

function deviceOf(headers: IncomingHttpHeaders): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === DEVICE_COOKIE) return value.join('=');
  }
  return undefined;
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Whether this request comes from the browser that started the interaction. */
export function fromBindingBrowser(store: StateStore, uid: string, headers: IncomingHttpHeaders): boolean {
  const bound = store.records.get<string>('browser', uid);
  const device = deviceOf(headers);
  return bound !== undefined && device !== undefined && same(bound, device);
}

/** The token a form of this interaction carries (`form_token`): only the page shown to its browser has it. */
export function formToken(store: StateStore, uid: string): string {
  const bound = store.records.get<string>('browser', uid) ?? '';
  return createHmac('sha256', store.state.signingSecret).update(`form\u0000${uid}\u0000${bound}`).digest('base64url');
}

/** Whether a posted form carries its interaction's token. */
export function formTokenMatches(store: StateStore, uid: string, token: string | undefined): boolean {
  return typeof token === 'string' && same(token, formToken(store, uid));
}
