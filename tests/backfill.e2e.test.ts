/**
 * Adopting a tenant with users nobody recorded: `npm run users -- backfill` against a local tenant limited to
 * 20 Management API requests a second, killed with SIGKILL half-way and run again. Every user ends with exactly
 * one record, no request was refused for the rate, and a third run writes nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readStateFile, seedUsers } from '@auth0-root-attributes/local-tenant';
import { scriptCommand } from '../scripts/lib/script-command';
import { commandEnv, runAsync } from './support/project-copy';
import { deployedWorkspace } from './support/deployed';
import type { Workspace } from './support/workspace';

jest.setTimeout(900_000);

const USERS = 5_000;
const IDP_USERS = 200;
const LIMIT = 20;
const KEY = 'root_attributes';

let space: Workspace;

beforeAll(async () => {
  space = await deployedWorkspace();
  const people = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: `seeded-${from + i}`, email: `person${from + i}@example.com`, name: `Person ${from + i}`, given_name: 'Person', family_name: `${from + i}` }));
  await seedUsers(space.stateDir, 'Username-Password-Authentication', people(0, USERS - IDP_USERS));
  await seedUsers(space.stateDir, 'corp-oidc', people(USERS - IDP_USERS, IDP_USERS));
});

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `npm run users -- backfill` against the workspace's tenant, limited to LIMIT requests a second; `stop` may kill it. */
function backfill(stop?: (stdout: string) => boolean): Promise<Run> {
  const [command, args] = scriptCommand('users.ts', ['backfill', '--tenant', space.tenantPath]);
  const child = spawn(command, args, { cwd: space.dir, env: commandEnv({ LOCAL_TENANT_DIR: space.stateDir, LOCAL_TENANT_RATE_LIMIT: String(LIMIT) }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    // The whole group: the command, the run it starts to trust the tenant's CA, the tenant inside it.
    if (stop?.(stdout) && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
}

/** `npm run audit -- --json --unrecorded FILE`: the report's users, and the ids the file lists. */
async function audit(): Promise<{ users: { users: number; recorded: number }; unrecorded: string[] }> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'backfill-audit-')), 'unrecorded.txt');
  const [command, args] = scriptCommand('audit.ts', ['--json', '--unrecorded', file, '--tenant', space.tenantPath]);
  const run = await runAsync(command, args, { cwd: space.dir, env: { LOCAL_TENANT_DIR: space.stateDir, LOCAL_TENANT_RATE_LIMIT: String(LIMIT) }, timeoutMs: 300_000 });
  const report = JSON.parse(run.stdout) as { users: { users: number; recorded: number } };
  return { users: report.users, unrecorded: readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') };
}

const written = (stdout: string) => Number(/(\d+) written/.exec(stdout.trim().split('\n').at(-1) ?? '')?.[1] ?? 0);

describe('users backfill', () => {
  it('records every user exactly once within the rate limit, resumed after SIGKILL, and writes nothing the second time', async () => {
    const before = await audit();
    expect(before.users).toMatchObject({ users: USERS, recorded: 0 });
    expect(before.unrecorded).toHaveLength(USERS);

    const started = Date.now();
    const first = await backfill((stdout) => written(stdout) >= USERS / 2);
    expect(first.signal).toBe('SIGKILL');
    const progress = first.stdout.trim().split('\n');
    expect(progress.every((line) => line.endsWith('; 0 answered 429'))).toBe(true);
    const firstWritten = written(first.stdout);
    expect(firstWritten).toBeGreaterThanOrEqual(USERS / 2);
    expect(firstWritten).toBeLessThan(USERS);
    // Never faster than the limit: the bucket's first LIMIT, then LIMIT a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(((firstWritten - LIMIT) / LIMIT) * 1000);

    const second = await backfill();
    expect({ status: second.status, stderr: second.stderr }).toEqual({ status: 0, stderr: '' });
    const done = /wrote a record for (\d+) users, of (\d+) in the tenant: (\d+) had one already/.exec(second.stdout);
    expect(done).not.toBeNull();
    const [secondWritten, total, had] = [Number(done?.[1]), Number(done?.[2]), Number(done?.[3])];
    expect(total).toBe(USERS);
    expect(secondWritten + had).toBe(USERS);
    expect(had).toBeGreaterThanOrEqual(firstWritten);
    expect(second.stdout).toContain('requests answered 429 and sent again'.replace(/^/, '0 '));
    expect(second.stdout).toMatch(/attributes by source: .*unknown \d+/);

    // Exactly once: each user's record carries the stamp of the one run that wrote it.
    const users = readStateFile(space.stateDir).users.filter((user) => user.user_id.includes('seeded-'));
    expect(users).toHaveLength(USERS);
    const stamps = new Map<string, number>();
    for (const user of users) {
      const record = (user.app_metadata as Record<string, { attributes: Record<string, { at: string; source: string }> }> | undefined)?.[KEY];
      expect(record).toBeDefined();
      const at = Object.values(record?.attributes ?? {})[0]?.at ?? '';
      stamps.set(at, (stamps.get(at) ?? 0) + 1);
    }
    expect([...stamps.values()].sort((a, b) => a - b)).toEqual([secondWritten, had].sort((a, b) => a - b));
    // corp-oidc syncs on_each_login: its IdP wrote the values; the database's are unknown, never signup.
    const sources = new Set(users.flatMap((user) => Object.values((user.app_metadata as Record<string, { attributes: Record<string, { source: string }> }>)[KEY]?.attributes ?? {}).map((entry) => `${user.identities[0]?.connection}:${entry.source}`)));
    expect([...sources].sort()).toEqual(['Username-Password-Authentication:unknown', 'corp-oidc:idp']);

    const after = await audit();
    expect(after.users).toMatchObject({ users: USERS, recorded: USERS });
    expect(after.unrecorded).toEqual([]);

    const third = await backfill();
    expect(third.stdout).toContain(`wrote a record for 0 users, of ${USERS} in the tenant: ${USERS} had one already`);
  });
});
