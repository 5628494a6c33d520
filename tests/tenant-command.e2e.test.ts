/**
 * `npm run tenant` as a developer runs it: it prints how to reach the tenant, and once tenant.yaml's
 * sample web app is on it, the login URL a browser opens to sign in to that app.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../scripts/lib/build-actions';
import { managementApi, raw, spawnLocalTenant, UserAgent } from '@auth0-root-attributes/local-tenant';
import { readFileSync } from 'node:fs';
import { deployAction } from './support/seed';
import { scriptCommand } from '../scripts/lib/script-command';
import { copySample } from './support/sample';

jest.setTimeout(60_000);

/** Runs `npm run tenant` on a state folder until it has printed its lines, then `during` (given its domain); returns the output and stops it. */
async function tenantOutput(stateDir: string, during?: (domain: string) => Promise<void>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'tenant.ts'), '--port', '0', '--state', stateDir], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('Ctrl-C stops it.')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.once('exit', () => reject(new Error(`npm run tenant exited:\n${text}`)));
  });
  child.removeAllListeners('exit');
  if (during) await during(/^export AUTH0_DOMAIN=(\S+)$/m.exec(text)?.[1] ?? '');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return text;
}

it('says in one line with a hint, and exit 2, that a damaged state database cannot be read', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tenant-command-'));
  await (await spawnLocalTenant({ stateDir: dir })).close();
  writeFileSync(path.join(dir, 'tenant.db'), Buffer.from('SQLite format 3\u0000 but not really, just junk written over a database file'));
  for (const suffix of ['-wal', '-shm']) rmSync(path.join(dir, `tenant.db${suffix}`), { force: true });
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'tenant.ts'), '--port', '0', '--state', dir], { encoding: 'utf8', timeout: 30_000 });
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/^error state-unavailable: the local tenant database .* cannot be read .*\n  hint: move it aside/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
});

it('prints the sample web app login URL, which opens the hosted login page', async () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'tenant-command-'));
  const before = await tenantOutput(stateDir);
  expect(before).toContain('No sample web app yet: `npm run deploy` (or `npm start`) deploys tenant.yaml and its sample apps to this tenant.');
  expect(before).toMatch(/^export AUTH0_DOMAIN=127\.0\.0\.1:\d+$/m);

  const seeded = await spawnLocalTenant({ stateDir });
  const api = await managementApi(seeded);
  expect((await api.call('POST', '/api/v2/connections', { name: 'Username-Password-Authentication', strategy: 'auth0', options: {} })).status).toBe(201);
  expect((await api.call('POST', '/api/v2/clients', { name: 'Sample web app', app_type: 'regular_web', callbacks: ['https://127.0.0.1:3001/callback'], grant_types: ['authorization_code'] })).status).toBe(201);
  await seeded.close();

  const output = await tenantOutput(stateDir);
  const url = /^Sample web app login: (\S+)$/m.exec(output)?.[1];
  expect(url).toMatch(/\/authorize\?client_id=\w+&response_type=code&redirect_uri=https%3A%2F%2F127\.0\.0\.1%3A3001%2Fcallback/);
  // The URL is the tenant's; while `npm run tenant` is stopped, a tenant on the same state answers it at its own port.
  const live = await spawnLocalTenant({ stateDir });
  try {
    const target = new URL(url ?? '');
    target.host = live.domain;
    const page = await new UserAgent(live.ca).open(target.href, 'https://127.0.0.1:3001/callback');
    expect('page' in page && page.page.body).toContain('Log in to continue to Sample web app');
  } finally {
    await live.close();
  }
});

it('prints each Action\'s console output prefixed by trigger and action, and names the one Action that failed (Auth0\'s real-time logs)', async () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'tenant-command-'));
  const seeded = await spawnLocalTenant({ stateDir });
  const api = await managementApi(seeded);
  expect((await api.call('POST', '/api/v2/connections', { name: 'Username-Password-Authentication', strategy: 'auth0', options: {} })).status).toBe(201);
  expect((await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', email: 'log@example.com', password: 'a long enough password' })).status).toBe(201);
  await deployAction(api, { name: 'chatty', trigger: 'post-login', code: "exports.onExecutePostLogin = async (event) => { console.log('hello from chatty', event.stats.logins_count); };" });
  await deployAction(api, { name: 'thrower', trigger: 'post-login', code: "exports.onExecutePostLogin = async () => { throw new Error('nope'); };" });
  expect((await api.call('PATCH', '/api/v2/actions/triggers/post-login/bindings', { bindings: ['chatty', 'thrower'].map((value) => ({ ref: { type: 'action_name', value } })) })).status).toBe(200);
  const { client_id: clientId, client_secret: clientSecret } = seeded.state().clients.find((client) => client.name === 'Default App')!;
  await seeded.close();

  let answer: Awaited<ReturnType<typeof raw>> | undefined;
  const output = await tenantOutput(stateDir, async (domain) => {
    const port = Number(domain.split(':')[1]);
    answer = await raw({ port, ca: readFileSync(path.join(stateDir, 'ca.pem'), 'utf8') }, {
      method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: clientId, client_secret: clientSecret, username: 'log@example.com', password: 'a long enough password', realm: 'Username-Password-Authentication', scope: 'openid' }),
    });
  });
  expect(answer).toMatchObject({ status: 403, body: { error: 'access_denied', error_description: 'nope (Action "thrower")' } });
  expect(output).toMatch(/^\S+ \[post-login\/chatty\] hello from chatty 1$/m);
  expect(output).toMatch(/^\S+ \[post-login\/thrower\] failed: Error: nope \(at line \d+, column \d+ of its code\)$/m);
});

it('is used, not refused, by a command run beside it on the same state folder', async () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'tenant-beside-'));
  const workspace = mkdtempSync(path.join(tmpdir(), 'tenant-beside-space-'));
  copySample(workspace);
  await tenantOutput(stateDir, async (domain) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_TENANT_DIR: stateDir };
    for (const key of ['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'NODE_EXTRA_CA_CERTS']) delete env[key];
    const plan = spawnSync(...scriptCommand('deploy.ts', ['--plan', '--tenant', path.join(workspace, 'tenant.yaml')]), { cwd: workspace, env, encoding: 'utf8', timeout: 120_000 });
    expect(plan.stderr).not.toContain('in use by another process');
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain(`Plan for the local tenant npm run tenant serves (${domain}, state in ${stateDir}):`);
  });
});
