/**
 * The Management API's rate limit, as Auth0 answers it: a bucket of `limit` requests that refills at `limit` a
 * second. Every answer says where the bucket stands — `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
 * `X-RateLimit-Reset` (the Unix second at which it is full again) — and a request that finds it empty gets 429
 * `too_many_requests` with the same headers, which the auth0 SDK waits on before it retries.
 *
 * Auth0's limits are per tenant and far lower on development tenants; the local tenant's default is high enough
 * never to slow a test, and `--rate-limit N` (LOCAL_TENANT_RATE_LIMIT) brings it down to show a command pacing
 * itself. The bucket lives in memory: it is about the last second, which a restart forgets on Auth0 too.
 */
import { HttpError } from './http';

export const DEFAULT_RATE_LIMIT = 1000;

export interface RateLimitVerdict {
  allowed: boolean;
  headers: Record<string, string>;
}

export class RateLimit {
  private tokens: number;
  private at: number;

  constructor(readonly limit: number = DEFAULT_RATE_LIMIT, private readonly now: () => number = Date.now) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a rate limit is a whole number of requests a second, at least 1 (not ${limit})`);
    this.tokens = limit;
    this.at = now();
  }

  /** Takes one request from the bucket, if there is one, and says where the bucket stands after it. */
  take(): RateLimitVerdict {
    const now = this.now();
    this.tokens = Math.min(this.limit, this.tokens + ((now - this.at) / 1000) * this.limit);
    this.at = now;
    const allowed = this.tokens >= 1;
    if (allowed) this.tokens -= 1;
    const full = now + ((this.limit - this.tokens) / this.limit) * 1000;
    return {
      allowed,
      headers: {
        'x-ratelimit-limit': String(this.limit),
        'x-ratelimit-remaining': String(Math.floor(this.tokens)),
        'x-ratelimit-reset': String(Math.ceil(full / 1000)),
      },
    };
  }
}

/** Auth0's answer to a request over the limit. */
export const tooManyRequests = () => new HttpError(429, 'Global limit has been reached', 'too_many_requests');

/** The limit a tenant is started with: the option, else LOCAL_TENANT_RATE_LIMIT, else the default. */
export function rateLimitFrom(option: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (option !== undefined) return option;
  const variable = env.LOCAL_TENANT_RATE_LIMIT;
  if (variable === undefined || variable === '') return DEFAULT_RATE_LIMIT;
  const limit = Number(variable);
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`LOCAL_TENANT_RATE_LIMIT must be a whole number of requests a second, at least 1 (not ${variable})`);
  return limit;
}
