/**
 * The Management API's rate limit as Auth0 answers it: every answer carries X-RateLimit-Limit, -Remaining and
 * -Reset; a request over the limit gets 429 `too_many_requests` with the same headers; the bucket refills at
 * the limit a second. Other routes (login, tokens) are not counted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { managementApi, raw, spawnLocalTenant, type TenantProcess } from '../src/index';
import { RateLimit } from '../src/rate-limit';

jest.setTimeout(60_000);

describe('the bucket', () => {
  it('lets `limit` requests through at once, refills at `limit` a second, and says when it is full again', () => {
    let now = 1_000_000;
    const bucket = new RateLimit(2, () => now);
    expect(bucket.take()).toEqual({ allowed: true, headers: { 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '1001' } });
    expect(bucket.take()).toMatchObject({ allowed: true, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1001' } });
    expect(bucket.take()).toMatchObject({ allowed: false, headers: { 'x-ratelimit-remaining': '0' } });
    now += 500;
    expect(bucket.take()).toMatchObject({ allowed: true, headers: { 'x-ratelimit-remaining': '0' } });
    expect(bucket.take().allowed).toBe(false);
    now += 10_000;
    expect(bucket.take()).toMatchObject({ allowed: true, headers: { 'x-ratelimit-remaining': '1' } });
    expect(() => new RateLimit(0)).toThrow(RangeError);
  });
});

describe('a tenant limited to 5 Management API requests a second', () => {
  let tenant: TenantProcess;
  beforeAll(async () => {
    tenant = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'rate-limit-')), rateLimit: 5 });
  });
  afterAll(() => tenant?.close());

  it('answers 429 over the limit, with the headers on every answer, and not on the login side', async () => {
    const api = await managementApi(tenant);
    const answers = await Promise.all(Array.from({ length: 12 }, () => api.call('GET', '/api/v2/clients')));
    const refused = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(5);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    expect(refused[0]?.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' });
    const second = Math.floor(Date.now() / 1000);
    for (const answer of answers) {
      expect(answer.headers['x-ratelimit-limit']).toBe('5');
      expect(Number(answer.headers['x-ratelimit-remaining'])).toBeGreaterThanOrEqual(0);
      expect(Number(answer.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(second);
      expect(Number(answer.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(second + 3);
    }
    // The token endpoint and discovery are the Authentication API's: not counted, no headers.
    const discovery = await raw(tenant, { method: 'GET', path: '/.well-known/openid-configuration' });
    expect(discovery.status).toBe(200);
    expect(discovery.headers['x-ratelimit-limit']).toBeUndefined();

    // A second later the bucket has refilled.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await api.call('GET', '/api/v2/clients')).status).toBe(200);
  });
});
