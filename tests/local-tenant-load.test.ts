/**
 * A local tenant under load (issue: one request froze it, every change rewrote the whole state): 20,000
 * users, 50 logins at once in three rounds, the project's post-login Action running for each. Every login
 * succeeds as its own user and none waits on the others for seconds. What a login costs is measured by
 * `npm run bench` (p99 against its 500 ms bar), not here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loginsUnderLoad, seedLoadTenant, type LoadTenant } from '../scripts/bench/logins';

jest.setTimeout(180_000);

let load: LoadTenant;
beforeAll(async () => {
  load = await seedLoadTenant(mkdtempSync(path.join(tmpdir(), 'load-')), 20_000, 50);
});
afterAll(() => load?.tenant.close());

it('answers 50 concurrent logins on a tenant of 20,000 users, each as its own user, round after round', async () => {
  const result = await loginsUnderLoad(load, 3);
  expect(result.failed).toBe(0);
  expect(result.subjects).toHaveLength(150);
  expect(new Set(result.subjects).size).toBe(50);
  // A hang detector, not a speed bar: no login waits anywhere near the 20 s an Action may take.
  expect(result.logins.p99Ns / 1e6).toBeLessThan(10_000);
  // Every login was counted and recorded on its user, in the database.
  const users = load.tenant.state().users.filter((user) => user.email?.startsWith('login-'));
  expect(users.map((user) => user.logins_count)).toEqual(Array(50).fill(4));
  expect(load.tenant.state().users).toHaveLength(20_050);
});
