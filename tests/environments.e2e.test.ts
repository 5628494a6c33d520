/**
 * `--env` against a second tenant: a local tenant with its own port and state stands in for staging,
 * reached as any real tenant is (its domain in environments/staging.yaml, credentials from the variables
 * the file names, its CA through NODE_EXTRA_CA_CERTS). The project's default local tenant, as a deploy of
 * tenant.yaml left it (a copy of one real deploy: tests/support/deployed.ts), must come out of the plan and
 * the deploy byte for byte untouched.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sha256 } from '../scripts/deploy/model';
import { PROJECT_ROOT } from '../scripts/lib/build-actions';
import { spawnLocalTenant, type TenantProcess as LocalTenant, managementApi } from '@auth0-root-attributes/local-tenant';
import { deployedWorkspace } from './support/deployed';
import { projectCopy, runAsync, setDomain } from './support/project-copy';

jest.setTimeout(300_000);

const STAGING_SECRETS = { STAGING_GOOGLE_CLIENT_SECRET: 'staging-google-secret-4f1d', STAGING_CORP_OIDC_CLIENT_SECRET: 'staging-corp-secret-9a7e' };

let dir: string;
let firstState: string;
let second: LocalTenant;
let env: NodeJS.ProcessEnv;

/** Every file of a folder with its content digest and modification time. */
function snapshot(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files[path.relative(folder, file)] = `${sha256(readFileSync(file, 'utf8'))} ${statSync(file).mtimeMs}`;
  }
  return files;
}

const npm = (args: string[], extra: NodeJS.ProcessEnv = {}) => runAsync('npm', ['run', '-s', ...args], { cwd: dir, env: { ...env, ...extra } });

beforeAll(async () => {
  dir = projectCopy();
  firstState = path.join(dir, 'first-tenant');
  second = await spawnLocalTenant({ stateDir: mkdtempSync(path.join(tmpdir(), 'second-tenant-')), port: 0 });
  const stagingFile = path.join(dir, 'environments', 'staging.yaml');
  writeFileSync(stagingFile, setDomain(readFileSync(stagingFile, 'utf8'), second.domain));
  // The first tenant: the default local one, as `npm run deploy` without --env left it.
  cpSync((await deployedWorkspace()).stateDir, firstState, { recursive: true });
  env = { LOCAL_TENANT_DIR: firstState };
  expect((await npm(['deploy', '--', '--plan'])).stdout).toContain('Nothing to deploy: the tenant matches tenant.yaml');
  env = {
    LOCAL_TENANT_DIR: firstState,
    NODE_EXTRA_CA_CERTS: second.caPath,
    AUTH0_STAGING_CLIENT_ID: second.clientId,
    AUTH0_STAGING_CLIENT_SECRET: second.clientSecret,
    ...STAGING_SECRETS,
  };
});

afterAll(async () => {
  await second?.close();
});

test('plan and deploy with --env reach the second tenant and leave the first untouched', async () => {
  const before = snapshot(firstState);
  expect(Object.keys(before)).toContain('tenant.db');

  const plan = await npm(['deploy', '--', '--env', 'staging', '--plan', '--json']);
  expect(plan.status).toBe(0);
  const planned = JSON.parse(plan.stdout) as { environment: string; deployed: boolean; plan: { target: string; changes: number } };
  expect(planned).toMatchObject({ environment: 'staging', deployed: false, plan: { target: `environment staging (${second.domain})`, changes: 13 } });
  expect(second.state().actions).toHaveLength(0);
  expect(snapshot(firstState)).toEqual(before);

  const deploy = await npm(['deploy', '--', '--env', 'staging']);
  expect(deploy.status).toBe(0);
  expect(deploy.stdout).toContain(`deployed 13 changes to environment staging (${second.domain})`);
  const output = `${deploy.stdout}${deploy.stderr}${plan.stdout}${plan.stderr}`;
  for (const secret of [...Object.values(STAGING_SECRETS), second.clientSecret]) expect(output).not.toContain(secret);

  // The second tenant got the bundles built for staging, and staging's secret values in its connections.
  const state = second.state();
  const bundle = readFileSync(path.join(dir, 'build', 'actions', 'post-login.js'), 'utf8');
  expect(state.actions.find((action) => action.name === 'root-attributes-post-login')?.code).toBe(bundle);
  const google = state.connections.find((connection) => connection.name === 'google-oauth2');
  expect(google?.options).toMatchObject({ client_id: '100000000002-staging.apps.googleusercontent.com', client_secret: STAGING_SECRETS.STAGING_GOOGLE_CLIENT_SECRET });
  expect(snapshot(firstState)).toEqual(before);

  // The ledger of this environment sits beside tenant.yaml; nothing went to the project's.
  expect(readdirSync(path.join(dir, '.local', 'deployments'))).toEqual([`staging-${second.domain.replace(':', '_')}.json`]);
  const again = await npm(['deploy', '--', '--env', 'staging']);
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('Nothing to deploy');
  expect(snapshot(firstState)).toEqual(before);
  expect(PROJECT_ROOT).not.toBe(dir);
});

test('the audit with --env reads the second tenant: no drift right after the deploy', async () => {
  const audit = await npm(['audit', '--', '--env', 'staging', '--no-users', '--json']);
  expect(audit.status).toBe(0);
  const report = JSON.parse(audit.stdout) as { target: string; drift: unknown[]; broken: boolean };
  expect(report).toMatchObject({ target: `environment staging (${second.domain})`, drift: [], broken: false });
});

test('users update with --env writes to the second tenant, stamped with the environment\'s policy fingerprint', async () => {
  const before = snapshot(firstState);
  const api = await managementApi(second);
  const created = await api.call('POST', '/api/v2/users', { connection: 'Username-Password-Authentication', email: 'ada@example.com', password: 'a long pass phrase 1', name: 'Ada' });
  expect(created.status).toBe(201);
  const userId = (created.body as { user_id: string }).user_id;
  const update = await npm(['users', '--', 'update', userId, '--set', 'name=Ada Lovelace', '--env', 'staging']);
  expect(update.status).toBe(0);
  const stored = second.state().users.find((user) => user.user_id === userId);
  expect(stored?.name).toBe('Ada Lovelace');
  const bundle = readFileSync(path.join(dir, 'build', 'actions', 'post-login.js'), 'utf8');
  const fingerprint = /__rootAttributesFingerprint="([^"]+)"/.exec(bundle)?.[1];
  expect(stored?.app_metadata).toMatchObject({ root_attributes: { policy: fingerprint, attributes: { name: { source: 'management_api' } } } });
  expect(snapshot(firstState)).toEqual(before);
});

