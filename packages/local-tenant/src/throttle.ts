/**
 * Rate limits by token bucket: a bucket holds up to `burst` attempts and gains one every `everyMs`; an attempt
 * takes one, and none left means 429. Buckets are records (records.ts) that expire when they would be full
 * again, so a quiet key costs nothing and the sweep removes it.
 *
 * The limits are Auth0's:
 * - Suspicious IP throttling (on by default): failed logins from one IP across every identifier, 100 a day,
 *   one more every 864 s (`pre-login`); signup attempts from one IP, 50, one more every 1.2 s
 *   (`pre-user-registration`). A throttled IP gets 429 `too_many_attempts` at every login or signup until a
 *   new attempt is granted or an administrator removes the block (`DELETE /api/v2/anomaly/blocks/ips/{ip}`).
 *   https://auth0.com/docs/secure/attack-protection/suspicious-ip-throttling
 * - `/passwordless/start`: 50 an hour from one IP (Auth0's rate-limit policy). Auth0 documents no limit per
 *   address; here one address gets at most 10 codes, one more a minute — as Auth0 limits password-change
 *   e-mails "from an IP address to a unique email address" — so no one floods another's mailbox.
 */
import { badRequest, notFound, type Route } from './http';
import { recordLog } from './logs';
import type { StateStore, StoredClient, StoredConnection } from './state';

export interface Limit {
  burst: number;
  everyMs: number;
}

export const SUSPICIOUS_MESSAGE = 'We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.';

export interface SuspiciousIpThrottling {
  enabled: boolean;
  shields: string[];
  allowlist: string[];
  stage: { 'pre-login': { max_attempts: number; rate: number }; 'pre-user-registration': { max_attempts: number; rate: number } };
}

/** Auth0's defaults for a new tenant (GET /api/v2/attack-protection/suspicious-ip-throttling). */
export const SUSPICIOUS_IP_DEFAULTS: SuspiciousIpThrottling = {
  enabled: true,
  shields: ['admin_notification', 'block'],
  allowlist: [],
  stage: { 'pre-login': { max_attempts: 100, rate: 864_000 }, 'pre-user-registration': { max_attempts: 50, rate: 1_200 } },
};

export const PASSWORDLESS_PER_IP: Limit = { burst: 50, everyMs: 72_000 };
export const PASSWORDLESS_PER_ADDRESS: Limit = { burst: 10, everyMs: 60_000 };
/** Wrong second-factor codes per user: Auth0's bucket of 10, one more every 6 minutes. */
export const MFA_VERIFY_LIMIT: Limit = { burst: 10, everyMs: 360_000 };

interface Bucket {
  tokens: number;
  at: number;
}

/** The attempts a bucket holds now (a missing or expired record is a full bucket). */
function level(store: StateStore, key: string, limit: Limit, now: number): number {
  const bucket = store.records.get<Bucket>('throttle', key);
  return bucket ? Math.min(limit.burst, bucket.tokens + (now - bucket.at) / limit.everyMs) : limit.burst;
}

/** Whether the bucket has an attempt left, without taking it. */
export function hasLeft(store: StateStore, key: string, limit: Limit, now = Date.now()): boolean {
  return level(store, key, limit, now) >= 1;
}

/** Takes an attempt from the bucket; false when none is left (nothing is taken then). */
export function take(store: StateStore, key: string, limit: Limit, now = Date.now()): boolean {
  const tokens = level(store, key, limit, now);
  if (tokens < 1) return false;
  const left = tokens - 1;
  store.records.put('throttle', key, { tokens: left, at: now } satisfies Bucket, now + Math.ceil((limit.burst - left) * limit.everyMs));
  return true;
}

export function suspiciousIpSettings(store: StateStore): SuspiciousIpThrottling {
  return store.state.attackProtection?.suspiciousIpThrottling ?? SUSPICIOUS_IP_DEFAULTS;
}

type Stage = 'pre-login' | 'pre-user-registration';

function stageLimit(settings: SuspiciousIpThrottling, stage: Stage): Limit {
  const { max_attempts: burst, rate } = settings.stage[stage];
  return { burst, everyMs: rate };
}

const applies = (settings: SuspiciousIpThrottling, ip: string) => settings.enabled && settings.shields.includes('block') && !settings.allowlist.includes(ip);

/** Whether logins from this IP are throttled now (it spent its failed attempts). */
export function loginThrottled(store: StateStore, ip: string): boolean {
  const settings = suspiciousIpSettings(store);
  return applies(settings, ip) && !hasLeft(store, `pre-login:${ip}`, stageLimit(settings, 'pre-login'));
}

/** A failed login from this IP, whatever its identifier: the last one allowed throttles the IP (logged `limit_mu`). */
export function countFailedLogin(store: StateStore, ip: string, context: { client?: StoredClient; connection?: StoredConnection }): void {
  const settings = suspiciousIpSettings(store);
  if (!applies(settings, ip)) return;
  const limit = stageLimit(settings, 'pre-login');
  take(store, `pre-login:${ip}`, limit);
  if (!hasLeft(store, `pre-login:${ip}`, limit)) recordLog(store, 'limit_mu', context, 'Suspicious IP throttling: too many failed logins from one IP address');
}

/** A signup attempt from this IP: false when the IP may not sign anyone up now. */
export function takeSignupAttempt(store: StateStore, ip: string): boolean {
  const settings = suspiciousIpSettings(store);
  return !applies(settings, ip) || take(store, `pre-user-registration:${ip}`, stageLimit(settings, 'pre-user-registration'));
}

function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw badRequest(`Payload validation error: Expected a positive integer (${field})`);
  return value;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length > 64) || value.length > 100) throw badRequest(`Payload validation error: Expected at most 100 strings (${field})`);
  return value as string[];
}

/** Settings and blocks through the Management API, as Auth0 serves them. */
export function throttleRoutes(store: StateStore): Route[] {
  return [
    { method: 'GET', path: '/api/v2/attack-protection/suspicious-ip-throttling', scopes: ['read:attack_protection'], handler: () => ({ status: 200, body: suspiciousIpSettings(store) }) },
    {
      method: 'PATCH',
      path: '/api/v2/attack-protection/suspicious-ip-throttling', scopes: ['update:attack_protection'],
      handler: ({ body }) => {
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Payload validation error: body must be an object');
        const fields = body as Record<string, unknown>;
        const current = suspiciousIpSettings(store);
        const next: SuspiciousIpThrottling = { ...current, stage: { ...current.stage } };
        if (fields.enabled !== undefined) {
          if (typeof fields.enabled !== 'boolean') throw badRequest('Payload validation error: Expected type boolean (enabled)');
          next.enabled = fields.enabled;
        }
        if (fields.shields !== undefined) next.shields = stringList(fields.shields, 'shields');
        if (fields.allowlist !== undefined) next.allowlist = stringList(fields.allowlist, 'allowlist');
        if (fields.stage !== undefined) {
          const stage = (typeof fields.stage === 'object' && fields.stage !== null ? fields.stage : {}) as Record<string, Record<string, unknown> | undefined>;
          for (const name of ['pre-login', 'pre-user-registration'] as const) {
            const given = stage[name];
            if (given === undefined) continue;
            next.stage[name] = {
              max_attempts: given.max_attempts === undefined ? current.stage[name].max_attempts : positiveInteger(given.max_attempts, `stage.${name}.max_attempts`),
              rate: given.rate === undefined ? current.stage[name].rate : positiveInteger(given.rate, `stage.${name}.rate`),
            };
          }
        }
        store.state.attackProtection = { ...store.state.attackProtection, suspiciousIpThrottling: next };
        store.save();
        return { status: 200, body: next };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/anomaly/blocks/ips/:ip', scopes: ['read:anomaly_blocks'],
      handler: ({ params }) => {
        if (!loginThrottled(store, params.ip ?? '')) throw notFound('IP is not blocked', 'not_found');
        return { status: 200 };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/anomaly/blocks/ips/:ip', scopes: ['delete:anomaly_blocks'],
      handler: ({ params }) => {
        for (const stage of ['pre-login', 'pre-user-registration']) store.records.delete('throttle', `${stage}:${params.ip ?? ''}`);
        return { status: 204 };
      },
    },
  ];
}
