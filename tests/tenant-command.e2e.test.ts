/**
 * `npm run tenant` as a developer runs it: it prints how to reach the tenant, and once tenant.yaml's
 * sample web app is on it, the login URL a browser opens to sign in to that app.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../scripts/lib/build-actions';
import { spawnLocalTenant } from '../scripts/local-tenant/process';
import { UserAgent } from '../scripts/story/browser';
import { managementApi } from './support/local-api';

jest.setTimeout(60_000);

/** Runs `npm run tenant` on a state folder until it has printed its lines; returns them and stops it. */
async function tenantOutput(stateDir: string): Promise<string> {
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
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return text;
}

it('prints the sample web app login URL, which opens the hosted login page', async () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'tenant-command-'));
  const before = await tenantOutput(stateDir);
  expect(before).toContain('No sample web app yet: `npm run deploy` (or `npm start`) deploys tenant.yaml and its sample apps to this tenant.');
  expect(before).toMatch(/^AUTH0_DOMAIN=127\.0\.0\.1:\d+$/m);

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
